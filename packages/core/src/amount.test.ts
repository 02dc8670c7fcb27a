/** Proves TRM amounts are validated at the edges exactly as docs/architecture.md §3 requires, and costs round up. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addTrm, assertAmountTrm, costTrm, isAmountTrm, subTrm } from "./amount.js";
import { isTiramiError } from "./errors.js";

describe("assertAmountTrm", () => {
  it.each([0, 1, 1_000, Number.MAX_SAFE_INTEGER])("accepts %s", (value) => {
    expect(() => assertAmountTrm(value)).not.toThrow();
    expect(isAmountTrm(value)).toBe(true);
  });

  it.each([
    ["-1", -1],
    ["1.5", 1.5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["MAX_SAFE_INTEGER + 1", Number.MAX_SAFE_INTEGER + 1],
    ["-0.5", -0.5],
    ['string "5"', "5"],
    ["empty string", ""],
    ["bigint 5n", 5n],
    ["null", null],
    ["undefined", undefined],
    ["object", { amount: 5 }],
  ])("rejects %s with INVALID_AMOUNT naming the field", (_label, value) => {
    let caught: unknown;
    try {
      assertAmountTrm(value, "amount_trm");
    } catch (error) {
      caught = error;
    }
    expect(isTiramiError(caught, "INVALID_AMOUNT")).toBe(true);
    expect((caught as Error).message).toContain('"amount_trm"');
    expect(isAmountTrm(value)).toBe(false);
  });
});

describe("arithmetic", () => {
  it("adds and subtracts exactly within the safe range", () => {
    expect(addTrm(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(subTrm(10, 10)).toBe(0);
  });

  it("refuses to overflow or go negative", () => {
    expect(() => addTrm(Number.MAX_SAFE_INTEGER, 1)).toThrow(
      expect.objectContaining({ code: "AMOUNT_OVERFLOW" }),
    );
    expect(() => subTrm(1, 2)).toThrow(expect.objectContaining({ code: "AMOUNT_OVERFLOW" }));
  });
});

describe("costTrm", () => {
  it("is ceil(tokens × price) for the reference's examples", () => {
    expect(costTrm(0, 1)).toBe(0);
    expect(costTrm(10, 1)).toBe(10);
    expect(costTrm(3, 0.5)).toBe(2);
    expect(costTrm(1, 0.000001)).toBe(1);
    expect(costTrm(1_000_000, 0.000001)).toBe(1);
    expect(costTrm(7, 1.1)).toBe(8);
  });

  it("never charges less than the exact product and at most one TRM more", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (tokens, priceMicro) => {
          const price = priceMicro / 1_000_000;
          const cost = costTrm(tokens, price);
          const exactMicro = BigInt(tokens) * BigInt(priceMicro);
          expect(Number.isSafeInteger(cost)).toBe(true);
          expect(BigInt(cost) * 1_000_000n >= exactMicro).toBe(true);
          expect(BigInt(cost - 1) * 1_000_000n < exactMicro || cost === 0).toBe(true);
        },
      ),
    );
  });

  it("rejects bad inputs as programmer errors", () => {
    expect(() => costTrm(-1, 1)).toThrow(RangeError);
    expect(() => costTrm(1.5, 1)).toThrow(RangeError);
    expect(() => costTrm(1, Number.NaN)).toThrow(RangeError);
    expect(() => costTrm(1, -1)).toThrow(RangeError);
  });
});
