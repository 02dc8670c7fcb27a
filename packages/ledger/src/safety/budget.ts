/**
 * Budgets (steps 4–5): the checks against a spender's policy — the per-request hard max, then the
 * sliding-hour window, then the lifetime cap. Windows count grants still live plus settled spend (see
 * `grants.ts`), read through `store.ts`; the policy itself comes from `policy-store.ts`.
 * @module
 */
import { addTrm } from "@tirami/core";
import { SafetyErrorCode } from "./errors.js";
import { deny, type Outcome } from "./outcome.js";
import type { SafetyPolicy } from "./policy.js";
import type { SafetyStore } from "./store.js";

export interface Budget {
  /** Steps 4–5: a denial when `amountTrm` breaks the hard max, the hourly or the lifetime budget, else null. */
  check(request: { spender: string; amountTrm: number }, policy: SafetyPolicy, nowMs: number): Outcome | null;
}

export function createBudget(deps: { store: SafetyStore }): Budget {
  const { store } = deps;

  return {
    check({ spender, amountTrm }, policy, nowMs) {
      if (amountTrm > policy.per_request_hard_max_trm) {
        return deny(
          SafetyErrorCode.EXCEEDS_REQUEST_LIMIT,
          `${amountTrm} TRM exceeds the per-request hard max ${policy.per_request_hard_max_trm}`,
        );
      }
      const hourlyUsed = store.hourlyUsed(spender, nowMs);
      if (addTrm(hourlyUsed, amountTrm) > policy.hourly_max_trm) {
        return deny(
          SafetyErrorCode.HOURLY_LIMIT_EXCEEDED,
          `hourly spend ${hourlyUsed} + ${amountTrm} exceeds ${policy.hourly_max_trm} TRM`,
        );
      }
      const lifetimeUsed = store.lifetimeUsed(spender, nowMs);
      if (addTrm(lifetimeUsed, amountTrm) > policy.lifetime_max_trm) {
        return deny(
          SafetyErrorCode.LIFETIME_CAP_REACHED,
          `lifetime spend ${lifetimeUsed} + ${amountTrm} exceeds ${policy.lifetime_max_trm} TRM`,
        );
      }
      return null;
    },
  };
}
