/**
 * Proves the late settlement of a purchase whose consumer died between the provider's proposal and its
 * answer, with real parts (a provider serving stories260K, libp2p on 127.0.0.1, ledger files): a host
 * with the consumer's key takes a proposal and vanishes, so the provider refuses that account
 * (UNSETTLED_TRADE); the consumer's node then starts with that request among the purchases that died with
 * its previous process, and on connecting it is offered the proposal again, signs it, and the same
 * dual-signed trade lands on both ledgers — the provider is paid, forgets the debt, and serves the consumer
 * again. A consumer whose died purchase reserved less than the proposed amount refuses, and stays refused.
 */
import { type AccountId, generateSeed } from "@tirami/core";
import { createEngine, type Engine } from "@tirami/infer";
import { createMeshHost } from "@tirami/net";
import {
  computeTradeId,
  decodeMessage,
  encodeMessage,
  INFER_PROTOCOL_ID,
  type TradeProposal,
} from "@tirami/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { type LedgerNode, startLedgerNode } from "./testing.js";

const nodes: LedgerNode[] = [];
const events: string[] = [];
let engine: Engine;
let provider: LedgerNode;
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
  provider = await startLedgerNode({
    engine,
    buys: false,
    market: { log: (_level, message) => events.push(message) },
  });
  nodes.push(provider);
}, 60_000);

afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop();
  await engine?.close();
});

/** A host with `seed` buys `requestId`, takes the proposal and vanishes without answering. */
async function dieAfterProposal(seed: Uint8Array, requestId: string): Promise<TradeProposal> {
  const host = await createMeshHost({ seed });
  await host.start();
  try {
    const stream = await host.request(provider.addr(), INFER_PROTOCOL_ID);
    await stream.send(
      encodeMessage({
        kind: "infer_request",
        request_id: requestId,
        consumer: host.account,
        model_id: model,
        prompt: "Once upon a time",
        max_tokens: 16,
        temperature: 0,
        top_p: 1,
        top_k: 0,
        seed: 1,
        stop: [],
        price_trm_per_token: 1,
        timestamp_ms: Date.now(),
      }),
    );
    let proposal: TradeProposal | undefined;
    for await (const frame of stream) {
      const message = decodeMessage(frame);
      if (message.kind === "trade_proposal") {
        proposal = message;
        break;
      }
    }
    stream.abort();
    if (proposal === undefined) throw new Error("no proposal");
    const consumer = host.account;
    await waitFor("the provider to hold the consumer unsettled", () =>
      provider.mesh.unsettled().some((entry) => entry.consumer === consumer),
    );
    return proposal;
  } finally {
    await host.stop();
  }
}

describe("late settlement of a purchase that died with its consumer", () => {
  it("the restarted consumer pays the proposal of its died purchase and is served again", async () => {
    const seed = generateSeed();
    const proposal = await dieAfterProposal(seed, "died-1");
    const amount = proposal.trade.amount_trm;
    const consumer = await startLedgerNode({
      seed,
      bootstrap: [provider.addr()],
      market: { diedPurchases: [{ requestId: "died-1", heldTrm: 16 }] },
    });
    nodes.push(consumer);
    const account = consumer.signer.accountId as AccountId;
    const tradeId = computeTradeId(proposal.trade);
    await waitFor("the trade on both ledgers", () =>
      [provider, consumer].every((node) => node.ledger.getTrade(tradeId) !== undefined),
    );
    expect(provider.mesh.unsettled().some((entry) => entry.consumer === account)).toBe(false);
    for (const node of [provider, consumer]) {
      expect(node.ledger.balance(account).balance_trm).toBe(1_000 - amount);
      expect(node.ledger.verify().ok).toBe(true);
    }
    await waitFor(
      "the provider's offer at the consumer",
      () => consumer.mesh.route(model, "balanced").length > 0,
    );
    const again = await consumer.mesh.buy({
      spender: "operator",
      modelId: model,
      input: { prompt: "Once upon a time" },
      sampling: { maxTokens: 4, temperature: 0 },
      preference: "balanced",
      requestId: "after-1",
    });
    expect(again.tradeId).not.toBeNull();
  });

  it("a consumer whose died purchase reserved less than the proposal refuses it and stays refused", async () => {
    const seed = generateSeed();
    const proposal = await dieAfterProposal(seed, "died-2");
    const refusals = events.filter((event) => event === "late settlement refused").length;
    const consumer = await startLedgerNode({
      seed,
      bootstrap: [provider.addr()],
      market: { diedPurchases: [{ requestId: "died-2", heldTrm: proposal.trade.amount_trm - 1 }] },
    });
    nodes.push(consumer);
    await waitFor(
      "the provider to hear the refusal",
      () => events.filter((event) => event === "late settlement refused").length > refusals,
    );
    expect(provider.mesh.unsettled().some((entry) => entry.consumer === consumer.signer.accountId)).toBe(
      true,
    );
    for (const node of [provider, consumer])
      expect(node.ledger.getTrade(computeTradeId(proposal.trade))).toBeUndefined();
  });
});
