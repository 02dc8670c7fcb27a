/**
 * `ledger.loans`: the loan book behind one facade — each money-moving call is one IMMEDIATE transaction
 * whose leaves reach the Merkle cache after commit — plus queries, credit and the lending gate.
 * @module
 */
import type Database from "better-sqlite3";
import type { AccountId } from "@tirami/core";
import { isTradeId, type LoanRepayment } from "@tirami/proto";
import { toHex } from "@tirami/core";
import { checkAccountId } from "../accounts.js";
import type { MerkleLog } from "../merkle-log.js";
import { type ApplyLoanResult, type ApplyRepaymentResult, type LoanBook } from "./book.js";
import { LOAN_PAGE_MAX } from "./constants.js";
import type { CreditScore } from "./credit.js";
import type { LoanGate } from "./gate.js";
import {
  type LoanEventRow,
  type LoanRow,
  type LoanStatus,
  type StoredLoan,
  type StoredLoanEvent,
  storedLoan,
  storedLoanEvent,
} from "./rows.js";

export interface ListLoansRequest {
  /** Loans where this account is lender or borrower. */
  account?: AccountId;
  status?: LoanStatus;
  /** 1..1,000, default 100; newest first. */
  limit?: number;
}

export interface LoanStats {
  active_count: number;
  active_principal_trm: number;
  repaid_count: number;
  defaulted_count: number;
  burned_trm: number;
}

/** One account's active loans, summed in SQL over every active loan (no page limit). */
export interface LoanExposure {
  /** Principal this account has out on active loans, and how many. */
  lent_trm: number;
  lent_count: number;
  /** Principal this account owes on active loans, and how many. */
  borrowed_trm: number;
  borrowed_count: number;
  /** What it must repay on them (principal + interest). */
  borrowed_due_trm: number;
  /** Its own collateral held for them (part of its balance, not of its effective balance). */
  collateral_held_trm: number;
  /** The largest principal it has out on one active loan (0 without any). */
  largest_lent_trm: number;
  /** Σ principal² over its active loans as lender, as a float (the bank's VaR needs it; docs/bank.md). */
  lent_square_sum: number;
}

export interface Loans {
  /**
   * Verifies (fields, contract rules, id, both signatures, freshness) and applies a loan exactly once.
   * With `repayment` (its borrower's repayment, received before the loan), both apply in one transaction:
   * the repayment's money may fund the principal, so a node that saw the lender's later spends first
   * still reaches the same state (docs/lending.md, "order").
   */
  applySignedLoan(signed: unknown, options?: { nowMs?: number; repayment?: unknown }): ApplyLoanResult;
  /** Applies the borrower's signed repayment (see docs/lending.md for late and duplicate repayments). */
  applyRepayment(repayment: unknown, options?: { nowMs?: number }): ApplyRepaymentResult;
  /** Defaults every loan due for it at `nowMs` (default: clock); returns the defaulted loans. */
  applyDueDefaults(nowMs?: number): StoredLoan[];
  get(loanId: string): StoredLoan | undefined;
  list(request?: ListLoansRequest): StoredLoan[];
  /** The loan's events (its Merkle leaves), oldest first. */
  events(loanId: string): StoredLoanEvent[];
  /** The stored repayments (as the borrower signed them), newest first, at most `limit`. */
  repayments(limit?: number): LoanRepayment[];
  /** Loans still active and due (not yet defaulted) at or before `beforeMs`, soonest first. */
  dueBefore(beforeMs: number, limit?: number): StoredLoan[];
  credit(account: AccountId): CreditScore;
  stats(account?: AccountId): LoanStats;
  /** `account`'s active loans as lender and as borrower, summed (docs/bank.md: the bank's positions). */
  exposure(account: AccountId): LoanExposure;
  readonly gate: LoanGate;
}

