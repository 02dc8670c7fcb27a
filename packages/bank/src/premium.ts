/**
 * The insurance premium (docs/bank.md; upstream's `premium_for` in docs/upstream.md §10.1):
 * `max(1, floor(coverage × (base + (1 − credit) × risk)))` with base 2 % and risk 10 % — a borrower of
 * credit 1.0 costs 2 % of the coverage, 0.5 costs 7 %, 0.3 costs 9 %.
 * @module
 */
import { assertAmountTrm } from "@tirami/core";
import { PREMIUM_BASE_RATE, PREMIUM_RISK_RATE } from "./constants.js";

/**
 * The premium for `coverageTrm` of a loan whose borrower has `credit` ∈ [0, 1]. Throws `RangeError` on a
 * credit outside [0, 1] or rates that are not finite and non-negative.
 */
export function premiumTrm(
  coverageTrm: number,
  credit: number,
  rates: { base: number; risk: number } = { base: PREMIUM_BASE_RATE, risk: PREMIUM_RISK_RATE },
): number {
  assertAmountTrm(coverageTrm, "coverage_trm");
  if (!Number.isFinite(credit) || credit < 0 || credit > 1)
    throw new RangeError(`"credit" expected a number in [0, 1], got ${credit}`);
  if (![rates.base, rates.risk].every((r) => Number.isFinite(r) && r >= 0))
    throw new RangeError(`premium rates expected finite numbers ≥ 0`);
  return Math.max(1, Math.floor(coverageTrm * (rates.base + (1 - credit) * rates.risk)));
}
