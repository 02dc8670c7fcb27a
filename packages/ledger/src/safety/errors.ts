/**
 * Safety error and decision codes. Denial codes appear in `SpendDecision.code` and in the decision log;
 * `SafetyError` is thrown only by the administrative methods (policy, approvals, kill switch, settle).
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Stable codes. Deny codes are returned by `checkSpend`; the rest are thrown as `SafetyError`. */
export const SafetyErrorCode = {
  /** Kill switch active: every spend is blocked. */
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  /** The spender's circuit breaker is open (5 consecutive errors or a velocity anomaly), for 5 minutes. */
  CIRCUIT_BREAKER_TRIPPED: "CIRCUIT_BREAKER_TRIPPED",
  /** More than 30 spends in a sliding minute: denied, and the breaker trips. */
  VELOCITY_ANOMALY: "VELOCITY_ANOMALY",
  /** Above the per-request hard max (or above the auto cap with approval disabled). */
  EXCEEDS_REQUEST_LIMIT: "EXCEEDS_REQUEST_LIMIT",
  HOURLY_LIMIT_EXCEEDED: "HOURLY_LIMIT_EXCEEDED",
  LIFETIME_CAP_REACHED: "LIFETIME_CAP_REACHED",
  /** A pending approval was created (or already waits); retry after an operator approves. */
  APPROVAL_REQUIRED: "APPROVAL_REQUIRED",
  APPROVAL_DENIED: "APPROVAL_DENIED",
  APPROVAL_EXPIRED: "APPROVAL_EXPIRED",
  APPROVAL_CONSUMED: "APPROVAL_CONSUMED",
  APPROVAL_MISMATCH: "APPROVAL_MISMATCH",
  APPROVAL_NOT_FOUND: "APPROVAL_NOT_FOUND",
  APPROVAL_QUEUE_FULL: "APPROVAL_QUEUE_FULL",
  /** approve/deny of an approval that is no longer pending (thrown). */
  APPROVAL_NOT_PENDING: "APPROVAL_NOT_PENDING",
  /** Malformed spend request (spender name, amount, reason): denied, never thrown. */
  INVALID_SPEND_REQUEST: "INVALID_SPEND_REQUEST",
  /** Bad policy values or spender name in an admin call (thrown). */
  INVALID_POLICY: "INVALID_POLICY",
  INVALID_SPENDER: "INVALID_SPENDER",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  POLICIES_FULL: "POLICIES_FULL",
  /** recordSpend/releaseSpend with an unknown grant id (thrown). */
  SPEND_GRANT_NOT_FOUND: "SPEND_GRANT_NOT_FOUND",
  /** Anything went wrong inside the gate: it denies (fail closed). */
  SAFETY_INTERNAL_ERROR: "SAFETY_INTERNAL_ERROR",
} as const;
export type SafetyErrorCode = (typeof SafetyErrorCode)[keyof typeof SafetyErrorCode];

/** Codes a `checkSpend` denial can carry. */
export type SafetyDenyCode = Exclude<
  SafetyErrorCode,
  | "APPROVAL_NOT_PENDING"
  | "INVALID_POLICY"
  | "INVALID_SPENDER"
  | "INVALID_ARGUMENT"
  | "POLICIES_FULL"
  | "SPEND_GRANT_NOT_FOUND"
>;

/** Thrown by the gate's administrative methods. */
export class SafetyError extends TiramiError {
  override name = "SafetyError";
  constructor(code: SafetyErrorCode, message: string, options: TiramiErrorOptions = {}) {
    super(code, message, options);
  }
}
