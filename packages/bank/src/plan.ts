/**
 * A tick's plan (docs/bank.md), pure: the repayments due soon first (a default costs the node its
 * collateral and reputation), then the strategy's decisions, each fitted to the bank's budget.
 *
 * - The kill switch denies every decision that would move money.
 * - `repay` of a loan due within `REPAY_HORIZON_MS` when cash covers it; skipped when its amount exceeds
 *   the budget (a human must then repay it).
 * - `lend` is cut to what is left of the budget in this tick; the lending gate still checks each loan.
 * - `borrow` is cut so that its repayment at the offered rate fits the auto cap.
 * - A decision cut to 0 becomes a `hold`.
 * @module
 */
import { type Loan, loanInterestTrm, loanTotalDueTrm } from "@tirami/proto";
import type { ActResult } from "./act.js";
import type { BankBudget } from "./budget.js";
import { BANK_LOAN_TERM_HOURS, REPAY_HORIZON_MS, TICK_DECISIONS_MAX } from "./constants.js";
import type { Decision, PoolSnapshot } from "./types.js";

/** A planned decision and, when it must not be acted on, why. */
export interface PlannedDecision {
  decision: Decision;
  preset: ActResult | null;
}

/** Repayments of this node's loans due within the horizon, soonest first. */
export function repaymentsDue(
  borrowed: readonly { loan_id: string; loan: Loan }[],
  nowMs: number,
): Decision[] {
  return borrowed
    .filter((l) => l.loan.due_ms - nowMs <= REPAY_HORIZON_MS && l.loan.due_ms >= nowMs)
    .sort((a, b) => a.loan.due_ms - b.loan.due_ms)
    .map((l) => ({
      action: "repay" as const,
      amount_trm: loanTotalDueTrm(l.loan),
      rationale: `loan due in ${Math.round((l.loan.due_ms - nowMs) / 60_000)} min: repay before it defaults`,
      confidence: 1,
      loan_id: l.loan_id,
    }));
}

/** The most a borrow may be so that principal + interest at `ratePpm` over the bank's term ≤ `capTrm`. */
export function borrowCapTrm(capTrm: number, ratePpm: number): number {
  let principal = capTrm;
  const terms = { interest_ppm_per_hour: ratePpm, term_hours: BANK_LOAN_TERM_HOURS };
  // Interest is at most principal × 10 % × 168 h, so a handful of steps converge; bounded anyway.
  for (let i = 0; i < 64 && principal > 0; i += 1) {
    const due = principal + loanInterestTrm({ principal_trm: principal, ...terms });
    if (due <= capTrm) return principal;
    principal -= Math.max(1, due - capTrm);
  }
  return Math.max(0, principal);
}

/** Fits the decisions to the budget and cash. */
export function planTick(input: {
  decisions: readonly Decision[];
  repayments: readonly Decision[];
  budget: BankBudget;
  pool: PoolSnapshot;
  cashTrm: number;
}): PlannedDecision[] {
  const { budget } = input;
  let left = budget.available_trm;
  let cash = input.cashTrm;
  const plan: PlannedDecision[] = [];
  for (const d of [...input.repayments, ...input.decisions].slice(0, TICK_DECISIONS_MAX)) {
    if (d.action === "hold") {
      plan.push({ decision: d, preset: { outcome: "skipped", detail: null } });
      continue;
    }
    if (budget.kill_switch) {
      plan.push({
        decision: d,
        preset: { outcome: "denied", detail: "KILL_SWITCH_ACTIVE: the kill switch is on" },
      });
      continue;
    }
    if (d.action === "repay") {
      const fits = d.amount_trm <= Math.min(left, budget.per_request_max_trm);
      const covered = d.amount_trm <= cash;
      plan.push({
        decision: d,
        preset:
          fits && covered
            ? null
            : {
                outcome: "skipped",
                detail: fits
                  ? "INSUFFICIENT_BALANCE: cash does not cover it"
                  : "BANK_BUDGET: over the bank's budget; the operator must repay it",
              },
      });
      if (fits && covered) {
        left -= d.amount_trm;
        cash -= d.amount_trm;
      }
      continue;
    }
    const cap =
      d.action === "lend"
        ? Math.min(left, cash)
        : borrowCapTrm(budget.per_request_max_trm, input.pool.your_offered_interest_ppm_per_hour);
    const amount = Math.min(d.amount_trm, Math.max(0, cap));
    if (amount <= 0) {
      plan.push({
        decision: {
          ...d,
          amount_trm: 0,
          action: "hold",
          rationale: `${d.rationale}; no budget left (${d.action} ${d.amount_trm} TRM)`,
        },
        preset: { outcome: "skipped", detail: "BANK_BUDGET: nothing left to commit" },
      });
      continue;
    }
    const cut = amount < d.amount_trm ? `; cut from ${d.amount_trm} TRM to the budget` : "";
    plan.push({ decision: { ...d, amount_trm: amount, rationale: d.rationale + cut }, preset: null });
    if (d.action === "lend") {
      left -= amount;
      cash -= amount;
    }
  }
  return plan;
}
