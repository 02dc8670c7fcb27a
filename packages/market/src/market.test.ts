/**
 * Proves the market as a library, without `apps/node`: three ledger-backed market nodes on 127.0.0.1 —
 * one provider serving the real stories260K model through `@tirami/infer`, two consumers without a model
 * buying through the ledger's spend path. A streamed purchase delivers the text piece by piece; the same
 * dual-signed trade lands on all three ledgers with equal Merkle roots and passing `verify()`. The
 * provider's live price (the ledger's pricing, moved by demand) is the price quoted and paid; a purchase
 * counts once in the demand fed to pricing; and the ledger's reputation changes the ranking order.
 */
import { type AccountId, costTrm } from "@tirami/core";
import { createEngine, type Engine } from "@tirami/infer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MarketDemand } from "./views.js";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { type LedgerNode, startLedgerNode, tradeView } from "./testing.js";

const nodes: LedgerNode[] = [];
let engine: Engine;
let provider: LedgerNode, alice: LedgerNode, bob: LedgerNode;
let model: string;

beforeAll(async () => {
  engine = await createEngine({
    modelPath: testModelPath(),
    threads: 1,
    contextSize: 512,
    parallelism: 2,
    chatWrapper: "general",
  });
  model = engine.manifest.id;
  provider = await startLedgerNode({ engine, priceTrmPerToken: "live" });
  nodes.push(provider);
  const boot = [provider.addr()];
  alice = await startLedgerNode({ bootstrap: boot });
  bob = await startLedgerNode({ bootstrap: boot });
  nodes.push(alice, bob);
  await waitFor(
    "the provider's offer at both consumers",
    () => alice.mesh.route(model, "balanced").length > 0 && bob.mesh.route(model, "balanced").length > 0,
    { timeoutMs: 15_000 },
  );
  await new Promise((r) => setTimeout(r, 1_100)); // one gossipsub heartbeat for the trade topic mesh
}, 60_000);

afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop();
  await engine?.close();
});

describe("a market without the node daemon", () => {
  it("streams a purchase; the same dual-signed trade is on all three ledgers with equal roots", async () => {
    const pieces: string[] = [];
    const result = await alice.mesh.buy({
      spender: "operator",
      modelId: model,
      input: { prompt: "Once upon a time" },
      sampling: { maxTokens: 24, temperature: 0 },
      preference: "balanced",
      requestId: "market-stream-1",
      onText: (text) => pieces.push(text),
    });
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(result.text);
    expect(result.provider).toBe(provider.signer.accountId);
    expect(result.amountTrm).toBe(costTrm(result.completionTokens, result.priceTrmPerToken));
    const tradeId = result.tradeId as string;
    for (const node of [provider, bob])
      await waitFor("the trade everywhere", () => node.ledger.getTrade(tradeId) !== undefined);
    const view = tradeView(alice.ledger, tradeId);
    expect(view?.trade.request_id).toBe("market-stream-1");
    for (const node of [provider, bob]) expect(tradeView(node.ledger, tradeId)).toEqual(view);
    await waitFor(
      "equal roots on all three ledgers",
      () => new Set(nodes.map((node) => node.ledger.merkleRoot())).size === 1,
    );
    for (const node of nodes) {
      expect(node.ledger.balance(alice.signer.accountId).balance_trm).toBe(1_000 - result.amountTrm);
      expect(node.ledger.balance(provider.signer.accountId).balance_trm).toBe(1_000 + result.amountTrm);
      expect(node.ledger.verify().ok).toBe(true);
    }
  });

  it("buys at the provider's live price, moved by demand, and pays exactly that price", async () => {
    const before = provider.ledger.pricing.quote().price_trm_per_token;
    for (let i = 0; i < 20; i++)
      provider.ledger.pricing.observe({
        providersSeen: 1,
        requestsInFlight: 50,
        nowMs: Date.now() + i * 1_000,
      });
    const live = provider.ledger.pricing.quote().price_trm_per_token;
    expect(live).not.toBe(before);
    await provider.mesh.publishOffer();
    await waitFor(
      "the new price in bob's offer book",
      () => bob.mesh.route(model, "cost")[0]?.price_trm_per_token === live,
    );
    const result = await bob.mesh.buy({
      spender: "operator",
      modelId: model,
      input: { messages: [{ role: "user", content: "Tell me a story" }] },
      sampling: { maxTokens: 16, temperature: 0 },
      preference: "cost",
      requestId: "market-live-price",
    });
    expect(result.priceTrmPerToken).toBe(live);
    const stored = bob.ledger.getTrade(result.tradeId as string);
    expect(stored?.trade.price_trm_per_token).toBe(live);
    expect(stored?.trade.amount_trm).toBe(costTrm(result.completionTokens, live));
  });

  it("counts a purchase once in the demand fed to pricing, at each side", async () => {
    const seen: Array<{ consumer: MarketDemand; provider: MarketDemand }> = [];
    await alice.mesh.buy({
      spender: "operator",
      modelId: model,
      input: { prompt: "The cat" },
      sampling: { maxTokens: 12, temperature: 0 },
      preference: "balanced",
      requestId: "market-demand",
      onText: () => seen.push({ consumer: alice.mesh.demand(), provider: provider.mesh.demand() }),
    });
    expect(seen.length).toBeGreaterThan(0);
    for (const sample of seen) {
      expect(sample.consumer).toEqual({ serving: 0, buying: 1, local: 0 });
      expect(sample.provider).toEqual({ serving: 1, buying: 0, local: 0 });
    }
    expect(alice.mesh.demand()).toEqual({ serving: 0, buying: 0, local: 0 });
  });

  it("ranks by reputation: failures recorded against the best provider move it down", async () => {
    const second = await startLedgerNode({ engine, bootstrap: [provider.addr()], buys: false });
    nodes.push(second);
    await waitFor("both providers at alice", () => alice.mesh.route(model, "quality").length === 2);
    const [first] = alice.mesh.route(model, "quality");
    const top = first?.provider as AccountId;
    for (let i = 0; i < 10; i++) alice.ledger.reputation.recordFailure(top, "trade_failed");
    const after = alice.mesh.route(model, "quality");
    expect(after[0]?.provider).not.toBe(top);
    expect(after.find((c) => c.provider === top)?.reputation).toBeLessThan(first?.reputation as number);
  });
});
