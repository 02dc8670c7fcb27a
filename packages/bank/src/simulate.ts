/**
 * The optimiser's what-if (docs/bank.md; upstream's YieldOptimizer in docs/upstream.md §10.1): the risk
 * input after the planned decisions, as upstream applied them to a cloned portfolio — a `lend` moves cash
 * into one new lent position of that amount (the worst case: the whole offer lent to one borrower), a
 * `borrow` adds cash, a `repay` spends it.
 * @module
 */
import type { PlannedDecision } from "./plan.js";
import type { RiskInput } from "./risk.js";

/** The risk input after the decisions that would be acted on. */
export function simulate(input: RiskInput, plan: readonly PlannedDecision[]): RiskInput {
  const next = { ...input };
  for (const { decision: d, preset } of plan) {
    if (preset !== null) continue;
    if (d.action === "lend") {
      next.cash_trm -= d.amount_trm;
      next.lent_trm += d.amount_trm;
      next.lent_square_sum += d.amount_trm * d.amount_trm;
      next.largest_lent_trm = Math.max(next.largest_lent_trm, d.amount_trm);
    } else if (d.action === "borrow") next.cash_trm += d.amount_trm;
    else if (d.action === "repay") next.cash_trm -= d.amount_trm;
  }
  return next;
}
