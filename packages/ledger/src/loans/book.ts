/**
 * The loan book: applying a dual-signed loan, its borrower's repayment and its default, exactly once, with
 * every movement journalled (docs/lending.md). All writes run inside the caller's `BEGIN IMMEDIATE`
 * transaction, so a refused event rolls back with it and changes nothing.
 *
 * - create: principal lender → borrower (`loan_debit` / `loan_credit`), collateral held on the borrower,
 *   a `created` leaf. (Whether the borrower could hold the collateral without the principal is checked by
 *   the parties before they sign; the rule every node applies is the order-independent one.)
 * - repay: stamped in [created_ms, due_ms] and signed by the borrower, for exactly the total due; the
 *   collateral is released and principal + interest move borrower → lender; a `repaid` leaf. Should a
 *   borrower sign two repayments, the smaller (timestamp_ms, id) is kept on every node, whatever arrived
 *   first, so roots still agree.
 * - default: once `due_ms + LOAN_DEFAULT_GRACE_MS` has passed with no repayment (and the loan has been
 *   known here for `LOAN_DEFAULT_SETTLE_MS`, so a node catching up sees the repayment that follows the
 *   loan in the same sync first), the collateral is seized: 10 % burned (`burn`), the rest to the
 *   lender; the borrower's reputation falls; a `defaulted` leaf derived from the loan alone.
 * @module
 */
import type Database from "better-sqlite3";
import { fromHex, sha256, toHex } from "@tirami/core";
import {
  checkSignedLoan,
  isTradeId,
  loanCanonicalBytes,
  type LoanDefault,
  loanDefaultCanonicalBytes,
  type LoanRepayment,
  loanRepaymentSigningBytes,
  loanTotalDueTrm,
  loanInterestTrm,
  parseLoan,
  type SignedLoan,
  verifyLoanRepayment,
} from "@tirami/proto";
import type { Accounts } from "../accounts.js";
import { LedgerError, LedgerErrorCode } from "../errors.js";
import type { Holds } from "../holds.js";
import type { Journal } from "../journal.js";
import { leafHash } from "../merkle/hash.js";
import type { AddedLeaf } from "../merkle-log.js";
import type { Reputation } from "../reputation/index.js";
import { COLLATERAL_BURN_PER_MILLE, DEFAULT_SWEEP_BATCH_MAX, LOAN_DEFAULT_GRACE_MS } from "./constants.js";
import type { LoanEventRow, LoanRow } from "./rows.js";

/** How long a loan must be known here before this node may default it (see the module comment). */
export const LOAN_DEFAULT_SETTLE_MS = 60_000;

export type ApplyLoanResult = { status: "applied" | "exists"; loan_id: string };
export type ApplyRepaymentResult = { status: "applied" | "exists"; loan_id: string; event_id: string };

export interface LoanBookDeps {
  db: Database.Database;
  accounts: Accounts;
  journal: Journal;
  holds: Holds;
  reputation: Reputation;
  freshnessWindowMs: number;
  /** The ledger's clock: the time written on journal entries and events (`nowMs` may be an event's own). */
  now: () => number;
  /** Inside the default's transaction: what else follows from it (insurance payouts, docs/bank.md). */
  onDefault?: (loanId: string, defaultMs: number, nowMs: number) => AddedLeaf[];
}

/** A loan that passed every check outside the transaction. */
interface CheckedLoan {
  signed: SignedLoan;
  canonical: Uint8Array;
}

export interface LoanBook {
  /** Checks that need no write lock; returns the loan to write, or `exists` for an identical replay. */
  checkLoan(signed: unknown, nowMs: number): CheckedLoan | { exists: string };
  /**
   * Inside a write transaction: funds and writes a checked loan; returns its leaf. With `principalLast`,
   * the principal moves after the caller's next step (a repayment in the same transaction, see
   * `Loans.applySignedLoan`), so a lender whose funds are out in later events can still be shown the loan.
   */
  writeLoan(checked: CheckedLoan, nowMs: number, principalLast?: boolean): AddedLeaf;
  /** Inside the same transaction as `writeLoan(…, true)`: takes the lender's principal it deferred. */
  payPrincipal(signed: SignedLoan, nowMs: number): void;
  /**
   * Inside a write transaction: applies a repayment; returns its leaf (and whether an earlier-stamped
   * repayment replaced a stored one, which the Merkle cache must reload for), or `exists`.
   */
  repay(
    repayment: unknown,
    nowMs: number,
  ): { leaf: AddedLeaf; replaced: boolean } | { exists: ApplyRepaymentResult };
  /** Inside a write transaction: defaults up to a batch of loans due for it at `nowMs`. */
  defaultDue(nowMs: number): { loanIds: string[]; leaves: AddedLeaf[] };
  /** The default record of a loan (what every node derives). */
  defaultRecord(row: LoanRow): LoanDefault;
}

