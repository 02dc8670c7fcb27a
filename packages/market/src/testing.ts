/**
 * `@tirami/market/testing`: ledger-only market nodes for tests, benchmarks and simulations — a real ledger
 * file and a real libp2p host on 127.0.0.1 in a temporary directory, no model, no HTTP, the ledger's
 * reputation service wired in as a node does. Nodes made here are stopped (and their directories removed)
 * by `stop()`. Not part of the main entry. (Waits and trade factories for tests are in the repository's
 * private test kits.)
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, createSigner, generateSeed, type Signer, systemClock } from "@tirami/core";
import { createSpendPath, type Ledger, openLedger, type SpenderDirectory } from "@tirami/ledger";
import { createMeshHost, type MeshHostOptions } from "@tirami/net";
import type { SignedTrade } from "@tirami/proto";
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
  /** Spenders besides the operator its spend path lets buy (e.g. an app's agent or the mind). */
  spenders?: SpenderDirectory | undefined;
  /** Overrides of the market's options. */
  market?: Partial<MarketOptions>;
  /** The clock of its ledger, market and spend path (default: the system clock). */
  clock?: Clock;
}

/** Starts a ledger-only node (its mesh joins `bootstrap`). */
export async function startLedgerNode(options: LedgerNodeOptions = {}): Promise<LedgerNode> {
  const seed = options.seed ?? generateSeed();
  const signer = createSigner(seed);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "tirami-mesh-"));
  const clock = options.clock ?? systemClock;
  const ledger = openLedger({ path: join(dir, "ledger.db"), localAccount: signer.accountId, clock });
  const nodeDb = new Database(join(dir, "market.db"));
  const host = await createMeshHost({ seed, bootstrap: options.bootstrap ?? [], ...options.host });
  const mesh = createMarket({
    host,
    ledger,
    unsettled: createUnsettledBook(nodeDb),
    signer,
    clock,
    engine: () => options.engine,
    priceTrmPerToken:
      options.priceTrmPerToken === "live"
        ? () => ledger.pricing.quote().price_trm_per_token
        : () => (options.priceTrmPerToken as number | undefined) ?? 1,
    pricing: ledger.pricing,
    ...(options.buys === false
      ? {}
      : { spend: createSpendPath({ ledger, signer, clock, spenders: options.spenders }) }),
    reputation: ledger.reputation,
    lending: ledger,
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

/** A trade as every node must store it (without the local `applied_ms`). */
export function tradeView(ledger: Ledger, tradeId: string): Omit<SignedTrade, never> | undefined {
  const stored = ledger.getTrade(tradeId);
  if (stored === undefined) return undefined;
  const { applied_ms: _applied, ...signed } = stored;
  return signed;
}
