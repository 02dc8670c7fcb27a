/**
 * Input checks of the gate: the shape of a spend request (step 0, a denial, never thrown), the text
 * arguments of the administrative methods (thrown as `INVALID_ARGUMENT`) and list limits.
 * @module
 */
import { isAmountTrm } from "@tirami/core";
import {
  APPROVAL_DEADLINE_MAX_MS,
  DECISION_LIST_LIMIT_MAX,
  REASON_CHARS_MAX,
  REQUEST_ID_CHARS_MAX,
} from "./constants.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";
import { isSpenderName } from "./policy.js";
import type { SpendRequest } from "./types.js";

/** Returns `value` when it is a string of 1–`maxChars` characters; throws `SafetyError(INVALID_ARGUMENT)` otherwise. */
export function checkText(value: unknown, field: string, maxChars: number): string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxChars) {
    throw new SafetyError(SafetyErrorCode.INVALID_ARGUMENT, `"${field}" expected 1–${maxChars} characters`, {
      details: { field },
    });
  }
  return value;
}

/** Why a request is malformed, or null when it is well-formed. */
export function requestProblem(request: SpendRequest): string | null {
  if (typeof request !== "object" || request === null) return "request must be an object";
  if (!isSpenderName(request.spender)) return "spender must be 1–64 of [a-z0-9_-]";
  if (!isAmountTrm(request.amountTrm)) return "amountTrm must be a non-negative safe integer";
  if (
    typeof request.reason !== "string" ||
    request.reason.length === 0 ||
    request.reason.length > REASON_CHARS_MAX
  ) {
    return `reason must be 1–${REASON_CHARS_MAX} characters`;
  }
  const { requestId, approvalId } = request;
  if (
    requestId !== undefined &&
    (typeof requestId !== "string" || requestId.length === 0 || requestId.length > REQUEST_ID_CHARS_MAX)
  ) {
    return `requestId must be 1–${REQUEST_ID_CHARS_MAX} characters`;
  }
  if (
    approvalId !== undefined &&
    (typeof approvalId !== "string" || approvalId.length === 0 || approvalId.length > 64)
  ) {
    return "approvalId must be 1–64 characters";
  }
  return null;
}

/** Throws RangeError unless `value` is an integer approval deadline in [1 s, `APPROVAL_DEADLINE_MAX_MS`]. */
export function checkApprovalDeadlineMs(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1_000 || value > APPROVAL_DEADLINE_MAX_MS) {
    throw new RangeError(
      `"approvalDeadlineMs" expected an integer in [1000, ${APPROVAL_DEADLINE_MAX_MS}], got ${value}`,
    );
  }
  return value;
}

/** A list call's row limit: default 100, clamped to [1, `DECISION_LIST_LIMIT_MAX`]. */
export function listLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, Math.trunc(limit ?? 100)), DECISION_LIST_LIMIT_MAX);
}
