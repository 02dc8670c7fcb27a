/**
 * Proves that the OpenAI routes and the wire can never disagree: fast-check fuzzes `POST
 * /v1/chat/completions` and `POST /v1/completions` at a consumer node without a model — bodies built
 * from any UTF-16 text (lone surrogates included) in messages, content parts, prompts and stop strings,
 * with sampling values in and out of range — which buys from a real provider node (stories260K) over
 * libp2p on 127.0.0.1. Every body is either refused with 400 `invalid_request_error` before any peer is
 * contacted (the provider sees no request) or served (the provider served exactly one more request, and
 * its decoder accepted it). No body ever gives a 5xx, and the provider's reputation at the consumer does
 * not move down.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
let provider: TestNode, consumer: TestNode;
let consumerUrl: string;

const meshOf = (t: TestNode) => {
  if (t.node.mesh === undefined) throw new Error("mesh not running");
  return t.node.mesh;
};

beforeAll(async () => {
  provider = await createTestNode({ model: true, flags: { p2p_port: 0, offer_interval_ms: 1_000 } });
  await provider.node.start();
  consumer = await createTestNode({
    flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [meshOf(provider).host.multiaddrs()[0]] },
  });
  consumerUrl = (await consumer.node.start()).url;
  await waitFor(
    "the provider's offer at the consumer",
    () => meshOf(consumer).route(MODEL, "balanced").length > 0,
    {
      timeoutMs: 15_000,
    },
  );
}, 60_000);

afterAll(async () => {
  await consumer?.close();
  await provider?.close();
});

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("a\ud800b", "\udc00", "x\ud83d", "ok \u{1f600}", "", " ") },
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const sampling = fc.record(
  {
    max_tokens: fc.integer({ min: 0, max: 3 }),
    temperature: maybe(fc.double({ min: -0.5, max: 2.5, noNaN: true })),
    top_p: maybe(fc.double({ min: -0.2, max: 1.2, noNaN: true })),
    top_k: maybe(fc.integer({ min: -1, max: 1_001 })),
    seed: maybe(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    stop: maybe(fc.oneof(text, fc.array(text, { maxLength: 5 }))),
  },
  { requiredKeys: ["max_tokens"] },
);
const content = fc.oneof(
  text,
  fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 3 }),
  fc.constant(null),
);
const chatBody = fc.record({
  path: fc.constant("/v1/chat/completions"),
  body: fc
    .tuple(
      fc.array(fc.record({ role: fc.constantFrom("system", "developer", "user", "assistant"), content }), {
        minLength: 1,
        maxLength: 3,
      }),
      sampling,
    )
    .map(([messages, rest]) => ({ model: MODEL, messages, ...rest })),
});
const completionBody = fc.record({
  path: fc.constant("/v1/completions"),
  body: fc
    .tuple(fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 1 })), sampling)
    .map(([prompt, rest]) => ({ model: MODEL, prompt, ...rest })),
});

describe("the OpenAI routes against the wire's rules", () => {
  it("refuses with 400 before any peer is contacted, or serves what the provider decodes; never 5xx", async () => {
    const providerAccount = provider.node.account;
    const reputationBefore = meshOf(consumer).route(MODEL, "balanced")[0]?.reputation ?? 0;
    let refused = 0;
    let served = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(chatBody, completionBody), async ({ path, body }) => {
        const before = meshOf(provider).served();
        const response = await fetch(`${consumerUrl}${path}`, {
          method: "POST",
          headers: { ...consumer.auth(), "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const answer = (await response.json()) as { error?: { type: string; message: string } };
        const after = meshOf(provider).served();
        if (response.status === 400) {
          refused += 1;
          expect(answer.error?.type).toBe("invalid_request_error");
          expect(after.requests).toBe(before.requests); // no peer was contacted
        } else {
          served += 1;
          expect([response.status, answer.error?.message]).toEqual([200, undefined]);
          expect(after.requests).toBe(before.requests + 1);
          expect(after.refused).toBe(before.refused);
          expect(after.failed).toBe(before.failed);
        }
      }),
      { numRuns: 80 },
    );
    expect(refused).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(0);
    const entry = meshOf(consumer)
      .route(MODEL, "balanced")
      .find((c) => c.provider === providerAccount);
    expect(entry?.reputation).toBeGreaterThanOrEqual(reputationBefore);
  }, 120_000);

  it("answers a lone surrogate in a message, a stop string or a prompt with 400 naming the field", async () => {
    const cases: Array<[string, object, string]> = [
      ["/v1/chat/completions", { messages: [{ role: "user", content: "a\ud800b" }] }, "messages.0.content"],
      ["/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], stop: ["\udc00"] }, "stop.0"],
      ["/v1/completions", { prompt: "a\ud800b" }, "prompt"],
    ];
    const requestsBefore = meshOf(provider).served().requests;
    for (const [path, body, param] of cases) {
      const response = await fetch(`${consumerUrl}${path}`, {
        method: "POST",
        headers: { ...consumer.auth(), "content-type": "application/json" },
        body: JSON.stringify({ model: MODEL, max_tokens: 2, ...body }),
      });
      const answer = (await response.json()) as { error: { type: string; param: string; code: string } };
      expect([response.status, answer.error.type, answer.error.param]).toEqual([
        400,
        "invalid_request_error",
        param,
      ]);
    }
    expect(meshOf(provider).served().requests).toBe(requestsBefore);
  });
});
