/**
 * The decision log (`safety_decisions`): every `checkSpend` decision, approval denial and expiry is
 * appended here. Appending also prunes, every `DECISION_LOG_PRUNE_EVERY` rows, whatever no rule can read
 * any more, so the gate's tables stay bounded without a timer.
 * @module
 */
import { APPROVALS_RETENTION_MS, DECISION_LOG_PRUNE_EVERY } from "./constants.js";
import type { SafetyStore } from "./store.js";
import type { SafetyDecisionLogEntry } from "./types.js";
import { listLimit } from "./validate.js";

/** One decision to log, in the gate's camelCase. */
export interface DecisionLogInput {
  nowMs: number;
  spender: string;
  amountTrm: number | null;
  allowed: boolean;
  code: string;
  message: string;
  reason?: string | null;
  requestId?: string | null;
  approvalId?: string | null;
  grantId?: string | null;
}

export interface DecisionLog {
  /** Appends `entry`; runs inside the caller's transaction, if any. */
  log(entry: DecisionLogInput): void;
  /** Newest first, at most `DECISION_LIST_LIMIT_MAX`. */
  list(filter?: { limit?: number; spender?: string }): SafetyDecisionLogEntry[];
}

/** The log over `store`; the prune counter is per gate. */
export function createDecisionLog(store: SafetyStore): DecisionLog {
  let decisionsSincePrune = 0;
  return {
    log(entry) {
      store.logDecision({
        time_ms: entry.nowMs,
        spender: entry.spender,
        amount_trm: entry.amountTrm,
        allowed: entry.allowed ? 1 : 0,
        code: entry.code,
        message: entry.message,
        reason: entry.reason ?? null,
        request_id: entry.requestId ?? null,
        approval_id: entry.approvalId ?? null,
        grant_id: entry.grantId ?? null,
      });
      decisionsSincePrune += 1;
      if (decisionsSincePrune >= DECISION_LOG_PRUNE_EVERY) {
        decisionsSincePrune = 0;
        store.prune(entry.nowMs, entry.nowMs - APPROVALS_RETENTION_MS);
      }
    },
    list(filter = {}) {
      return store
        .decisions({ spender: filter.spender ?? null, limit: listLimit(filter.limit) })
        .map((row) => ({ ...row, allowed: row.allowed === 1 }));
    },
  };
}
