/**
 * Spender policies: what a spender (the operator or a named agent) may spend, per request, per sliding
 * hour and over its lifetime, where a human must approve, and when its circuit breaker trips. Two
 * built-in defaults: one for agents (strict breaker) and one for the operator (a breaker that fits a
 * node serving as a gateway). Pure validation; storage is in `policy-store.ts`.
 * @module
 */
import type { SpendPolicy } from "@tirami/client";
import { isAmountTrm } from "@tirami/core";
import {
  BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX,
  DEFAULT_APPROVAL_THRESHOLD_TRM,
  DEFAULT_BREAKER_CONSECUTIVE_ERRORS_MAX,
  DEFAULT_HOURLY_MAX_TRM,
  DEFAULT_LIFETIME_MAX_TRM,
  DEFAULT_PER_REQUEST_HARD_MAX_TRM,
  DEFAULT_PER_REQUEST_MAX_TRM,
  DEFAULT_VELOCITY_SPENDS_PER_MINUTE_MAX,
  OPERATOR_BREAKER_CONSECUTIVE_ERRORS_MAX,
  OPERATOR_VELOCITY_SPENDS_PER_MINUTE_MAX,
  SPENDER_RE,
  VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX,
} from "./constants.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";

/**
 * A spender's policy. Amounts are integer TRM; the breaker settings are counts.
 *
 * - `per_request_max_trm`: the auto cap — a spend up to it needs no human.
 * - `approval_threshold_trm`: a spend above it always needs a human, even under a raised auto cap;
 *   `null` disables human approval (then the auto cap is a hard limit).
 * - `per_request_hard_max_trm`: no single spend above it, approved or not (≥ the auto cap).
 * - `hourly_max_trm`: granted spend in any sliding 60 minutes; `lifetime_max_trm`: granted spend ever.
 * - `velocity_spends_per_minute_max`: allowed spends in any sliding minute; the next one is denied and
 *   trips the breaker (1 to `VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX`).
 * - `breaker_consecutive_errors_max`: failed outcomes in a row that trip the breaker (1 to
 *   `BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX`).
 */
export type SafetyPolicy = SpendPolicy;

/**
 * The built-in default of every agent (any spender but the operator): 1,000 auto / 10,000 hard per
 * request, 10,000 per hour, 1,000,000 lifetime, approval above 5,000; the breaker trips on a 31st spend
 * within a minute or on 5 failures in a row.
 */
export const DEFAULT_SAFETY_POLICY: Readonly<SafetyPolicy> = Object.freeze({
  per_request_max_trm: DEFAULT_PER_REQUEST_MAX_TRM,
  per_request_hard_max_trm: DEFAULT_PER_REQUEST_HARD_MAX_TRM,
  hourly_max_trm: DEFAULT_HOURLY_MAX_TRM,
  lifetime_max_trm: DEFAULT_LIFETIME_MAX_TRM,
  approval_threshold_trm: DEFAULT_APPROVAL_THRESHOLD_TRM,
  velocity_spends_per_minute_max: DEFAULT_VELOCITY_SPENDS_PER_MINUTE_MAX,
  breaker_consecutive_errors_max: DEFAULT_BREAKER_CONSECUTIVE_ERRORS_MAX,
});

/**
 * The built-in default of the operator (`OPERATOR_SPENDER`): the same budgets as an agent, and a breaker
 * sized for a gateway — 600 spends a minute, 20 failures in a row (see `constants.ts` for why).
 */
export const DEFAULT_OPERATOR_SAFETY_POLICY: Readonly<SafetyPolicy> = Object.freeze({
  ...DEFAULT_SAFETY_POLICY,
  velocity_spends_per_minute_max: OPERATOR_VELOCITY_SPENDS_PER_MINUTE_MAX,
  breaker_consecutive_errors_max: OPERATOR_BREAKER_CONSECUTIVE_ERRORS_MAX,
});

const AMOUNT_KEYS = [
  "per_request_max_trm",
  "per_request_hard_max_trm",
  "hourly_max_trm",
  "lifetime_max_trm",
  "approval_threshold_trm",
] as const;

/** The breaker settings and the largest value each may take. */
const COUNT_MAX = {
  velocity_spends_per_minute_max: VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX,
  breaker_consecutive_errors_max: BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX,
} as const;

const POLICY_KEYS: readonly string[] = [...AMOUNT_KEYS, ...Object.keys(COUNT_MAX)];

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
 * Merges `partial` over `base` and validates the result: every amount a non-negative safe integer
 * (`approval_threshold_trm` may be null), every breaker setting an integer from 1 to its maximum, and the
 * hard max at least the auto cap. Unknown keys are rejected so a typo never silently leaves a default in
 * force. Throws `SafetyError(INVALID_POLICY)`.
 */
export function mergePolicy(
  base: Readonly<SafetyPolicy>,
  partial: Readonly<Partial<SafetyPolicy>>,
): SafetyPolicy {
  if (typeof partial !== "object" || partial === null) {
    throw new SafetyError(SafetyErrorCode.INVALID_POLICY, "policy must be an object");
  }
  for (const key of Object.keys(partial)) {
    if (!POLICY_KEYS.includes(key)) {
      throw new SafetyError(SafetyErrorCode.INVALID_POLICY, `unknown policy field "${key}"`, {
        details: { field: key },
      });
    }
  }
  const merged: SafetyPolicy = { ...base };
  for (const key of AMOUNT_KEYS) {
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
  for (const [key, max] of Object.entries(COUNT_MAX) as [keyof typeof COUNT_MAX, number][]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new SafetyError(
        SafetyErrorCode.INVALID_POLICY,
        `"${key}" expected an integer from 1 to ${max}, got ${String(value)}`,
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
