/**
 * The portfolio, read from the ledger every time (docs/bank.md): cash is the node's effective balance,
 * the totals are SQL sums over every active loan of the node (`ledger.loans.exposure`), and the
 * positions list the loans themselves. Nothing is copied, so nothing can drift from the ledger.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { POSITIONS_MAX } from "./constants.js";
import type { BankLedger } from "./ports.js";
import type { RiskInput } from "./risk.js";
import type { Portfolio, Position } from "./types.js";

/** The node's portfolio now. `decisionCount` is the length of its persisted decision history. */
export function readPortfolio(ledger: BankLedger, self: AccountId, decisionCount: number): Portfolio {
  const cash = ledger.balance(self).effective_balance_trm;
  const exposure = ledger.loans.exposure(self);
  const loans = ledger.loans.list({ account: self, status: "active", limit: POSITIONS_MAX });
  const lent: Position[] = [];
  const borrowed: Position[] = [];
  const collateral: Position[] = [];
  for (const stored of loans) {
    const l = stored.loan;
    const base = { contract_id: stored.loan_id, due_ms: l.due_ms };
    if (l.lender === self)
      lent.push({ kind: "lent", amount_trm: l.principal_trm, counterparty: l.borrower, ...base });
    else {
      borrowed.push({ kind: "borrowed", amount_trm: l.principal_trm, counterparty: l.lender, ...base });
      collateral.push({ kind: "collateral", amount_trm: l.collateral_trm, counterparty: l.lender, ...base });
    }
  }
  const insurance = ledger.insurance.exposure(self);
  const policies = ledger.insurance.list({ account: self, status: "active", limit: POSITIONS_MAX });
  const covered: Position[] = policies.map((p) => {
    const mine = p.policy.insurer === self;
    return {
      kind: mine ? "insurer" : "insured",
      amount_trm: p.policy.coverage_trm,
      counterparty: mine ? p.policy.insured : p.policy.insurer,
      contract_id: p.policy_id,
      due_ms: p.policy.expires_ms,
    };
  });
  const futures = ledger.futures.exposure(self);
  const open = ledger.futures.list({ account: self, status: "open", limit: POSITIONS_MAX });
  const futurePositions: Position[] = open.map((f) => {
    const isLong = f.future.long === self;
    return {
      kind: isLong ? "futures_long" : "futures_short",
      amount_trm: f.future.margin_trm,
      counterparty: isLong ? f.future.short : f.future.long,
      contract_id: f.future_id,
      due_ms: f.future.expires_ms,
    };
  });
  const largestFirst = (a: Position, b: Position) => b.amount_trm - a.amount_trm;
  const positions = [
    ...lent.sort(largestFirst),
    ...borrowed.sort(largestFirst),
    ...collateral.sort(largestFirst),
    ...covered.sort(largestFirst),
    ...futurePositions.sort(largestFirst),
  ];
  const couldLend = cash + exposure.lent_trm;
  return {
    account: self,
    cash_trm: cash,
    lent_trm: exposure.lent_trm,
    borrowed_trm: exposure.borrowed_trm,
    borrowed_due_trm: exposure.borrowed_due_trm,
    collateral_trm: exposure.collateral_held_trm,
    insurer_coverage_trm: insurance.insurer_coverage_trm,
    insured_coverage_trm: insurance.insured_coverage_trm,
    futures_margin_trm: futures.margin_held_trm,
    net_exposure_trm:
      cash +
      exposure.lent_trm +
      exposure.collateral_held_trm +
      insurance.insurer_coverage_trm +
      futures.margin_held_trm -
      exposure.borrowed_trm,
    utilisation: couldLend === 0 ? 0 : exposure.lent_trm / couldLend,
    position_count:
      exposure.lent_count +
      2 * exposure.borrowed_count +
      insurance.insurer_count +
      insurance.insured_count +
      futures.long_count +
      futures.short_count,
    positions,
    positions_truncated:
      exposure.lent_count + exposure.borrowed_count > loans.length ||
      insurance.insurer_count + insurance.insured_count > policies.length ||
      futures.long_count + futures.short_count > open.length,
    decision_count: decisionCount,
  };
}

/** What the risk model reads of the node's positions, exact over all active loans. */
export function readRiskInput(ledger: BankLedger, self: AccountId): RiskInput {
  const exposure = ledger.loans.exposure(self);
  return {
    cash_trm: ledger.balance(self).effective_balance_trm,
    lent_trm: exposure.lent_trm,
    lent_square_sum: exposure.lent_square_sum,
    largest_lent_trm: exposure.largest_lent_trm,
  };
}
