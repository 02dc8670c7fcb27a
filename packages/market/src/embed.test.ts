/**
 * Proves buying embeddings over the mesh with real parts: a ledger-backed provider serving the real
 * stories260K model and a consumer without one, on 127.0.0.1. The consumer gets exactly the provider's
 * own vectors (in input order), paid by a dual-signed trade priced per input token — `prompt_tokens` the
 * provider evaluated, `completion_tokens` 0, `amount_trm = ceil(prompt_tokens × price)` — that lands on
 * both ledgers with passing `verify()`. A provider that would count more input tokens than the consumer
 * pays for refuses before anything moves; and the consumer's session refuses a provider that breaks the
 * exchange (a vector missing, widths that differ).
 */
import { costTrm } from "@tirami/core";
import { createEngine, type Engine } from "@tirami/infer";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbedSession } from "./embed-session.js";
import { type LedgerNode, startLedgerNode, tradeView } from "./testing.js";

let engine: Engine;
let provider: LedgerNode;
let consumer: LedgerNode;
let model: string;
const PRICE = 0.25;

beforeAll(async () => {
  engine = await createEngine({
    modelPath: testModelPath(),
    threads: 1,
    contextSize: 512,
    chatWrapper: "general",
  });
  model = engine.manifest.id;
  provider = await startLedgerNode({ engine, priceTrmPerToken: PRICE });
  consumer = await startLedgerNode({ bootstrap: [provider.addr()] });
  await waitFor(
    "the provider's offer at the consumer",
    () => consumer.mesh.route(model, "balanced").length > 0,
    {
      timeoutMs: 15_000,
    },
  );
}, 60_000);

afterAll(async () => {
  await consumer?.stop();
  await provider?.stop();
  await engine?.close();
});

describe("embeddings over the mesh", () => {
  it("delivers the provider's vectors, paid per input token by a dual-signed trade", async () => {
    const inputs = Array.from({ length: 11 }, (_, index) => `Once upon a time, number ${index}`);
    const local = await engine.embed(inputs);
    const before = consumer.ledger.balance(consumer.signer.accountId).balance_trm;
    const result = await consumer.mesh.buyEmbeddings({
      spender: "operator",
      modelId: model,
      inputs,
      maxInputTokens: 1_000,
      requestId: "embed-1",
      preference: "balanced",
    });
    expect(result.vectors).toHaveLength(11); // two frames: 8 + 3
    expect(result.vectors).toEqual(
      local.vectors.map((vector) => vector.map((value) => (value === 0 ? 0 : value))),
    );
    expect(result.promptTokens).toBe(local.prompt_tokens);
    expect(result.dimensions).toBe(64);
    expect(result.amountTrm).toBe(costTrm(local.prompt_tokens, PRICE));
    const tradeId = result.tradeId as string;
    await waitFor("the trade at the provider", () => provider.ledger.getTrade(tradeId) !== undefined);
    const view = tradeView(consumer.ledger, tradeId);
    expect(view?.trade).toMatchObject({
      prompt_tokens: local.prompt_tokens,
      completion_tokens: 0,
      amount_trm: costTrm(local.prompt_tokens, PRICE),
      price_trm_per_token: PRICE,
      request_id: "embed-1",
    });
    expect(tradeView(provider.ledger, tradeId)).toEqual(view);
    expect(consumer.ledger.balance(consumer.signer.accountId).balance_trm).toBe(before - result.amountTrm);
    expect(consumer.ledger.verify().ok).toBe(true);
    expect(provider.ledger.verify().ok).toBe(true);
  });

  it("is refused, with nothing moved, when the inputs exceed the tokens the consumer pays for", async () => {
    const before = consumer.ledger.balance(consumer.signer.accountId);
    await expect(
      consumer.mesh.buyEmbeddings({
        spender: "operator",
        modelId: model,
        inputs: ["a sentence of several tokens, more than two"],
        maxInputTokens: 2,
        requestId: "embed-2",
        preference: "balanced",
      }),
    ).rejects.toMatchObject({ code: "PROVIDER_INVALID_REQUEST" });
    const after = consumer.ledger.balance(consumer.signer.accountId);
    expect(after.balance_trm).toBe(before.balance_trm);
    expect(after.reserved_trm).toBe(before.reserved_trm);
  });

  it("refuses an exchange that misses a vector or mixes widths", () => {
    const missing = new EmbedSession("r", 2);
    missing.accept({ kind: "embed_vectors", request_id: "r", index: 0, vectors: [[1, 0]] });
    expect(() =>
      missing.accept({ kind: "embed_end", request_id: "r", prompt_tokens: 3, dimensions: 2 }),
    ).toThrow(/1 vectors for 2 inputs/);
    const mixed = new EmbedSession("r", 2);
    expect(() =>
      mixed.accept({ kind: "embed_vectors", request_id: "r", index: 0, vectors: [[1, 0], [1]] }),
    ).toThrow(/different widths/);
    const gap = new EmbedSession("r", 3);
    expect(() => gap.accept({ kind: "embed_vectors", request_id: "r", index: 1, vectors: [[1]] })).toThrow(
      /expected 0/,
    );
  });
});
