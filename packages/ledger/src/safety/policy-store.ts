/**
 * The policy store: each spender's effective policy — its stored override, else its default (the
 * operator's or an agent's) — and `setPolicy`, which merges a partial policy into it and stores both
 * halves (budgets and breaker settings) in one IMMEDIATE transaction. Read by the budget and breaker
 * rules; validation is in `policy.ts`, SQL in `store.ts`.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { OPERATOR_SPENDER, POLICIES_MAX } from "./constants.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";
import { assertSpenderName, mergePolicy, type SafetyPolicy } from "./policy.js";
import type { PolicyRow, SafetyStore } from "./store.js";

/** The default policies of a gate: the operator's and every other spender's. */
export interface DefaultPolicies {
  operator: SafetyPolicy;
  agent: SafetyPolicy;
}

export interface Policies {
  /** The spender's effective policy (no spender-name check: callers inside the gate have validated it). */
  policyOf(spender: string): SafetyPolicy;
  /** Copies of the gate's default policies (a spender without an override of its own has one of them). */
  defaults(): DefaultPolicies;
  getPolicy(spender: string): SafetyPolicy;
  /** Merges `partial` into the spender's policy and stores it as an override. @throws INVALID_POLICY, POLICIES_FULL */
  setPolicy(spender: string, partial: Partial<SafetyPolicy>): SafetyPolicy;
  /** Every stored override, complete, at most `limit`. */
  list(limit: number): Array<SafetyPolicy & { spender: string; updated_at_ms: number }>;
}

/** A stored row as a complete policy: breaker settings missing from an older row come from `fallback`. */
function policyFromRow(row: PolicyRow, fallback: SafetyPolicy): SafetyPolicy {
  return {
    per_request_max_trm: row.per_request_max_trm,
    per_request_hard_max_trm: row.per_request_hard_max_trm,
    hourly_max_trm: row.hourly_max_trm,
    lifetime_max_trm: row.lifetime_max_trm,
    approval_threshold_trm: row.approval_threshold_trm,
    velocity_spends_per_minute_max:
      row.velocity_spends_per_minute_max ?? fallback.velocity_spends_per_minute_max,
    breaker_consecutive_errors_max:
      row.breaker_consecutive_errors_max ?? fallback.breaker_consecutive_errors_max,
  };
}

export function createPolicies(deps: {
  db: BetterSqlite3.Database;
  store: SafetyStore;
  now: () => number;
  defaults: DefaultPolicies;
}): Policies {
  const { db, store, now, defaults } = deps;

  const defaultOf = (spender: string): SafetyPolicy => ({
    ...(spender === OPERATOR_SPENDER ? defaults.operator : defaults.agent),
  });
  const policyOf = (spender: string): SafetyPolicy => {
    const row = store.policy(spender);
    return row === undefined ? defaultOf(spender) : policyFromRow(row, defaultOf(spender));
  };
  const setPolicy = db.transaction((spender: string, partial: Partial<SafetyPolicy>): SafetyPolicy => {
    const merged = mergePolicy(policyOf(spender), partial);
    if (store.policy(spender) === undefined && store.policyCount() >= POLICIES_MAX) {
      throw new SafetyError(SafetyErrorCode.POLICIES_FULL, `at most ${POLICIES_MAX} policy overrides`);
    }
    store.putPolicy({ ...merged, spender, updated_at_ms: now() });
    return merged;
  });

  return {
    policyOf,
    defaults: () => ({ operator: { ...defaults.operator }, agent: { ...defaults.agent } }),
    getPolicy(spender) {
      assertSpenderName(spender);
      return policyOf(spender);
    },
    setPolicy(spender, partial) {
      assertSpenderName(spender);
      return setPolicy.immediate(spender, partial);
    },
    list: (limit) =>
      store.policies(limit).map((row) => ({
        ...policyFromRow(row, defaultOf(row.spender)),
        spender: row.spender,
        updated_at_ms: row.updated_at_ms,
      })),
  };
}
