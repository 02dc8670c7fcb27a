/**
 * Typed errors of the ledger. Every deliberate failure is a `LedgerError` with a stable `code` from
 * `LedgerErrorCode`; a rejected operation leaves the database unchanged.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

export const LedgerErrorCode = {
  /** The consumer's effective balance (balance − reserved, plus its hold when settling one) is too small. */
  INSUFFICIENT_BALANCE: "INSUFFICIENT_BALANCE",
  /** The account has never been seen by this ledger. */
  UNKNOWN_ACCOUNT: "UNKNOWN_ACCOUNT",
  /** `trade_id` does not match the content, or a signature does not verify. */
  TRADE_SIGNATURE_INVALID: "TRADE_SIGNATURE_INVALID",
  /** The trade's timestamp is outside the freshness window. */
  TRADE_STALE: "TRADE_STALE",
  /** A trade with this id exists with different content or signatures. */
  TRADE_CONFLICT: "TRADE_CONFLICT",
  /** The trade is malformed, or its amount is not proto's `tradeCostTrm(trade)`. */
  TRADE_INVALID: "TRADE_INVALID",
  /** No trade with this id. */
  TRADE_NOT_FOUND: "TRADE_NOT_FOUND",
  /** No active hold with this id (never existed, already settled, released or expired). */
  HOLD_NOT_FOUND: "HOLD_NOT_FOUND",
  /** A settle or trade asked for more than the hold reserved, or the hold belongs to another account. */
  HOLD_EXCEEDED: "HOLD_EXCEEDED",
  /** Too many active holds on one account. */
  HOLD_LIMIT: "HOLD_LIMIT",
  /** The provider-side admission rule refused a consumer (see `details.reason`). */
  CONSUMER_NOT_ADMITTED: "CONSUMER_NOT_ADMITTED",
  /** A settlement window holds more trades than `SETTLEMENT_TRADES_MAX`. */
  WINDOW_TOO_LARGE: "WINDOW_TOO_LARGE",
  /** The operation needs `localAccount`, which was not configured. */
  NO_LOCAL_ACCOUNT: "NO_LOCAL_ACCOUNT",
  /** A loan is malformed or breaks a contract rule (LTV, term, due time, parties). */
  LOAN_INVALID: "LOAN_INVALID",
  /** `loan_id` does not match the content, or the lender's or borrower's signature does not verify. */
  LOAN_SIGNATURE_INVALID: "LOAN_SIGNATURE_INVALID",
  /** The loan's `created_ms` (or a repayment's `timestamp_ms`) is outside the freshness window. */
  LOAN_STALE: "LOAN_STALE",
  /** A loan with this id exists with different signatures. */
  LOAN_CONFLICT: "LOAN_CONFLICT",
  /** No loan with this id. */
  LOAN_NOT_FOUND: "LOAN_NOT_FOUND",
  /** The loan is already repaid or defaulted (`details.status`). */
  LOAN_NOT_ACTIVE: "LOAN_NOT_ACTIVE",
  /** An insurance policy is malformed, breaks a rule, or does not insure its loan's lender (docs/bank.md). */
  POLICY_INVALID: "POLICY_INVALID",
  /** `policy_id` does not match the content, or the insurer's or insured's signature does not verify. */
  POLICY_SIGNATURE_INVALID: "POLICY_SIGNATURE_INVALID",
  /** The policy's `created_ms` is outside the freshness window. */
  POLICY_STALE: "POLICY_STALE",
  /** A policy with this id exists with different signatures. */
  POLICY_CONFLICT: "POLICY_CONFLICT",
  /** A future is malformed or breaks a rule (docs/bank.md). */
  FUTURE_INVALID: "FUTURE_INVALID",
  /** `future_id` does not match the content, or the long or short signature does not verify. */
  FUTURE_SIGNATURE_INVALID: "FUTURE_SIGNATURE_INVALID",
  /** The future's `created_ms` is outside the freshness window. */
  FUTURE_STALE: "FUTURE_STALE",
  /** A future with this id exists with different signatures. */
  FUTURE_CONFLICT: "FUTURE_CONFLICT",
  /** A repayment is malformed, not signed by the loan's borrower, or not for the total due. */
  REPAYMENT_INVALID: "REPAYMENT_INVALID",
  /** A repayment stamped after the loan's due time (or before it was made). */
  REPAYMENT_LATE: "REPAYMENT_LATE",
  /** The ledger was closed. */
  LEDGER_CLOSED: "LEDGER_CLOSED",
} as const;
export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

/** Thrown by every ledger operation that refuses its input or state. */
export class LedgerError extends TiramiError {
  override name = "LedgerError";
  declare readonly code: LedgerErrorCode;
  constructor(code: LedgerErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}
