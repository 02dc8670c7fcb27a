/**
 * The pool snapshot a strategy decides from (docs/bank.md), built live: the mesh's active loans from
 * the ledger, the live lend offers and this node's credit terms from lending. Without the mesh, the
 * offers are none and the node's credit is the ledger's.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { maxBorrowableTrm, offeredRatePpm } from "@tirami/ledger";
import { POSITIONS_MAX } from "./constants.js";
import type { BankLedger, BankLending } from "./ports.js";
import type { PoolSnapshot } from "./types.js";

/** The pool as this node sees it now. */
export function poolSnapshot(
  ledger: BankLedger,
  lending: BankLending | undefined,
  self: AccountId,
): PoolSnapshot {
  const stats = ledger.loans.stats();
  const live = lending?.pool();
  const available = live?.total_available_trm ?? 0;
  const total = stats.active_principal_trm + available;
  const active = ledger.loans.list({ status: "active", limit: POSITIONS_MAX });
  const rate =
    active.length === 0
      ? 0
      : active.reduce((sum, l) => sum + l.loan.interest_ppm_per_hour, 0) / active.length;
  const credit = live?.your_credit ?? ledger.loans.credit(self).score;
  return {
    total_trm: total,
    lent_trm: stats.active_principal_trm,
    available_trm: available,
    reserve_ratio: total === 0 ? 1 : available / total,
    active_loan_count: stats.active_count,
    avg_interest_ppm_per_hour: rate,
    your_max_borrow_trm: live?.your_max_borrow_trm ?? maxBorrowableTrm(credit, 0),
    your_offered_interest_ppm_per_hour: live?.your_offered_interest_ppm_per_hour ?? offeredRatePpm(credit),
  };
}