export function createLoans(deps: {
  db: Database.Database;
  book: LoanBook;
  merkle: MerkleLog;
  gate: LoanGate;
  credit: (account: AccountId) => CreditScore;
  tx: <T>(fn: () => T) => T;
  now: () => number;
  open: () => void;
}): Loans {
  const { db, book, merkle, tx, now, open } = deps;
  const get = db.prepare("SELECT * FROM loans WHERE loan_id = ?");
  const events = db.prepare("SELECT * FROM loan_events WHERE loan_id = ? ORDER BY timestamp_ms, event_id");
  const repaid = db.prepare(`SELECT e.loan_id, l.borrower, l.total_due_trm, e.timestamp_ms, e.signature
    FROM loan_events e JOIN loans l ON l.loan_id = e.loan_id WHERE e.kind = 'repaid'
    ORDER BY e.timestamp_ms DESC, e.event_id DESC LIMIT ?`);
  const due = db.prepare(
    "SELECT * FROM loans WHERE status = 'active' AND due_ms <= ? ORDER BY due_ms LIMIT ?",
  );
  const burned = db
    .prepare("SELECT coalesce(sum(amount_trm), 0) FROM journal WHERE kind = 'burn'")
    .pluck(true);
  const stats = db.prepare(`SELECT
      coalesce(sum(status = 'active'), 0) AS active_count,
      coalesce(sum(CASE WHEN status = 'active' THEN principal_trm END), 0) AS active_principal_trm,
      coalesce(sum(status = 'repaid'), 0) AS repaid_count,
      coalesce(sum(status = 'defaulted'), 0) AS defaulted_count
    FROM loans WHERE (? IS NULL OR lender = ? OR borrower = ?)`);

  const exposure = db.prepare(`SELECT
      coalesce(sum(CASE WHEN lender = ? THEN principal_trm END), 0) AS lent_trm,
      coalesce(sum(lender = ?), 0) AS lent_count,
      coalesce(sum(CASE WHEN borrower = ? THEN principal_trm END), 0) AS borrowed_trm,
      coalesce(sum(borrower = ?), 0) AS borrowed_count,
      coalesce(sum(CASE WHEN borrower = ? THEN total_due_trm END), 0) AS borrowed_due_trm,
      coalesce(sum(CASE WHEN borrower = ? THEN collateral_trm END), 0) AS collateral_held_trm,
      coalesce(max(CASE WHEN lender = ? THEN principal_trm END), 0) AS largest_lent_trm,
      coalesce(sum(CASE WHEN lender = ? THEN CAST(principal_trm AS REAL) * principal_trm END), 0.0) AS lent_square_sum
    FROM loans WHERE status = 'active' AND (lender = ? OR borrower = ?)`);

  const time = (nowMs: number | undefined) => {
    const t = nowMs ?? now();
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`"nowMs" expected a non-negative integer`);
    return t;
  };

  return {
    gate: deps.gate,
    applySignedLoan(signed, options = {}) {
      open();
      const nowMs = time(options.nowMs);
      const checked = book.checkLoan(signed, nowMs);
      if ("exists" in checked) return { status: "exists", loan_id: checked.exists };
      if (options.repayment === undefined) {
        const leaf = tx(() => book.writeLoan(checked, now()));
        merkle.added([leaf]);
        return { status: "applied", loan_id: checked.signed.loan_id };
      }
      const leaves = tx(() => {
        const at = now();
        const created = book.writeLoan(checked, at, true);
        const repaid = book.repay(options.repayment, nowMs);
        book.payPrincipal(checked.signed, at);
        return "exists" in repaid ? [created] : [created, repaid.leaf];
      });
      merkle.added(leaves);
      return { status: "applied", loan_id: checked.signed.loan_id };
    },
    applyRepayment(repayment, options = {}) {
      open();
      const nowMs = time(options.nowMs);
      const result = tx(() => book.repay(repayment, nowMs));
      if ("exists" in result) return result.exists;
      if (result.replaced) merkle.invalidate();
      else merkle.added([result.leaf]);
      const loanId = (repayment as { loan_id: string }).loan_id;
      return { status: "applied", loan_id: loanId, event_id: result.leaf.tradeId };
    },
    applyDueDefaults(nowMs) {
      open();
      const at = time(nowMs);
      const { loanIds, leaves } = tx(() => book.defaultDue(at));
      merkle.added(leaves);
      return loanIds.map((id) => storedLoan(get.get(id) as LoanRow));
    },
    get(loanId) {
      open();
      if (!isTradeId(loanId)) throw new TypeError(`"loanId" expected 64 lowercase hex characters`);
      const row = get.get(loanId) as LoanRow | undefined;
      return row === undefined ? undefined : storedLoan(row);
    },
    list(request = {}) {
      open();
      const limit = request.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > LOAN_PAGE_MAX)
        throw new RangeError(`"limit" expected 1..${LOAN_PAGE_MAX}`);
      if (request.account !== undefined) checkAccountId(request.account, "account");
      const where: string[] = [];
      const args: unknown[] = [];
      if (request.account !== undefined) {
        where.push("(lender = ? OR borrower = ?)");
        args.push(request.account, request.account);
      }
      if (request.status !== undefined) {
        if (!["active", "repaid", "defaulted"].includes(request.status))
          throw new RangeError(`"status" expected active, repaid or defaulted`);
        where.push("status = ?");
        args.push(request.status);
      }
      const sql = `SELECT * FROM loans ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY created_ms DESC, loan_id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, limit) as LoanRow[]).map(storedLoan);
    },
    events(loanId) {
      open();
      return (events.all(loanId) as LoanEventRow[]).map(storedLoanEvent);
    },
    repayments(limit = 100) {
      open();
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > LOAN_PAGE_MAX * 10)
        throw new RangeError(`"limit" expected 1..${LOAN_PAGE_MAX * 10}`);
      return (
        repaid.all(limit) as {
          loan_id: string;
          borrower: string;
          total_due_trm: number;
          timestamp_ms: number;
          signature: Uint8Array;
        }[]
      ).map((r) => ({
        kind: "loan_repayment" as const,
        loan_id: r.loan_id,
        borrower: r.borrower as AccountId,
        amount_trm: r.total_due_trm,
        timestamp_ms: r.timestamp_ms,
        signature: toHex(new Uint8Array(r.signature)),
      }));
    },
    dueBefore(beforeMs, limit = 100) {
      open();
      return (due.all(beforeMs, limit) as LoanRow[]).map(storedLoan);
    },
    credit(account) {
      open();
      checkAccountId(account, "account");
      return deps.credit(account);
    },
    stats(account) {
      open();
      if (account !== undefined) checkAccountId(account, "account");
      const a = account ?? null;
      const row = stats.get(a, a, a) as Omit<LoanStats, "burned_trm">;
      return { ...row, burned_trm: burned.get() as number };
    },
    exposure(account) {
      open();
      checkAccountId(account, "account");
      return exposure.get(...new Array<string>(10).fill(account)) as LoanExposure;
    },
  };
}
