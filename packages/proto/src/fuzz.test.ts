/**
 * Proves with fast-check that decodeMessage and parseMessage throw nothing but ProtoError whatever they are
 * given (random bytes, random canonical values under real domains, mutated valid frames, arbitrary JS
 * values); that any frame the decoder accepts re-encodes to exactly the same bytes (one message, one
 * encoding); that random valid messages round-trip byte-identically; and that different messages never
 * share bytes.
 */
import { isDeepStrictEqual } from "node:util";
import {
  canonicalFloat,
  type CanonicalValue,
  encodeCanonical,
  TEXT_ID_CHAR_CODE_MAX,
  TEXT_ID_CHAR_CODE_MIN,
  toHex,
} from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messageArbitrary } from "../test/arbitraries.js";
import { ProtoError } from "./errors.js";
import { decodeMessage, encodeMessage, MESSAGE_KINDS, messageDomain, parseMessage } from "./message.js";

const RUNS = 1_500;

/** Runs `decodeMessage`; returns the message, or null after checking the error is a ProtoError. */
function tryDecode(bytes: Uint8Array): unknown {
  try {
    const message = decodeMessage(bytes);
    // Accepted frames are canonical: re-encoding gives back exactly the input.
    expect(toHex(encodeMessage(message))).toBe(toHex(bytes));
    return message;
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    expect(["INVALID_MESSAGE", "MESSAGE_TOO_LARGE", "UNKNOWN_MESSAGE"]).toContain(error.code);
    return null;
  }
}

const domainArb = fc.constantFrom(...MESSAGE_KINDS.map(messageDomain));

const leaf: fc.Arbitrary<CanonicalValue> = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 70 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({
    unit: fc
      .integer({ min: TEXT_ID_CHAR_CODE_MIN, max: TEXT_ID_CHAR_CODE_MAX })
      .map((c) => String.fromCharCode(c)),
    maxLength: 20,
  }),
  fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  fc.boolean(),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 })
    .filter((x) => !Object.is(x, -0))
    .map(canonicalFloat),
);
const { value: canonicalArb } = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 12 })),
}));

type Mutation = {
  at: number;
  op: "flip" | "insert" | "delete" | "truncate" | "u32";
  byte: number;
  word: number;
};
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("flip", "insert", "delete", "truncate", "u32"),
  byte: fc.integer({ min: 0, max: 255 }),
  word: fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff), fc.nat()),
});

function mutate(frame: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(frame);
  for (const { at, op, byte, word } of mutations) {
    const index = bytes.length === 0 ? 0 : at % bytes.length;
    if (op === "flip" && bytes.length > 0) bytes[index] = (bytes[index] as number) ^ (byte || 1);
    else if (op === "insert")
      bytes = Uint8Array.from([...bytes.subarray(0, index), byte, ...bytes.subarray(index)]);
    else if (op === "delete")
      bytes = Uint8Array.from([...bytes.subarray(0, index), ...bytes.subarray(index + 1)]);
    else if (op === "truncate") bytes = bytes.slice(0, index);
    else if (op === "u32" && index + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(index, word);
  }
  return bytes;
}

describe("decodeMessage under attack", () => {
  it("random bytes: only ProtoError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => void tryDecode(bytes)),
      { numRuns: RUNS },
    );
  });

  it("random bytes behind a real domain: only ProtoError", () => {
    fc.assert(
      fc.property(domainArb, fc.uint8Array({ maxLength: 600 }), (domain, tail) => {
        const head = encodeCanonical(domain, []).subarray(0, 2 + domain.length);
        void tryDecode(Uint8Array.from([...head, ...tail]));
      }),
      { numRuns: RUNS },
    );
  });

  it("random canonical values under a real domain: only ProtoError", () => {
    fc.assert(
      fc.property(
        domainArb,
        fc.array(canonicalArb, { maxLength: 16 }),
        (domain, fields) => void tryDecode(encodeCanonical(domain, fields)),
      ),
      { numRuns: RUNS },
    );
  });

  it("mutated valid frames: only ProtoError, and anything accepted is canonical", () => {
    fc.assert(
      fc.property(
        messageArbitrary(),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        (message, mutations) => {
          void tryDecode(mutate(encodeMessage(message), mutations));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("parseMessage and encodeMessage on arbitrary JS values: only ProtoError", () => {
    const values = fc.oneof(
      fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }),
      fc
        .record({ kind: fc.constantFrom(...MESSAGE_KINDS) }, { requiredKeys: [] })
        .chain((base) =>
          fc
            .dictionary(fc.string({ maxLength: 20 }), fc.anything({ withBigInt: true }), { maxKeys: 14 })
            .map((rest) => ({ ...rest, ...base })),
        ),
    );
    fc.assert(
      fc.property(values, (value) => {
        for (const run of [() => parseMessage(value), () => encodeMessage(value as never)]) {
          try {
            run();
          } catch (error) {
            if (!(error instanceof ProtoError)) throw error;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("canonical encoding of messages", () => {
  it("random valid messages round-trip byte-identically", () => {
    fc.assert(
      fc.property(messageArbitrary(), (message) => {
        const bytes = encodeMessage(message);
        const decoded = decodeMessage(bytes);
        expect(decoded).toEqual(message);
        expect(toHex(encodeMessage(decoded))).toBe(toHex(bytes));
        expect(toHex(encodeMessage(structuredClone(message)))).toBe(toHex(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it("different messages have different bytes", () => {
    fc.assert(
      fc.property(messageArbitrary(), messageArbitrary(), (a, b) => {
        fc.pre(!isDeepStrictEqual(a, b));
        expect(toHex(encodeMessage(a))).not.toBe(toHex(encodeMessage(b)));
      }),
      { numRuns: RUNS },
    );
  });

  it("two different messages of the same kind have different bytes", () => {
    for (const kind of MESSAGE_KINDS) {
      fc.assert(
        fc.property(messageArbitrary(kind), messageArbitrary(kind), (a, b) => {
          fc.pre(!isDeepStrictEqual(a, b));
          expect(toHex(encodeMessage(a))).not.toBe(toHex(encodeMessage(b)));
        }),
        { numRuns: 150 },
      );
    }
  });

  it("key order and extra undefined optionals do not change the bytes", () => {
    fc.assert(
      fc.property(messageArbitrary(), (message) => {
        const reversed = Object.fromEntries(Object.entries(message).reverse()) as typeof message;
        expect(toHex(encodeMessage(reversed))).toBe(toHex(encodeMessage(message)));
      }),
      { numRuns: 300 },
    );
  });
});