function fail(code: LedgerErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new LedgerError(code, message, { details });
}

export function createLoanBook(deps: LoanBookDeps): LoanBook {
  const { db, accounts, journal, holds, reputation } = deps;
  const selectLoan = db.prepare("SELECT * FROM loans WHERE loan_id = ?");
  const insertLoan =
    db.prepare(`INSERT INTO loans (loan_id, lender, borrower, principal_trm, interest_ppm_per_hour,
    term_hours, collateral_trm, created_ms, due_ms, nonce, interest_trm, total_due_trm, canonical, lender_signature,
    borrower_signature, status, hold_id, closed_ms, applied_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, ?)`);
  const closeLoan = db.prepare(
    "UPDATE loans SET status = ?, closed_ms = ? WHERE loan_id = ? AND status = 'active'",
  );
  const insertEvent =
    db.prepare(`INSERT INTO loan_events (event_id, loan_id, kind, timestamp_ms, canonical, signature,
    leaf_hash, applied_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const selectEvent = db.prepare("SELECT * FROM loan_events WHERE event_id = ?");
  const repaidEvent = db.prepare("SELECT * FROM loan_events WHERE loan_id = ? AND kind = 'repaid'");
  const replaceRepaid =
    db.prepare(`UPDATE loan_events SET event_id = ?, timestamp_ms = ?, canonical = ?, signature = ?,
    leaf_hash = ?, applied_ms = ? WHERE loan_id = ? AND kind = 'repaid'`);
  const moveRepaidTime = db.prepare("UPDATE loans SET closed_ms = ? WHERE loan_id = ? AND status = 'repaid'");
  const dueForDefault = db.prepare(
    "SELECT * FROM loans WHERE status = 'active' AND due_ms <= ? AND applied_ms <= ? ORDER BY due_ms, loan_id LIMIT ?",
  );

  function defaultRecord(row: LoanRow): LoanDefault {
    const burned = Math.floor((row.collateral_trm * COLLATERAL_BURN_PER_MILLE) / 1000);
    return {
      loan_id: row.loan_id,
      borrower: row.borrower,
      lender: row.lender,
      collateral_trm: row.collateral_trm,
      burned_trm: burned,
      recovered_trm: row.collateral_trm - burned,
      default_ms: row.due_ms + LOAN_DEFAULT_GRACE_MS,
    };
  }

  function effective(account: string, nowMs: number): number {
    const row = accounts.ensure(account, nowMs);
    return row.balance_trm - row.reserved_trm;
  }

  function transfer(
    from: string,
    to: string,
    amountTrm: number,
    loanId: string,
    reason: string,
    nowMs: number,
  ) {
    if (amountTrm === 0) return;
    journal.append({ accountId: from, kind: "loan_debit", amountTrm, loanId, reason, nowMs });
    journal.append({ accountId: to, kind: "loan_credit", amountTrm, loanId, reason, nowMs });
  }

  function releaseCollateral(row: LoanRow, nowMs: number): void {
    if (row.hold_id === null) return;
    const hold = holds.get(row.hold_id);
    if (hold !== undefined && hold.status === "active") holds.close(hold, "released", null, null, nowMs);
  }

  return {
    defaultRecord,

    checkLoan(signed, nowMs) {
      const id = (signed as { loan_id?: unknown } | null)?.loan_id;
      if (isTradeId(id)) {
        const stored = selectLoan.get(id) as LoanRow | undefined;
        if (stored !== undefined) {
          const s = signed as { lender_signature?: unknown; borrower_signature?: unknown };
          const same =
            s.lender_signature === toHex(new Uint8Array(stored.lender_signature)) &&
            s.borrower_signature === toHex(new Uint8Array(stored.borrower_signature));
          if (same && checkSignedLoan(signed) === null) return { exists: id };
          if (checkSignedLoan(signed) === null)
            fail(LedgerErrorCode.LOAN_CONFLICT, `loan ${id} exists with other signatures`, { loan_id: id });
        }
      }
      const failure = checkSignedLoan(signed);
      if (failure === "malformed") {
        let reason = "malformed signed loan";
        try {
          parseLoan((signed as { loan?: unknown } | null)?.loan);
        } catch (error) {
          reason = (error as Error).message;
        }
        fail(LedgerErrorCode.LOAN_INVALID, reason, { loan_id: typeof id === "string" ? id : null });
      }
      if (failure !== null)
        fail(
          LedgerErrorCode.LOAN_SIGNATURE_INVALID,
          `loan ${String(id)}: ${failure.replace(/_/g, " ")} does not verify`,
          {
            loan_id: id,
            failure,
          },
        );
      const clean = signed as SignedLoan;
      const loan = parseLoan(clean.loan);
      if (Math.abs(nowMs - loan.created_ms) > deps.freshnessWindowMs)
        fail(LedgerErrorCode.LOAN_STALE, `loan ${clean.loan_id} was made outside the freshness window`, {
          loan_id: clean.loan_id,
          created_ms: loan.created_ms,
        });
      const copy: SignedLoan = {
        loan_id: clean.loan_id,
        loan,
        lender_signature: clean.lender_signature,
        borrower_signature: clean.borrower_signature,
      };
      return { signed: copy, canonical: loanCanonicalBytes(loan) };
    },

    payPrincipal(signed, nowMs) {
      const lenderEffective = effective(signed.loan.lender, nowMs);
      if (lenderEffective < signed.loan.principal_trm)
        fail(LedgerErrorCode.INSUFFICIENT_BALANCE, `lender can lend ${lenderEffective} TRM`, {
          role: "lender",
          loan_id: signed.loan_id,
        });
      journal.append({
        accountId: signed.loan.lender,
        kind: "loan_debit",
        amountTrm: signed.loan.principal_trm,
        loanId: signed.loan_id,
        reason: "loan principal",
        nowMs,
      });
    },

    writeLoan({ signed, canonical }, nowMs, principalLast = false) {
      const { loan, loan_id: loanId } = signed;
      if (selectLoan.get(loanId) !== undefined)
        fail(LedgerErrorCode.LOAN_CONFLICT, `loan ${loanId} exists`, { loan_id: loanId });
      const lenderEffective = effective(loan.lender, nowMs);
      if (!principalLast && lenderEffective < loan.principal_trm)
        fail(
          LedgerErrorCode.INSUFFICIENT_BALANCE,
          `lender can lend ${lenderEffective} TRM, loan is ${loan.principal_trm}`,
          { role: "lender", account: loan.lender, effective_balance_trm: lenderEffective, loan_id: loanId },
        );
      // The principal arrives before the collateral is held: every node must reach the same verdict in
      // any order, and "the borrower can hold the collateral once it has the principal" is monotone in the
      // events it depends on. Whether the borrower could hold it without the principal is each party's
      // check before signing (docs/lending.md).
      if (!principalLast) accounts.ensure(loan.lender, nowMs);
      accounts.ensure(loan.borrower, nowMs);
      if (!principalLast)
        journal.append({
          accountId: loan.lender,
          kind: "loan_debit",
          amountTrm: loan.principal_trm,
          loanId,
          reason: "loan principal",
          nowMs,
        });
      journal.append({
        accountId: loan.borrower,
        kind: "loan_credit",
        amountTrm: loan.principal_trm,
        loanId,
        reason: "loan principal",
        nowMs,
      });
      let holdId: string;
      try {
        holdId = holds.lockCollateral(loan.borrower, loan.collateral_trm, loanId, nowMs);
      } catch (error) {
        if (error instanceof LedgerError)
          throw new LedgerError(error.code, `borrower cannot hold collateral: ${error.message}`, {
            details: { ...error.details, role: "borrower", loan_id: loanId },
          });
        throw error;
      }
      const interest = loanInterestTrm(loan);
      insertLoan.run(
        loanId,
        loan.lender,
        loan.borrower,
        loan.principal_trm,
        loan.interest_ppm_per_hour,
        loan.term_hours,
        loan.collateral_trm,
        loan.created_ms,
        loan.due_ms,
        loan.nonce,
        interest,
        loanTotalDueTrm(loan),
        canonical,
        fromHex(signed.lender_signature),
        fromHex(signed.borrower_signature),
        holdId,
        nowMs,
      );
      const leaf = leafHash(canonical);
      insertEvent.run(loanId, loanId, "created", loan.created_ms, canonical, null, leaf, nowMs);
      return { tradeId: loanId, timestampMs: loan.created_ms, leafHash: leaf };
    },

    repay(value, nowMs) {
      if (!verifyLoanRepayment(value))
        fail(LedgerErrorCode.REPAYMENT_INVALID, "repayment is malformed or its signature does not verify");
      const repayment = value as LoanRepayment;
      const canonical = loanRepaymentSigningBytes(repayment);
      const eventId = toHex(sha256(canonical));
      const existing = selectEvent.get(eventId) as LoanEventRow | undefined;
      if (existing !== undefined)
        return { exists: { status: "exists", loan_id: existing.loan_id, event_id: eventId } };
      const row = selectLoan.get(repayment.loan_id) as LoanRow | undefined;
      if (row === undefined)
        fail(LedgerErrorCode.LOAN_NOT_FOUND, `no loan ${repayment.loan_id}`, { loan_id: repayment.loan_id });
      if (repayment.borrower !== row.borrower)
        fail(LedgerErrorCode.REPAYMENT_INVALID, "repayment is not signed by the loan's borrower", {
          loan_id: row.loan_id,
          signer: repayment.borrower,
        });
      if (repayment.amount_trm !== row.total_due_trm)
        fail(
          LedgerErrorCode.REPAYMENT_INVALID,
          `repayment of ${repayment.amount_trm} TRM; the total due is ${row.total_due_trm}`,
          { loan_id: row.loan_id, total_due_trm: row.total_due_trm },
        );
      if (repayment.timestamp_ms > row.due_ms || repayment.timestamp_ms < row.created_ms)
        fail(
          LedgerErrorCode.REPAYMENT_LATE,
          `repayment stamped ${repayment.timestamp_ms}, outside the loan's term [${row.created_ms}, ${row.due_ms}]`,
          { loan_id: row.loan_id, due_ms: row.due_ms },
        );
      const leaf = leafHash(canonical);
      const added = { tradeId: eventId, timestampMs: repayment.timestamp_ms, leafHash: leaf };
      if (row.status === "repaid") {
        // The borrower signed two repayments: keep the smaller (timestamp_ms, id) everywhere.
        const stored = repaidEvent.get(row.loan_id) as LoanEventRow;
        const earlier =
          repayment.timestamp_ms < stored.timestamp_ms ||
          (repayment.timestamp_ms === stored.timestamp_ms && eventId < stored.event_id);
        if (!earlier)
          return { exists: { status: "exists", loan_id: row.loan_id, event_id: stored.event_id } };
        replaceRepaid.run(
          eventId,
          repayment.timestamp_ms,
          canonical,
          fromHex(repayment.signature),
          leaf,
          deps.now(),
          row.loan_id,
        );
        moveRepaidTime.run(repayment.timestamp_ms, row.loan_id);
        return { leaf: added, replaced: true };
      }
      if (row.status !== "active")
        fail(LedgerErrorCode.LOAN_NOT_ACTIVE, `loan ${row.loan_id} is ${row.status}`, {
          loan_id: row.loan_id,
          status: row.status,
        });
      // Freshness is checked only here, for a first repayment: an equivocating one may arrive any time.
      if (Math.abs(nowMs - repayment.timestamp_ms) > deps.freshnessWindowMs)
        fail(LedgerErrorCode.LOAN_STALE, `repayment stamped outside the freshness window`, {
          loan_id: row.loan_id,
          timestamp_ms: repayment.timestamp_ms,
        });
      const at = deps.now();
      releaseCollateral(row, at);
      const available = effective(row.borrower, at);
      if (available < row.total_due_trm)
        fail(
          LedgerErrorCode.INSUFFICIENT_BALANCE,
          `borrower can pay ${available} TRM (collateral included), owes ${row.total_due_trm}`,
          { role: "borrower", loan_id: row.loan_id, effective_balance_trm: available },
        );
      transfer(row.borrower, row.lender, row.total_due_trm, row.loan_id, "loan repayment", at);
      closeLoan.run("repaid", repayment.timestamp_ms, row.loan_id);
      insertEvent.run(
        eventId,
        row.loan_id,
        "repaid",
        repayment.timestamp_ms,
        canonical,
        fromHex(repayment.signature),
        leaf,
        at,
      );
      return { leaf: added, replaced: false };
    },

    defaultDue(nowMs) {
      const rows = dueForDefault.all(
        nowMs - LOAN_DEFAULT_GRACE_MS,
        nowMs - LOAN_DEFAULT_SETTLE_MS,
        DEFAULT_SWEEP_BATCH_MAX,
      ) as LoanRow[];
      const leaves: AddedLeaf[] = [];
      const loanIds: string[] = [];
      for (const row of rows) {
        const record = defaultRecord(row);
        releaseCollateral(row, nowMs);
        transfer(
          row.borrower,
          row.lender,
          record.recovered_trm,
          row.loan_id,
          "loan default: collateral seized",
          nowMs,
        );
        if (record.burned_trm > 0)
          journal.append({
            accountId: row.borrower,
            kind: "burn",
            amountTrm: record.burned_trm,
            loanId: row.loan_id,
            reason: "loan default: collateral burned",
            nowMs,
          });
        closeLoan.run("defaulted", record.default_ms, row.loan_id);
        const canonical = loanDefaultCanonicalBytes(record);
        const leaf = leafHash(canonical);
        const eventId = toHex(sha256(canonical));
        insertEvent.run(eventId, row.loan_id, "defaulted", record.default_ms, canonical, null, leaf, nowMs);
        reputation.recordFailure(row.borrower, "loan_default");
        leaves.push({ tradeId: eventId, timestampMs: record.default_ms, leafHash: leaf });
        leaves.push(...(deps.onDefault?.(row.loan_id, record.default_ms, nowMs) ?? []));
        loanIds.push(row.loan_id);
      }
      return { loanIds, leaves };
    },
  };
}
