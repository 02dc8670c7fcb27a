/**
 * `@tirami/market/testing`: ledger-only market nodes for tests, benchmarks and simulations — a real ledger
 * file and a real libp2p host on 127.0.0.1 in a temporary directory, no model, no HTTP, the ledger's
 * reputation service wired in as a node does — plus dual-signed trades made with throwaway keys and
 * polling waits. Nodes made here are stopped (and their directories removed) by `stop()`. Not part of
 * the main entry.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, generateSeed, type Signer, systemClock } from "@tirami/core";
import { createSpendPath, type Ledger, openLedger } from "@tirami/ledger";
import { createMeshHost, type MeshHostOptions } from "@tirami/net";
import { assembleSignedTrade, createTrade, type SignedTrade, signTrade } from "@tirami/proto";
import { costTrm } from "@tirami/core";
import Database from "better-sqlite3";
import type { MarketEngine } from "./engine.js";
import { createMarket, type Market, type MarketOptions } from "./market.js";
import { createUnsettledBook } from "./unsettled-book.js";

/** A ledger-only mesh node. */
export interface LedgerNode {
  seed: Uint8Array;
  signer: Signer;
  ledger: Ledger;
  mesh: Market;
  dir: string;
  /** Stops the mesh (host included); keeps the ledger open unless `closeLedger`. */
  stopMesh(): Promise<void>;
  /** Stops everything and removes the temp dir (unless `keepDir`). */
  stop(options?: { keepDir?: boolean }): Promise<void>;
  /** First listen multiaddr with /p2p/. */
  addr(): string;
}

export interface LedgerNodeOptions {
  seed?: Uint8Array;
  dir?: string;
  bootstrap?: string[];
  offerIntervalMs?: number;
  /** Reputation observation publication period (default: the service's, 60 s). */
  reputationIntervalMs?: number;
  host?: Partial<MeshHostOptions>;
  /** A model to serve (then the node is a provider). */
  engine?: MarketEngine | undefined;
  /** Its price: a fixed number of TRM per token, or `"live"` (the ledger's pricing). Default 1. */
  priceTrmPerToken?: number | "live";
  /** Whether the node can buy (a spend path on its ledger, the operator spending). Default true. */
  buys?: boolean;
  /** Overrides of the market's options. */
  market?: Partial<MarketOptions>;
}

/** Starts a ledger-only node (its mesh joins `bootstrap`). */
export async function startLedgerNode(options: LedgerNodeOptions = {}): Promise<LedgerNode> {
  const seed = options.seed ?? generateSeed();
  const signer = createSigner(seed);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "tirami-mesh-"));
  const ledger = openLedger({ path: join(dir, "ledger.db"), localAccount: signer.accountId });
  const nodeDb = new Database(join(dir, "market.db"));
  const host = await createMeshHost({ seed, bootstrap: options.bootstrap ?? [], ...options.host });
  const mesh = createMarket({
    host,
    ledger,
    unsettled: createUnsettledBook(nodeDb),
    signer,
    clock: systemClock,
    engine: () => options.engine,
    priceTrmPerToken:
      options.priceTrmPerToken === "live"
        ? () => ledger.pricing.quote().price_trm_per_token
        : () => (options.priceTrmPerToken as number | undefined) ?? 1,
    pricing: ledger.pricing,
    ...(options.buys === false ? {} : { spend: createSpendPath({ ledger, signer, clock: systemClock }) }),
    reputation: ledger.reputation,
    timings: {
      offerIntervalMs: options.offerIntervalMs ?? 1_000,
      reputationIntervalMs: options.reputationIntervalMs,
    },
    ...options.market,
  });
  await mesh.start();
  let meshStopped = false;
  let closed = false;
  return {
    seed,
    signer,
    ledger,
    mesh,
    dir,
    async stopMesh() {
      if (meshStopped) return;
      meshStopped = true;
      await mesh.stop();
    },
    async stop(stopOptions = {}) {
      if (!meshStopped) {
        meshStopped = true;
        await mesh.stop().catch(() => undefined);
      }
      if (!closed) {
        closed = true;
        ledger.close();
        nodeDb.close();
      }
      if (stopOptions.keepDir !== true) rmSync(dir, { recursive: true, force: true });
    },
    addr: () => host.multiaddrs()[0] as string,
  };
}

/** A dual-signed trade between two keys (`completionTokens` × `price`). */
export function makeTrade(
  provider: Signer,
  consumer: Signer,
  options: { completionTokens?: number; price?: number; timestampMs?: number; modelId?: string } = {},
): SignedTrade {
  const completionTokens = options.completionTokens ?? 5;
  const price = options.price ?? 1;
  const trade = createTrade({
    provider: provider.accountId,
    consumer: consumer.accountId,
    amount_trm: costTrm(completionTokens, price),
    prompt_tokens: 3,
    completion_tokens: completionTokens,
    model_id: options.modelId ?? "bench-model",
    price_trm_per_token: price,
    timestamp_ms: options.timestampMs ?? Date.now(),
    request_id: `req-${Math.random().toString(16).slice(2, 14)}`,
  });
  return assembleSignedTrade(trade, signTrade(trade, provider), signTrade(trade, consumer));
}

/** A fresh throwaway key. */
export function newSigner(): Signer {
  return createSigner(generateSeed());
}

/** Polls `condition` every `everyMs` until true; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Like `waitFor` with an async condition (e.g. an HTTP poll). */
export async function waitUntil(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A trade as every node must store it (without the local `applied_ms`). */
export function tradeView(ledger: Ledger, tradeId: string): Omit<SignedTrade, never> | undefined {
  const stored = ledger.getTrade(tradeId);
  if (stored === undefined) return undefined;
  const { applied_ms: _applied, ...signed } = stored;
  return signed;
}
