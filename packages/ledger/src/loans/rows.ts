/**
 * Loans and loan events as stored and as returned (JSON-shaped, units in names).
 * @module
 */
import { toHex } from "@tirami/core";
import type { Loan, SignedLoan } from "@tirami/proto";

export type LoanStatus = "active" | "repaid" | "defaulted";
export type LoanEventKind = "created" | "repaid" | "defaulted";

/** A loan row as SQLite returns it. */
export interface LoanRow extends Loan {
  loan_id: string;
  interest_trm: number;
  total_due_trm: number;
  canonical: Uint8Array;
  lender_signature: Uint8Array;
  borrower_signature: Uint8Array;
  status: LoanStatus;
  hold_id: string | null;
  closed_ms: number | null;
  applied_ms: number;
}

/** A loan event row as SQLite returns it. */
export interface LoanEventRow {
  event_id: string;
  loan_id: string;
  kind: LoanEventKind;
  timestamp_ms: number;
  canonical: Uint8Array;
  signature: Uint8Array | null;
  leaf_hash: Uint8Array;
  applied_ms: number;
}

/** A stored loan: the signed contract, its derived figures and its state. */
export interface StoredLoan extends SignedLoan {
  interest_trm: number;
  total_due_trm: number;
  status: LoanStatus;
  /** Repayment or default time (ms); null while active. */
  closed_ms: number | null;
  applied_ms: number;
}

/** A stored loan event (a Merkle leaf). */
export interface StoredLoanEvent {
  event_id: string;
  loan_id: string;
  kind: LoanEventKind;
  timestamp_ms: number;
  /** The borrower's signature of a repayment; null for `created` (its two are on the loan) and `defaulted`. */
  signature: string | null;
  leaf_hash: string;
}

export function loanFromRow(row: LoanRow): Loan {
  return {
    lender: row.lender,
    borrower: row.borrower,
    principal_trm: row.principal_trm,
    interest_ppm_per_hour: row.interest_ppm_per_hour,
    term_hours: row.term_hours,
    collateral_trm: row.collateral_trm,
    created_ms: row.created_ms,
    due_ms: row.due_ms,
    nonce: row.nonce,
  };
}

export function storedLoan(row: LoanRow): StoredLoan {
  return {
    loan_id: row.loan_id,
    loan: loanFromRow(row),
    lender_signature: toHex(new Uint8Array(row.lender_signature)),
    borrower_signature: toHex(new Uint8Array(row.borrower_signature)),
    interest_trm: row.interest_trm,
    total_due_trm: row.total_due_trm,
    status: row.status,
    closed_ms: row.closed_ms,
    applied_ms: row.applied_ms,
  };
}

export function storedLoanEvent(row: LoanEventRow): StoredLoanEvent {
  return {
    event_id: row.event_id,
    loan_id: row.loan_id,
    kind: row.kind,
    timestamp_ms: row.timestamp_ms,
    signature: row.signature === null ? null : toHex(new Uint8Array(row.signature)),
    leaf_hash: toHex(new Uint8Array(row.leaf_hash)),
  };
}
