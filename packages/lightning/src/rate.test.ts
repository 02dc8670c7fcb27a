/**
 * Proves the exchange arithmetic is exact and fails closed: TRM → msat at the default rate (10 msat/TRM,
 * upstream's), msat → TRM with the rounding asked, sats rounded up, and out-of-range rates and amounts
 * refused instead of saturated.
 */
import { describe, expect, it } from "vitest";
import { MSAT_PER_TRM_DEFAULT, PAYMENT_MSAT_MAX } from "./constants.js";
import { msatToSatsCeil, msatToTrm, quoteTrm, trmToMsat } from "./rate.js";

describe("rate", () => {
  it("converts exactly with explicit rounding", () => {
    expect(MSAT_PER_TRM_DEFAULT).toBe(10);
    expect(trmToMsat(100, MSAT_PER_TRM_DEFAULT)).toBe(1_000);
    expect(msatToTrm(1_005, 10, "floor")).toBe(100);
    expect(msatToTrm(1_005, 10, "ceil")).toBe(101);
    expect(msatToTrm(1_000, 10, "ceil")).toBe(100);
    expect(msatToSatsCeil(1_001)).toBe(2);
    expect(quoteTrm(1_234, 10)).toEqual({
      amount_trm: 1_234,
      msat_per_trm: 10,
      amount_msat: 12_340,
      amount_sats: 13,
    });
  });

  it("refuses what it cannot represent", () => {
    expect(() => trmToMsat(-1, 10)).toThrow();
    expect(() => trmToMsat(1.5, 10)).toThrow();
    expect(() => trmToMsat(1, 0)).toThrow(/msat_per_trm/);
    expect(() => trmToMsat(1, 2.5)).toThrow(/msat_per_trm/);
    expect(() => trmToMsat(PAYMENT_MSAT_MAX, 10)).toThrow(/amount_msat/);
    expect(() => msatToTrm(-5, 10, "floor")).toThrow(/amount_msat/);
  });
});
