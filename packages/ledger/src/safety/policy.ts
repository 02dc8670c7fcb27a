/**
 * Budget policies: what a spender (the operator or a named agent) may spend, per request, per sliding
 * hour and over its lifetime, and where a human must approve. Pure validation; storage is in `budget.ts`.
 * @module
 */
import { isAmountTrm } from "@tirami/core";
import {
  DEFAULT_APPROVAL_THRESHOLD_TRM,
  DEFAULT_HOURLY_MAX_TRM,
  DEFAULT_LIFETIME_MAX_TRM,
  DEFAULT_PER_REQUEST_HARD_MAX_TRM,
  DEFAULT_PER_REQUEST_MAX_TRM,
  SPENDER_RE,
} from "./constants.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";

/**
 * A spender's budget policy. All amounts are integer TRM.
 *
 * - `per_request_max_trm`: the auto cap — a spend up to it needs no human.
 * - `approval_threshold_trm`: a spend above it always needs a human, even under a raised auto cap;
 *   `null` disables human approval (then the auto cap is a hard limit).
 * - `per_request_hard_max_trm`: no single spend above it, approved or not (≥ the auto cap).
 * - `hourly_max_trm`: granted spend in any sliding 60 minutes; `lifetime_max_trm`: granted spend ever.
 */
export interface SafetyPolicy {
  per_request_max_trm: number;
  per_request_hard_max_trm: number;
  hourly_max_trm: number;
  lifetime_max_trm: number;
  approval_threshold_trm: number | null;
}

/** The built-in defaults: 1,000 auto / 10,000 hard per request, 10,000 per hour, 1,000,000 lifetime, approval above 5,000. */
export const DEFAULT_SAFETY_POLICY: Readonly<SafetyPolicy> = Object.freeze({
  per_request_max_trm: DEFAULT_PER_REQUEST_MAX_TRM,
  per_request_hard_max_trm: DEFAULT_PER_REQUEST_HARD_MAX_TRM,
  hourly_max_trm: DEFAULT_HOURLY_MAX_TRM,
  lifetime_max_trm: DEFAULT_LIFETIME_MAX_TRM,
  approval_threshold_trm: DEFAULT_APPROVAL_THRESHOLD_TRM,
});

const POLICY_KEYS = [
  "per_request_max_trm",
  "per_request_hard_max_trm",
  "hourly_max_trm",
  "lifetime_max_trm",
  "approval_threshold_trm",
] as const;

/** True when `value` is a valid spender name (1–64 of [a-z0-9_-]). */
export function isSpenderName(value: unknown): value is string {
  return typeof value === "string" && SPENDER_RE.test(value);
}

/** Throws `SafetyError(INVALID_SPENDER)` unless `value` is a valid spender name. */
export function assertSpenderName(value: unknown): asserts value is string {
  if (!isSpenderName(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new SafetyError(SafetyErrorCode.INVALID_SPENDER, `spender must match ${SPENDER_RE}, got ${shown}`);
  }
}

/**
 * Merges `partial` over `base` and validates the result: every limit a non-negative safe integer
 * (`approval_threshold_trm` may be null), and the hard max at least the auto cap. Unknown keys are
 * rejected so a typo never silently leaves a default in force. Throws `SafetyError(INVALID_POLICY)`.
 */
export function mergePolicy(
  base: Readonly<SafetyPolicy>,
  partial: Readonly<Partial<SafetyPolicy>>,
): SafetyPolicy {
  if (typeof partial !== "object" || partial === null) {
    throw new SafetyError(SafetyErrorCode.INVALID_POLICY, "policy must be an object");
  }
  for (const key of Object.keys(partial)) {
    if (!(POLICY_KEYS as readonly string[]).includes(key)) {
      throw new SafetyError(SafetyErrorCode.INVALID_POLICY, `unknown policy field "${key}"`, {
        details: { field: key },
      });
    }
  }
  const merged: SafetyPolicy = { ...base };
  for (const key of POLICY_KEYS) {
    const value = partial[key];
    if (value === undefined) continue;
    if (key === "approval_threshold_trm" && value === null) {
      merged.approval_threshold_trm = null;
      continue;
    }
    if (!isAmountTrm(value)) {
      throw new SafetyError(
        SafetyErrorCode.INVALID_POLICY,
        `"${key}" expected a non-negative safe integer TRM amount, got ${String(value)}`,
        { details: { field: key } },
      );
    }
    merged[key] = value;
  }
  if (merged.per_request_hard_max_trm < merged.per_request_max_trm) {
    throw new SafetyError(
      SafetyErrorCode.INVALID_POLICY,
      `per_request_hard_max_trm (${merged.per_request_hard_max_trm}) must be ≥ per_request_max_trm (${merged.per_request_max_trm})`,
      { details: { field: "per_request_hard_max_trm" } },
    );
  }
  return merged;
}
