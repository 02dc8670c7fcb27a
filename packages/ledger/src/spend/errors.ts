/**
 * Errors of the spend path (docs/architecture.md §6). A denial happens before any TRM is reserved: its
 * `code` is the safety gate's reason code (KILL_SWITCH_ACTIVE, HOURLY_LIMIT_EXCEEDED, APPROVAL_REQUIRED, …)
 * or the spender directory's (an app's AGENT_FROZEN, or SPENDER_UNKNOWN). A `SpendError` is a failure after
 * the hold was taken; the hold and the grant are released before it is thrown.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Codes the spend path itself throws. */
export const SpendErrorCode = {
  /** The counterparty did not sign the trade in time; nothing moved. */
  COUNTERPARTY_TIMEOUT: "COUNTERPARTY_TIMEOUT",
  /** No spender directory knows this spender (only the operator can spend without one). */
  SPENDER_UNKNOWN: "SPENDER_UNKNOWN",
} as const;
export type SpendErrorCode = (typeof SpendErrorCode)[keyof typeof SpendErrorCode];

/** Thrown when the safety gate (or the spender directory) refuses a spend; nothing was reserved. */
export class SpendDeniedError extends TiramiError {
  override name = "SpendDeniedError";
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}

/** A spend that failed after its hold was taken (the hold was released). */
export class SpendError extends TiramiError {
  override name = "SpendError";
  declare readonly code: SpendErrorCode;
  constructor(code: SpendErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}
