/**
 * Proves canonical bytes are deterministic (same value → same bytes), distinct (different values or
 * domains → different bytes), round-trip exactly, and that the decoder rejects every non-canonical or
 * hostile input with CanonicalEncodingError and nothing else.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "./bytes.js";
import {
  canonicalFloat,
  CanonicalEncodingError,
  type CanonicalValue,
  decodeCanonical,
  encodeCanonical,
} from "./canonical.js";

const leaf: fc.Arbitrary<CanonicalValue> = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  fc.boolean(),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((x) => !Object.is(x, -0))
    .map(canonicalFloat),
);
const { value: valueArb } = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
  ),
}));
const fieldsArb = fc.array(valueArb, { maxLength: 6 });
const domainArb = fc.constantFrom("tirami/trade/v1", "tirami/offer/v1", "tirami/trade/v2", "x");

/** Structural identity that tells bytes from strings, uints from floats and -0 never appears. */
function key(value: CanonicalValue): string {
  if (value instanceof Uint8Array) return `b:${toHex(value)}`;
  if (Array.isArray(value)) return `[${value.map(key).join(",")}]`;
  if (value !== null && typeof value === "object") return `f:${(value as { float: number }).float}`;
  return `${typeof value}:${JSON.stringify(value)}`;
}

describe("canonical encoding", () => {
  it("is deterministic and round-trips exactly", () => {
    fc.assert(
      fc.property(domainArb, fieldsArb, (domain, fields) => {
        const bytes = encodeCanonical(domain, fields);
        expect(toHex(encodeCanonical(domain, structuredClone(fields)))).toBe(toHex(bytes));
        const decoded = decodeCanonical(bytes);
        expect(decoded.domain).toBe(domain);
        expect(decoded.fields.map(key)).toEqual(fields.map(key));
        expect(toHex(encodeCanonical(decoded.domain, decoded.fields))).toBe(toHex(bytes));
      }),
    );
  });

  it("gives different bytes to different messages", () => {
    fc.assert(
      fc.property(domainArb, fieldsArb, domainArb, fieldsArb, (domainA, fieldsA, domainB, fieldsB) => {
        const same = domainA === domainB && key(fieldsA) === key(fieldsB);
        expect(toHex(encodeCanonical(domainA, fieldsA)) === toHex(encodeCanonical(domainB, fieldsB))).toBe(
          same,
        );
      }),
    );
  });

  it("keeps types apart: bytes vs string, uint vs float, list boundaries", () => {
    const pairs: [CanonicalValue[], CanonicalValue[]][] = [
      [[new Uint8Array([97])], ["a"]],
      [[1], [canonicalFloat(1)]],
      [[["a", "b"]], [["a"], ["b"]]],
      [
        ["ab", ""],
        ["a", "b"],
      ],
      [[null], [[]]],
    ];
    for (const [a, b] of pairs)
      expect(toHex(encodeCanonical("t", a))).not.toBe(toHex(encodeCanonical("t", b)));
  });

  it("has a fixed layout (vector)", () => {
    expect(toHex(encodeCanonical("t/v1", [1, "a", true, null]))).toBe(
      "0004" + "742f7631" + "0004" + "030000000000000001" + "020000000161" + "0401" + "00",
    );
  });

  it("refuses to encode values without one canonical form", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => encodeCanonical("t", [bad])).toThrow(CanonicalEncodingError);
    }
    expect(() => encodeCanonical("t", [canonicalFloat(-0)])).toThrow(CanonicalEncodingError);
    expect(() => encodeCanonical("t", [canonicalFloat(Number.POSITIVE_INFINITY)])).toThrow(
      CanonicalEncodingError,
    );
    expect(() => encodeCanonical("t", ["\uD800"])).toThrow(CanonicalEncodingError);
    expect(() => encodeCanonical("Bad Domain", [])).toThrow(CanonicalEncodingError);
  });

  it("rejects truncation, trailing bytes, unknown tags and non-canonical bools", () => {
    const bytes = encodeCanonical("t", [true, "abc"]);
    for (let end = 0; end < bytes.length; end++)
      expect(() => decodeCanonical(bytes.slice(0, end))).toThrow(CanonicalEncodingError);
    expect(() => decodeCanonical(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
    const badBool = bytes.slice();
    badBool[6] = 2; // header is 2 + 1 + 2 bytes, then tag 0x04 at offset 5 and its byte at 6
    expect(() => decodeCanonical(badBool)).toThrow(/bool/);
    const badTag = bytes.slice();
    badTag[5] = 0x7f;
    expect(() => decodeCanonical(badTag)).toThrow(/unknown tag/);
  });

  it("enforces limits before allocating", () => {
    // A list claiming 2^32-1 items in a 12-byte message is refused at once.
    const lying = new Uint8Array([0, 1, 116, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0, 0]);
    expect(() => decodeCanonical(lying)).toThrow(/truncated/);
    const deep = encodeCanonical("t", [[[[[]]]]]);
    expect(() => decodeCanonical(deep, { bytesMax: 1_000, depthMax: 3, itemsMax: 100 })).toThrow(/nested/);
    expect(() =>
      decodeCanonical(encodeCanonical("t", [[1, 2, 3]]), { bytesMax: 1_000, depthMax: 3, itemsMax: 3 }),
    ).toThrow(/more than 3/);
    expect(() =>
      decodeCanonical(new Uint8Array(2_000), { bytesMax: 1_000, depthMax: 3, itemsMax: 100 }),
    ).toThrow(/limit/);
  });

  it("returns copies, never views of the input, even for a Buffer", () => {
    const input = Buffer.from(encodeCanonical("t", [new Uint8Array([1, 2, 3])]));
    const decoded = decodeCanonical(input).fields[0] as Uint8Array;
    input.fill(0);
    expect([...decoded]).toEqual([1, 2, 3]);
  });

  it("reports a string cut short as truncation", () => {
    const bytes = encodeCanonical("t", ["hello"]);
    expect(() => decodeCanonical(bytes.slice(0, bytes.length - 1))).toThrow(/truncated/);
  });

  it("throws only CanonicalEncodingError for arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeCanonical(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CanonicalEncodingError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
