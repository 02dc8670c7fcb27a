/**
 * TRM ↔ msat at a configured rate (integer msat per TRM; default 10, docs/upstream.md §10.5). Exact:
 * TRM → msat is a product checked to stay a safe integer (upstream saturated silently); msat → TRM says
 * its rounding (`floor` for what a payment buys, `ceil` for what a debt costs). Sats are msat / 1,000,
 * rounded up when a payer must cover an amount.
 * @module
 */
import { assertAmountTrm } from "@tirami/core";
import { MSAT_PER_TRM_MAX, PAYMENT_MSAT_MAX } from "./constants.js";
import { LightningError, LightningErrorCode } from "./errors.js";

/** How an msat amount that is not a whole number of TRM rounds. */
export type Rounding = "floor" | "ceil";

/** Throws AMOUNT_INVALID unless `rate` is an integer in [1, MSAT_PER_TRM_MAX]. */
export function assertRate(rate: unknown): asserts rate is number {
  if (typeof rate !== "number" || !Number.isSafeInteger(rate) || rate < 1 || rate > MSAT_PER_TRM_MAX) {
    throw new LightningError(
      LightningErrorCode.AMOUNT_INVALID,
      `msat_per_trm must be an integer in [1, ${MSAT_PER_TRM_MAX}]`,
      { details: { msat_per_trm: String(rate) } },
    );
  }
}

/** Throws AMOUNT_INVALID unless `msat` is an integer in [0, PAYMENT_MSAT_MAX]. */
export function assertMsat(msat: unknown, field = "amount_msat"): asserts msat is number {
  if (typeof msat !== "number" || !Number.isSafeInteger(msat) || msat < 0 || msat > PAYMENT_MSAT_MAX) {
    throw new LightningError(
      LightningErrorCode.AMOUNT_INVALID,
      `${field} must be an integer in [0, ${PAYMENT_MSAT_MAX}] msat`,
      { details: { field, value: String(msat) } },
    );
  }
}

/**
 * `amountTrm × msatPerTrm`, exactly.
 * @throws {LightningError} AMOUNT_INVALID when the rate or the result is out of range.
 * @example trmToMsat(100, 10) // 1_000 msat = 1 sat
 */
export function trmToMsat(amountTrm: number, msatPerTrm: number): number {
  assertAmountTrm(amountTrm);
  assertRate(msatPerTrm);
  const msat = amountTrm * msatPerTrm;
  assertMsat(msat);
  return msat;
}

/**
 * `msat / msatPerTrm` rounded as asked.
 * @example msatToTrm(1_005, 10, "floor") // 100
 */
export function msatToTrm(msat: number, msatPerTrm: number, rounding: Rounding): number {
  assertMsat(msat);
  assertRate(msatPerTrm);
  const whole = Math.floor(msat / msatPerTrm);
  return rounding === "ceil" && whole * msatPerTrm < msat ? whole + 1 : whole;
}

/** Whole sats covering `msat` (rounded up: a payer never pays less than owed). */
export function msatToSatsCeil(msat: number): number {
  assertMsat(msat);
  return Math.ceil(msat / 1_000);
}

/** A quote: what `amount_trm` costs in Lightning at the node's rate. Nothing is debited or invoiced. */
export interface TrmQuote {
  amount_trm: number;
  msat_per_trm: number;
  amount_msat: number;
  /** `amount_msat` in whole sats, rounded up. */
  amount_sats: number;
}

/** Quotes `amountTrm` at `msatPerTrm`. */
export function quoteTrm(amountTrm: number, msatPerTrm: number): TrmQuote {
  const amountMsat = trmToMsat(amountTrm, msatPerTrm);
  return {
    amount_trm: amountTrm,
    msat_per_trm: msatPerTrm,
    amount_msat: amountMsat,
    amount_sats: msatToSatsCeil(amountMsat),
  };
}
