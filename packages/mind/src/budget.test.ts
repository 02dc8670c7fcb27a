/**
 * Proves the mind's budget arithmetic and keep/revert rule against the vectors in vectors/cycle-rule.json
 * (upstream's rule, docs/upstream.md §10.2): `canSpend`, `isWorthKeeping` and `judgeCycle` give the
 * listed answers, including the edges (x = per-cycle, spent + x = per-day, ROI exactly 1, float deltas
 * such as 0.3 − 0.1); the per-purchase check refuses exactly what would pass the cycle's or the day's
 * budget; the day window restarts a day after it began; and budgets are validated.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  canSpend,
  dayWindowStart,
  DEFAULT_MIND_BUDGET,
  isWorthKeeping,
  judgeCycle,
  mergeBudget,
  type MindBudget,
  spendRefusal,
} from "./budget.js";
import { DAY_WINDOW_MS } from "./constants.js";

interface Vectors {
  budget: MindBudget;
  can_spend: Array<{
    spent_today_trm: number;
    cycles_today: number;
    amount_trm: number;
    expected: boolean;
    why: string;
  }>;
  worth_keeping: Array<{
    delta: number;
    invested_trm: number;
    return_trm: number;
    expected: boolean;
    why: string;
  }>;
  cycles: Array<{
    baseline: number;
    candidate: number;
    invested_trm: number;
    decision: string;
    return_trm: number;
    why: string;
  }>;
}
const vectors = JSON.parse(
  readFileSync(new URL("../vectors/cycle-rule.json", import.meta.url), "utf8"),
) as Vectors;

describe("the mind's budget and cycle rule", () => {
  it("uses upstream's defaults", () => {
    expect(DEFAULT_MIND_BUDGET).toEqual(vectors.budget);
  });

  it.each(vectors.can_spend)("canSpend: $why", (v) => {
    expect(
      canSpend(vectors.budget, { spent_trm: v.spent_today_trm, cycles: v.cycles_today }, v.amount_trm),
    ).toBe(v.expected);
  });

  it.each(vectors.worth_keeping)("isWorthKeeping: $why", (v) => {
    expect(
      isWorthKeeping(vectors.budget, {
        delta: v.delta,
        investedTrm: v.invested_trm,
        returnTrm: v.return_trm,
      }),
    ).toBe(v.expected);
  });

  it.each(vectors.cycles)("judgeCycle: $why", (v) => {
    const verdict = judgeCycle(vectors.budget, {
      baseline: v.baseline,
      candidate: v.candidate,
      investedTrm: v.invested_trm,
    });
    expect(verdict.decision).toBe(v.decision);
    expect(verdict.return_trm).toBe(v.return_trm);
  });

  it("refuses a purchase whose worst case would pass the cycle's or the day's budget, and nothing less", () => {
    const budget = { ...DEFAULT_MIND_BUDGET, max_trm_per_cycle: 100, max_trm_per_day: 250 };
    const day = { spent_trm: 150, cycles: 1 };
    expect(spendRefusal(budget, { amountTrm: 40, cycleSpentTrm: 60, day })).toBeNull();
    expect(spendRefusal(budget, { amountTrm: 41, cycleSpentTrm: 60, day })).toBe("CYCLE_BUDGET_REACHED");
    expect(spendRefusal(budget, { amountTrm: 40, cycleSpentTrm: 61, day })).toBe("CYCLE_BUDGET_REACHED");
    expect(
      spendRefusal(budget, { amountTrm: 40, cycleSpentTrm: 60, day: { spent_trm: 151, cycles: 1 } }),
    ).toBe("DAY_BUDGET_REACHED");
    expect(spendRefusal(budget, { amountTrm: 0, cycleSpentTrm: 100, day })).toBeNull(); // local answers are free
  });

  it("restarts the day window a day after it began", () => {
    expect(dayWindowStart(null, 5)).toBe(5);
    expect(dayWindowStart(1_000, 1_000 + DAY_WINDOW_MS - 1)).toBe(1_000);
    expect(dayWindowStart(1_000, 1_000 + DAY_WINDOW_MS)).toBe(1_000 + DAY_WINDOW_MS);
  });

  it("validates a budget change and keeps the rest", () => {
    expect(mergeBudget(DEFAULT_MIND_BUDGET, { max_trm_per_cycle: 7 })).toEqual({
      ...DEFAULT_MIND_BUDGET,
      max_trm_per_cycle: 7,
    });
    for (const bad of [
      { max_trm_per_cycle: -1 },
      { max_trm_per_day: 1.5 },
      { min_score_delta: 2 },
      { min_roi: Number.NaN },
    ])
      expect(() => mergeBudget(DEFAULT_MIND_BUDGET, bad)).toThrow(/expected/);
  });
});
