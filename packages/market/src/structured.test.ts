/**
 * Proves structured output across a real mesh: a consumer buying a json_schema answer from an honest
 * provider (real stories260K, the format enforced by its grammar) receives JSON that validates and pays
 * for it; buying from a provider whose engine ignores the format (a real engine behind a defective
 * wrapper) ends in `trade_reject` INVALID_OUTPUT — nothing is signed and no TRM moves. The pure answer
 * check refuses text that does not parse or validate, and an early `length`.
 */
import { validateJson } from "@tirami/core";
import { createEngine, type Engine, type OutputFormat } from "@tirami/infer";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswerFormat } from "./check-answer.js";
import type { MarketEngine } from "./engine.js";
import { type LedgerNode, startLedgerNode } from "./testing.js";

const schema = {
  type: "object",
  properties: { name: { type: "string", maxLength: 12 }, age: { type: "integer" } },
  required: ["name", "age"],
  additionalProperties: false,
};
const format: OutputFormat = { type: "json_schema", schema };

const nodes: LedgerNode[] = [];
let engine: Engine;
let honest: LedgerNode, careless: LedgerNode, consumer: LedgerNode;
let model: string;

beforeAll(async () => {
  engine = await createEngine({
    modelPath: testModelPath(),
    threads: 1,
    contextSize: 512,
    chatWrapper: "general",
  });
  model = engine.manifest.id;
  const ignoresFormat: MarketEngine = {
    manifest: engine.manifest,
    stats: () => engine.stats(),
    chat: (messages, options) => engine.chat(messages, { ...options, format: undefined }),
    generate: (prompt, options) => engine.generate(prompt, { ...options, format: undefined }),
    embed: (inputs, options) => engine.embed(inputs, options),
  };
  honest = await startLedgerNode({ engine });
  careless = await startLedgerNode({ engine: ignoresFormat, bootstrap: [honest.addr()] });
  consumer = await startLedgerNode({ bootstrap: [honest.addr(), careless.addr()] });
  nodes.push(honest, careless, consumer);
  await waitFor("both offers at the consumer", () => consumer.mesh.route(model, "balanced").length === 2, {
    timeoutMs: 15_000,
  });
}, 60_000);

afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop();
  await engine?.close();
});

const buy = (provider: LedgerNode, requestId: string) =>
  consumer.mesh.buy({
    spender: "operator",
    modelId: model,
    input: { messages: [{ role: "user", content: "Who is Lily?" }] },
    sampling: { maxTokens: 120, temperature: 0, format },
    preference: "balanced",
    provider: provider.signer.accountId,
    requestId,
  });

describe("structured output bought from the mesh", () => {
  it("an honest provider's answer validates and is paid for", async () => {
    const result = await buy(honest, "structured-honest");
    expect(result.finishReason).toBe("stop");
    expect(validateJson(JSON.parse(result.text), schema)).toBeNull();
    expect(result.tradeId).not.toBeNull();
    expect(consumer.ledger.balance(consumer.signer.accountId).balance_trm).toBe(1_000 - result.amountTrm);
  });

  it("an answer that ignores the format is refused before signing", async () => {
    const before = consumer.ledger.balance(consumer.signer.accountId).balance_trm;
    await expect(buy(careless, "structured-careless")).rejects.toMatchObject({
      code: "TRADE_REJECTED",
      details: { reason: "INVALID_OUTPUT" },
    });
    expect(consumer.ledger.balance(consumer.signer.accountId).balance_trm).toBe(before);
  });
});

describe("checkAnswerFormat", () => {
  const answer = { finishReason: "stop" as const, completionTokens: 10, maxTokens: 50 };
  it("accepts conforming JSON and a full-length cut", () => {
    expect(checkAnswerFormat(format, { ...answer, text: '{"name":"Lily","age":3}' })).toBeNull();
    expect(checkAnswerFormat({ type: "json_object" }, { ...answer, text: '{"a":[1]}' })).toBeNull();
    const cut = { text: '{"name":"Li', finishReason: "length" as const, completionTokens: 50, maxTokens: 50 };
    expect(checkAnswerFormat(format, cut)).toBeNull();
  });
  it.each([
    ['{"name":"Lily"}', "misses required property"],
    ["Once upon a time", "not JSON"],
    ['{"name":"Lily","age":3.5}', "must be of type integer"],
  ])("refuses %s", (text, why) => {
    expect(checkAnswerFormat(format, { ...answer, text })).toContain(why);
  });
  it.each([
    ['{"a": [1, "x\\u00e', true],
    ['  {"a": tr', true],
    ['{"a": -1.5e', true],
    ['{"a" 1', false],
    ['{"a": [1}', false],
    ['{"a": tru}', false],
    ['{"a": "x"}}', false],
    ["Once", false],
  ])("reads %s as a JSON prefix: %s", (text, ok) => {
    const cut = { text, finishReason: "length" as const, completionTokens: 50, maxTokens: 50 };
    expect(checkAnswerFormat({ type: "json_object" }, cut) === null).toBe(ok);
  });
  it("refuses an early length and a non-object json_object", () => {
    expect(checkAnswerFormat(format, { ...answer, text: "{", finishReason: "length" })).toContain("10 of 50");
    expect(checkAnswerFormat({ type: "json_object" }, { ...answer, text: "[1]" })).toContain(
      "not a JSON object",
    );
  });
});
