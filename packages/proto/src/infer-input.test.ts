/**
 * Proves that `checkInferInput` — the rule an HTTP boundary applies before anything is sent — agrees with
 * the wire: fast-check inputs (any UTF-16 including lone surrogates, empty and oversized text, numbers in
 * and out of range) pass it exactly when the `infer_request` built from them, with the sender's fields at
 * their largest, encodes and decodes back to the same message; and that each refusal names the field.
 */
import type { AccountId } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtoError } from "./errors.js";
import { checkInferInput, type InferInput } from "./infer-input.js";
import { decodeMessage, encodeMessage } from "./message.js";
import { INFER_MESSAGES_MAX, INFER_CONTENT_BYTES_MAX, INFER_STOP_MAX } from "./constants.js";

const SENDER = {
  kind: "infer_request" as const,
  request_id: "r".repeat(128),
  consumer: "ab".repeat(32) as AccountId,
  model_id: "m".repeat(128),
  price_trm_per_token: 1.5,
  timestamp_ms: Number.MAX_SAFE_INTEGER,
};

/** The frame a sender builds from `input` (its defaults for absent sampling fields). */
function frameOf(input: InferInput): Uint8Array {
  return encodeMessage({
    ...SENDER,
    ...(input.messages === undefined ? {} : { messages: input.messages }),
    ...(input.prompt === undefined ? {} : { prompt: input.prompt }),
    max_tokens: input.max_tokens,
    temperature: input.temperature ?? 0.7,
    top_p: input.top_p ?? 1,
    top_k: input.top_k ?? 0,
    seed: input.seed ?? 7,
    stop: input.stop ?? [],
  });
}

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("a\ud800b", "\udc00", "x\ud83d", "ok \u{1f600}", ""),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const inputArb: fc.Arbitrary<InferInput> = fc.record({
  messages: maybe(
    fc.array(fc.record({ role: fc.constantFrom("system", "user", "assistant" as const), content: text }), {
      maxLength: 3,
    }),
  ),
  prompt: maybe(text),
  max_tokens: fc.oneof(fc.integer({ min: -1, max: 40_000 }), fc.constant(1.5)),
  temperature: maybe(fc.double({ min: -1, max: 3, noNaN: true })),
  top_p: maybe(fc.double({ min: -0.5, max: 1.5, noNaN: true })),
  top_k: maybe(fc.integer({ min: -1, max: 1_200 })),
  seed: maybe(fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constant(2 ** 32))),
  stop: maybe(fc.array(text, { maxLength: 3 })),
}) as fc.Arbitrary<InferInput>;

function passes(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    return false;
  }
}

describe("checkInferInput agrees with the wire", () => {
  it("passes exactly the inputs whose infer_request encodes, and those decode back unchanged", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const checked = passes(() => checkInferInput(input));
        const encoded = passes(() => frameOf(input));
        expect(checked).toBe(encoded);
        if (encoded)
          expect(decodeMessage(frameOf(input))).toEqual(decodeMessage(frameOf(checkInferInput(input))));
      }),
      { numRuns: 2_000 },
    );
  });

  it("names the field of a lone surrogate in a message, a stop string or a prompt", () => {
    const field = (input: InferInput) => {
      try {
        checkInferInput(input);
      } catch (error) {
        return (error as ProtoError).details?.field;
      }
      return undefined;
    };
    const ok = { role: "user" as const, content: "hi" };
    expect(field({ messages: [ok, { role: "user", content: "a\ud800b" }], max_tokens: 4 })).toBe(
      "messages[1].content",
    );
    expect(field({ prompt: "hi", stop: ["ok", "\udc00"], max_tokens: 4 })).toBe("stop[1]");
    expect(field({ prompt: "a\ud800b", max_tokens: 4 })).toBe("prompt");
    expect(field({ prompt: "hi", max_tokens: 4 })).toBeUndefined();
  });

  it("refuses a request whose frame would pass the frame limit, though each field is in bounds", () => {
    const big = "x".repeat(INFER_CONTENT_BYTES_MAX);
    const messages = Array.from({ length: 4 }, () => ({ role: "user" as const, content: big }));
    expect(() => checkInferInput({ messages, max_tokens: 4 })).toThrow(/exceeds the limit/);
    expect(() => frameOf({ messages, max_tokens: 4 })).toThrow(/exceeds the limit/);
    expect(
      checkInferInput({
        messages: messages.slice(0, 3),
        max_tokens: 4,
        stop: Array(INFER_STOP_MAX).fill("s"),
      }),
    ).toBeDefined();
    expect(INFER_MESSAGES_MAX).toBeGreaterThan(4);
  });
});
