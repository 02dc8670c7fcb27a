/**
 * Proves that the collusion penalty reaches what users see, on a real ledger (SQLite in a temp dir) holding
 * an honest market and a wash-trading ring as dual-signed trades: the agora's reputation of a ring member
 * carries the 0.5 trust penalty and its `find` rank falls below a provider with no history that it would
 * beat without the penalty; the market's routing (`rankProviders` with the agora's `trustPenalty`) puts
 * the same member below that provider too, while honest providers keep their reputation untouched; and a
 * node's own repeated purchases from one provider do not penalise that provider in its own view (another
 * node, to which they are a stranger's trades, does count them).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigner, generateSeed } from "@tirami/core";
import { type Ledger, openLedger } from "@tirami/ledger";
import { rankProviders } from "@tirami/market";
import { createMeshHost, type MeshHost } from "@tirami/net";
import { PROTOCOL_VERSION, type ProviderOffer, signProviderOffer, type Trade } from "@tirami/proto";
import { suiteTempDir } from "@tirami/test-kit";
import { signBoth, signerFor, tradeOf } from "@tirami/test-trades";
import type { Signer } from "@tirami/core";
import { honestMarket, washRing } from "../test/markets.js";
import { type Agora, createAgora } from "./agora.js";
import { matchCapabilities } from "./matching.js";

const NOW_MS = Date.now();
let ledger: Ledger;
let host: MeshHost;
let self: Signer;
const loyalProvider = signerFor("agora-test/loyal-provider");
let agora: Agora;
let ring: Signer[];
let honestProviders: Signer[];
const newcomer = signerFor("agora-test/newcomer");
const MODEL = "qwen2.5-0.5b-instruct-q4_k_m";

const offerOf = (signer: Signer, priceTrmPerToken: number): ProviderOffer =>
  signProviderOffer(
    {
      account: signer.accountId,
      models: [{ model_id: MODEL, price_trm_per_token: priceTrmPerToken }],
      free_capacity: 1,
      protocol_version: PROTOCOL_VERSION,
      merkle_root: "00".repeat(32),
      trade_count: 0,
      timestamp_ms: NOW_MS,
    },
    signer,
  );

beforeAll(async () => {
  const dir = suiteTempDir();
  const seed = generateSeed();
  self = createSigner(seed);
  ledger = openLedger({ path: join(dir, "ledger.db"), localAccount: self.accountId });
  const honest = honestMarket(11, NOW_MS);
  const wash = washRing(NOW_MS);
  ring = wash.ring;
  honestProviders = honest.providers;
  const bySigner = new Map<string, Signer>();
  for (const signer of [...honest.consumers, ...honest.providers, ...ring])
    bySigner.set(signer.accountId, signer);
  const all: Trade[] = [...honest.trades, ...wash.trades].sort((x, y) => x.timestamp_ms - y.timestamp_ms);
  for (const trade of all) {
    const signed = signBoth(trade, bySigner.get(trade.provider)!, bySigner.get(trade.consumer)!);
    expect(ledger.applySignedTrade(signed, { nowMs: trade.timestamp_ms }).status).toBe("applied");
  }
  // This node buys 12 times from one provider: all of that provider's earnings are this node's money.
  for (let i = 0; i < 12; i++) {
    const trade = tradeOf({
      provider: loyalProvider,
      consumer: self,
      completionTokens: 5 + i,
      timestampMs: NOW_MS - 3_600_000 + i * 60_000,
      seq: 50_000 + i,
    });
    expect(
      ledger.applySignedTrade(signBoth(trade, loyalProvider, self), { nowMs: trade.timestamp_ms }).status,
    ).toBe("applied");
  }
  host = await createMeshHost({ seed });
  agora = createAgora({
    host,
    signer: self,
    ledger,
    clock: { nowMs: () => NOW_MS },
    offers: () => [offerOf(ring[0]!, 1), offerOf(newcomer, 1)],
  });
}, 60_000);

afterAll(async () => {
  await host?.stop();
  ledger?.close();
});

describe("the collusion penalty in reputation, find and routing", () => {
  it("a ring member's reputation carries the penalty; honest providers' do not", () => {
    const member = agora.reputation(ring[0]!.accountId);
    expect(member.trust_penalty).toBeCloseTo(0.5, 9);
    expect(member.effective_reputation).toBeCloseTo(member.ledger_reputation - 0.5, 9);
    expect(member.overall).toBe(Math.min(member.aggregate_overall, member.effective_reputation));
    for (const provider of honestProviders) {
      const view = agora.reputation(provider.accountId);
      expect(view.trust_penalty).toBe(0);
      expect(view.effective_reputation).toBe(view.ledger_reputation);
    }
  });

  it("find ranks the ring member below a newcomer it would beat without the penalty", () => {
    const query = { model_patterns: ["qwen2.5-*"] };
    const ranked = agora.find(query).map((match) => match.node);
    expect(ranked).toEqual([newcomer.accountId, ring[0]!.accountId]);
    // The same candidates with reputation capped by the ledger's score alone (no penalty) rank the other way.
    const unpenalised = matchCapabilities(
      agora.find(query).map((match) => ({
        node: match.node,
        agent_id: match.agent_id,
        source: match.source,
        models: [{ model_id: match.matched_model, price_trm_per_token: 1, tier: match.tier }],
        capabilities: [],
        endpoints: [],
      })),
      query,
      (node) => {
        const view = agora.reputation(node);
        return Math.min(view.aggregate_overall, view.ledger_reputation);
      },
    ).map((match) => match.node);
    expect(unpenalised).toEqual([ring[0]!.accountId, newcomer.accountId]);
  });

  it("a node's own purchases are no evidence against its provider; another node's view counts them", async () => {
    expect(agora.collusion(loyalProvider.accountId)).toMatchObject({ trades_in_window: 0, trust_penalty: 0 });
    const otherSeed = generateSeed();
    const otherHost = await createMeshHost({ seed: otherSeed });
    try {
      const other = createAgora({
        host: otherHost,
        signer: createSigner(otherSeed),
        ledger,
        clock: { nowMs: () => NOW_MS },
      });
      expect(other.collusion(loyalProvider.accountId)).toMatchObject({
        trades_in_window: 12,
        tight_cluster_score: 1,
      });
      expect(other.trustPenalty(loyalProvider.accountId)).toBeCloseTo(0.5, 9);
    } finally {
      await otherHost.stop();
    }
  });

  it("routing with the agora's penalty puts the ring member below the newcomer", () => {
    const candidates = [offerOf(ring[0]!, 1), offerOf(newcomer, 1)].map((offer) => ({
      offer,
      model: offer.models[0]!,
    }));
    const context = {
      reputation: (account: string) => ledger.reputation.mergedReputation(account as never),
      latencyMs: () => undefined,
    };
    const plain = rankProviders(candidates, "quality", context).map((c) => c.provider);
    const penalised = rankProviders(candidates, "quality", {
      ...context,
      penalty: (account) => agora.trustPenalty(account),
    }).map((c) => c.provider);
    expect(plain).toEqual([ring[0]!.accountId, newcomer.accountId]);
    expect(penalised).toEqual([newcomer.accountId, ring[0]!.accountId]);
  });
});
