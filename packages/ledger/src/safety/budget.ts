/**
 * Budgets (steps 4–5): each spender's policy — its stored override, else the gate's default — and the
 * checks against it: the per-request hard max, then the sliding-hour window, then the lifetime cap.
 * Windows count grants still live plus settled spend (see `grants.ts`), read through `store.ts`.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { addTrm } from "@tirami/core";
import { POLICIES_MAX } from "./constants.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";
import { deny, type Outcome } from "./outcome.js";
import { assertSpenderName, mergePolicy, type SafetyPolicy } from "./policy.js";
import type { PolicyRow, SafetyStore } from "./store.js";

export interface Budget {
  /** The spender's effective policy (no spender-name check: callers inside the gate have validated it). */
  policyOf(spender: string): SafetyPolicy;
  getPolicy(spender: string): SafetyPolicy;
  /** Merges `partial` into the spender's policy and stores it as an override. */
  setPolicy(spender: string, partial: Partial<SafetyPolicy>): SafetyPolicy;
  /** Steps 4–5: a denial when `amountTrm` breaks the hard max, the hourly or the lifetime budget, else null. */
  check(request: { spender: string; amountTrm: number }, policy: SafetyPolicy, nowMs: number): Outcome | null;
}

/** The policy fields of a stored override. */
function policyFromRow(row: PolicyRow): SafetyPolicy {
  return {
    per_request_max_trm: row.per_request_max_trm,
    per_request_hard_max_trm: row.per_request_hard_max_trm,
    hourly_max_trm: row.hourly_max_trm,
    lifetime_max_trm: row.lifetime_max_trm,
    approval_threshold_trm: row.approval_threshold_trm,
  };
}

export function createBudget(deps: {
  db: BetterSqlite3.Database;
  store: SafetyStore;
  now: () => number;
  defaultPolicy: SafetyPolicy;
}): Budget {
  const { db, store, now, defaultPolicy } = deps;

  const policyOf = (spender: string): SafetyPolicy => {
    const row = store.policy(spender);
    return row === undefined ? { ...defaultPolicy } : policyFromRow(row);
  };

  return {
    policyOf,
    getPolicy(spender) {
      assertSpenderName(spender);
      return policyOf(spender);
    },
    setPolicy(spender, partial) {
      assertSpenderName(spender);
      return db
        .transaction((): SafetyPolicy => {
          const merged = mergePolicy(policyOf(spender), partial);
          if (store.policy(spender) === undefined && store.policyCount() >= POLICIES_MAX) {
            throw new SafetyError(SafetyErrorCode.POLICIES_FULL, `at most ${POLICIES_MAX} policy overrides`);
          }
          store.putPolicy({ ...merged, spender, updated_at_ms: now() });
          return merged;
        })
        .immediate();
    },
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
