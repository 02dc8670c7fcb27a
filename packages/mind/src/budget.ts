/**
 * The mind's budget and its keep/revert rule, pure (docs/upstream.md §10.2, in TRM):
 *
 * - a day window starts at the first cycle after the previous one expired and lasts `DAY_WINDOW_MS`;
 * - `canSpend(x)`: x > 0, x ≤ the per-cycle budget (counting what the cycle already spent), and what the
 *   day already spent plus x ≤ the per-day budget; a cycle starts only while cycles today < the maximum;
 * - `isWorthKeeping(delta, invested, return)`: delta ≥ the minimum delta, and then with nothing invested
 *   delta > 0, else return / invested ≥ the minimum ROI; return = max(delta, 0) × `ROI_TRM_PER_SCORE_UNIT`.
 *
 * Unlike upstream, the mind checks a purchase's *worst case* (its hold) before it buys, so a budget is never
 * passed by the amount actually paid.
 * @module
 */
import {
  DAY_WINDOW_MS,
  MAX_CYCLES_PER_DAY_DEFAULT,
  MAX_TRM_PER_CYCLE_DEFAULT,
  MAX_TRM_PER_DAY_DEFAULT,
  MIN_ROI_DEFAULT,
  MIN_SCORE_DELTA_DEFAULT,
  ROI_TRM_PER_SCORE_UNIT,
  SCORE_DECIMALS,
} from "./constants.js";
import { MindError, MindErrorCode, MindStopCode } from "./errors.js";

/** The mind's budget (stored, set through `setBudget`). */
export interface MindBudget {
  max_trm_per_cycle: number;
  max_trm_per_day: number;
  max_cycles_per_day: number;
  min_score_delta: number;
  min_roi: number;
}

/** Upstream's defaults in TRM. */
export const DEFAULT_MIND_BUDGET: MindBudget = {
  max_trm_per_cycle: MAX_TRM_PER_CYCLE_DEFAULT,
  max_trm_per_day: MAX_TRM_PER_DAY_DEFAULT,
  max_cycles_per_day: MAX_CYCLES_PER_DAY_DEFAULT,
  min_score_delta: MIN_SCORE_DELTA_DEFAULT,
  min_roi: MIN_ROI_DEFAULT,
};

/** A cycle's decision. */
export type CycleDecision = "keep" | "revert" | "defer";

/** What the day window has used. */
export interface DayUsage {
  spent_trm: number;
  cycles: number;
}

/**
 * The budget after applying `partial`, checked: integer TRM ≥ 0, cycles ≥ 0, delta in [0, 1], ROI ≥ 0.
 * @throws {MindError} INVALID_MIND_REQUEST.
 */
export function mergeBudget(current: MindBudget, partial: Partial<MindBudget>): MindBudget {
  const next = { ...current, ...partial };
  const integer = (value: number, field: string) => {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, `${field}: expected an integer ≥ 0`, {
        details: { param: field },
      });
  };
  integer(next.max_trm_per_cycle, "max_trm_per_cycle");
  integer(next.max_trm_per_day, "max_trm_per_day");
  integer(next.max_cycles_per_day, "max_cycles_per_day");
  if (!(Number.isFinite(next.min_score_delta) && next.min_score_delta >= 0 && next.min_score_delta <= 1))
    throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, "min_score_delta: expected a number in [0, 1]", {
      details: { param: "min_score_delta" },
    });
  if (!(Number.isFinite(next.min_roi) && next.min_roi >= 0 && next.min_roi <= 1_000_000))
    throw new MindError(MindErrorCode.INVALID_MIND_REQUEST, "min_roi: expected a number in [0, 1000000]", {
      details: { param: "min_roi" },
    });
  return next;
}

/** The day window's start at `nowMs`: the stored start while it is younger than a day, else now. */
export function dayWindowStart(startedMs: number | null, nowMs: number): number {
  return startedMs !== null && nowMs - startedMs < DAY_WINDOW_MS ? startedMs : nowMs;
}

/**
 * Why a spend of `amountTrm` (a purchase's worst case) may not happen now, or null when it may: the
 * cycle has spent `cycleSpentTrm`, the day (before this cycle) `day.spent_trm`.
 */
export function spendRefusal(
  budget: MindBudget,
  input: { amountTrm: number; cycleSpentTrm: number; day: DayUsage },
): (typeof MindStopCode)["CYCLE_BUDGET_REACHED" | "DAY_BUDGET_REACHED"] | null {
  const { amountTrm, cycleSpentTrm, day } = input;
  if (cycleSpentTrm + amountTrm > budget.max_trm_per_cycle) return MindStopCode.CYCLE_BUDGET_REACHED;
  if (day.spent_trm + cycleSpentTrm + amountTrm > budget.max_trm_per_day)
    return MindStopCode.DAY_BUDGET_REACHED;
  return null;
}

/**
 * Upstream's `can_spend(x)` on its own terms (a fresh cycle): x > 0, x ≤ per-cycle, spent + x ≤ per-day,
 * cycles < max. Kept for the reference vectors; the runner uses `spendRefusal` per purchase.
 */
export function canSpend(budget: MindBudget, day: DayUsage, amountTrm: number): boolean {
  return (
    amountTrm > 0 &&
    amountTrm <= budget.max_trm_per_cycle &&
    day.spent_trm + amountTrm <= budget.max_trm_per_day &&
    day.cycles < budget.max_cycles_per_day
  );
}

/** True when another cycle may start in the day window. */
export function mayStartCycle(budget: MindBudget, day: DayUsage): boolean {
  return day.cycles < budget.max_cycles_per_day;
}

/** `value` rounded to `SCORE_DECIMALS` places (scores, deltas). */
export function roundScore(value: number): number {
  const scale = 10 ** SCORE_DECIMALS;
  return Math.round(value * scale) / scale;
}

/** A cycle's return in TRM: max(delta, 0) × `ROI_TRM_PER_SCORE_UNIT`, whole TRM (rounded down). */
export function returnTrm(delta: number): number {
  return Math.floor(roundScore(Math.max(roundScore(delta), 0) * ROI_TRM_PER_SCORE_UNIT));
}

/** Upstream's `is_improvement_worth_keeping(delta, invested, return)`. */
export function isWorthKeeping(
  budget: Pick<MindBudget, "min_score_delta" | "min_roi">,
  input: { delta: number; investedTrm: number; returnTrm: number },
): boolean {
  const delta = roundScore(input.delta);
  if (delta < budget.min_score_delta) return false;
  if (input.investedTrm === 0) return delta > 0;
  return input.returnTrm / input.investedTrm >= budget.min_roi;
}

/** What a finished cycle is worth, and so its decision. */
export interface CycleVerdict {
  decision: "keep" | "revert";
  delta: number;
  return_trm: number;
  invested_trm: number;
  /** return / invested, null when nothing was invested. */
  roi: number | null;
}

/** Keep or revert a candidate that scored `candidate` against `baseline`, having invested `investedTrm`. */
export function judgeCycle(
  budget: Pick<MindBudget, "min_score_delta" | "min_roi">,
  input: { baseline: number; candidate: number; investedTrm: number },
): CycleVerdict {
  const delta = roundScore(input.candidate - input.baseline);
  const ret = returnTrm(delta);
  const keep = isWorthKeeping(budget, { delta, investedTrm: input.investedTrm, returnTrm: ret });
  return {
    decision: keep ? "keep" : "revert",
    delta,
    return_trm: ret,
    invested_trm: input.investedTrm,
    roi: input.investedTrm === 0 ? null : roundScore(ret / input.investedTrm),
  };
}
