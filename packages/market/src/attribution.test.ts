/**
 * Proves that only a provider's own faults count against it at a consumer: with two real providers
 * (stories260K) and a consumer on 127.0.0.1, a burst of requests the wire refuses (a lone surrogate in a
 * turn, a stop string or a prompt; a token cap or temperature out of the wire's range) fails each with
 * `INVALID_REQUEST` (fault `request`) before any hold is taken or any peer contacted, and leaves every
 * reputation and the ranking exactly as they were; a provider that cannot be reached fails with fault
 * `network` and loses nothing either.
 */
import { type AccountId } from "@tirami/core";
import { createEngine, type Engine } from "@tirami/infer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { MarketError } from "./errors.js";
import type { BuyRequest } from "./router.js";
import { type LedgerNode, startLedgerNode } from "./testing.js";

const nodes: LedgerNode[] = [];
let engine: Engine;
let first: LedgerNode, second: LedgerNode, consumer: LedgerNode;
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
  first = await startLedgerNode({ engine, buys: false });
  second = await startLedgerNode({ engine, buys: false, priceTrmPerToken: 2, bootstrap: [first.addr()] });
  consumer = await startLedgerNode({ bootstrap: [first.addr(), second.addr()] });
  nodes.push(first, second, consumer);
  await waitFor("both providers at the consumer", () => consumer.mesh.route(model, "quality").length === 2, {
    timeoutMs: 15_000,
  });
}, 60_000);

afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop();
  await engine?.close();
});

/** What the consumer's routing knows of each provider. */
function standing() {
  return {
    ranking: consumer.mesh.route(model, "quality").map((c) => [c.provider, c.reputation]),
    local: [first, second].map((p) => consumer.ledger.reputation.get(p.signer.accountId as AccountId).score),
  };
}

async function failure(request: Partial<BuyRequest>): Promise<MarketError> {
  const error = await consumer.mesh
    .buy({
      spender: "operator",
      modelId: model,
      input: { prompt: "Once upon a time" },
      sampling: { maxTokens: 4, temperature: 0 },
      preference: "quality",
      requestId: `attribution-${Math.random().toString(36).slice(2)}`,
      ...request,
    })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  if (!(error instanceof MarketError)) throw new Error(`expected a MarketError, got ${String(error)}`);
  return error;
}

describe("failure attribution", () => {
  it("a burst of requests the wire refuses leaves reputation and ranking unchanged", async () => {
    const before = standing();
    const served = [first, second].map((p) => p.mesh.served().requests);
    const invalid: Array<Partial<BuyRequest>> = [
      { input: { messages: [{ role: "user", content: "a\ud800b" }] } },
      { input: { prompt: "a\ud800b" } },
      { sampling: { maxTokens: 4, stop: ["ok", "\udc00"] } },
      { sampling: { maxTokens: 40_000 } },
      { sampling: { maxTokens: 4, temperature: 5 } },
    ];
    for (let round = 0; round < 4; round++) {
      for (const request of invalid) {
        const error = await failure(request);
        expect([error.code, error.details?.fault]).toEqual(["INVALID_REQUEST", "request"]);
      }
    }
    expect(standing()).toEqual(before);
    expect([first, second].map((p) => p.mesh.served().requests)).toEqual(served);
    expect(consumer.ledger.balance(consumer.signer.accountId).reserved_trm).toBe(0);
    expect(consumer.ledger.tradeCount()).toBe(0);
  });

  it("a provider that cannot be reached fails with fault network and keeps its reputation", async () => {
    const before = standing();
    await second.stopMesh();
    const error = await failure({ provider: second.signer.accountId });
    expect([error.code, error.details?.fault]).toEqual(["PROVIDER_FAILED", "network"]);
    expect(standing().local).toEqual(before.local);
  });
});
