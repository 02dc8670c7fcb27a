/**
 * The safety gate's SQL: prepared statements over the tables of `SAFETY_SCHEMA_SQL` and the row
 * shapes they return. No policy decisions here — `gate.ts` and its rule modules decide, this file reads and writes.
 * @module
 */
import type { Approval } from "@tirami/client";
import type BetterSqlite3 from "better-sqlite3";
import {
  DECISION_LOG_ROWS_MAX,
  HOURLY_WINDOW_MS,
  SPEND_GRANT_TTL_MS,
  VELOCITY_WINDOW_MS,
} from "./constants.js";
import type { SafetyPolicy } from "./policy.js";

type Database = BetterSqlite3.Database;

export interface KillSwitchRow {
  active: number;
  reason: string | null;
  activated_at_ms: number | null;
  activated_by: string | null;
  resumed_at_ms: number | null;
  resumed_by: string | null;
}

export interface BreakerRow {
  spender: string;
  consecutive_errors: number;
  tripped_at_ms: number | null;
  trip_code: string | null;
}

/**
 * A stored policy: the budget row joined with its breaker row. The breaker settings are null when the
 * budget row predates the breaker table (then the spender's default applies).
 */
export interface PolicyRow extends Omit<
  SafetyPolicy,
  "velocity_spends_per_minute_max" | "breaker_consecutive_errors_max"
> {
  spender: string;
  updated_at_ms: number;
  velocity_spends_per_minute_max: number | null;
  breaker_consecutive_errors_max: number | null;
}

/** An approval as stored and served (its wire type is @tirami/client's `Approval`). */
export type ApprovalRow = Approval;

export interface GrantRow {
  grant_id: string;
  spender: string;
  granted_trm: number;
  spent_trm: number | null;
  state: "pending" | "settled" | "released";
  time_ms: number;
  settled_at_ms: number | null;
  approval_id: string | null;
}

export interface DecisionRow {
  decision_id: number;
  time_ms: number;
  spender: string;
  amount_trm: number | null;
  allowed: number;
  code: string;
  message: string;
  reason: string | null;
  request_id: string | null;
  approval_id: string | null;
  grant_id: string | null;
}

export type DecisionInsert = Omit<DecisionRow, "decision_id">;

/** A policy's budget row with its breaker row, if any. */
const POLICY_SELECT = `SELECT p.*, b.velocity_spends_per_minute_max, b.breaker_consecutive_errors_max
  FROM safety_policies p LEFT JOIN safety_breaker_policies b ON b.spender = p.spender`;

/** Prepared statements of the gate. Construct after `SAFETY_SCHEMA_SQL` has been applied. */
export function createSafetyStore(db: Database) {
  const s = {
    killGet: db.prepare("SELECT * FROM safety_kill_switch WHERE id = 1"),
    killActivate: db.prepare(
      `INSERT INTO safety_kill_switch (id, active, reason, activated_at_ms, activated_by) VALUES (1, 1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET active = 1, reason = excluded.reason,
         activated_at_ms = excluded.activated_at_ms, activated_by = excluded.activated_by`,
    ),
    killResume: db.prepare(
      `INSERT INTO safety_kill_switch (id, active, resumed_at_ms, resumed_by) VALUES (1, 0, ?, ?)
       ON CONFLICT (id) DO UPDATE SET active = 0, resumed_at_ms = excluded.resumed_at_ms, resumed_by = excluded.resumed_by`,
    ),
    policyGet: db.prepare(`${POLICY_SELECT} WHERE p.spender = ?`),
    policyList: db.prepare(`${POLICY_SELECT} ORDER BY p.spender LIMIT ?`),
    policyCount: db.prepare("SELECT COUNT(*) AS n FROM safety_policies"),
    policyUpsert: db.prepare(
      `INSERT INTO safety_policies (spender, per_request_max_trm, per_request_hard_max_trm, hourly_max_trm,
         lifetime_max_trm, approval_threshold_trm, updated_at_ms)
       VALUES (@spender, @per_request_max_trm, @per_request_hard_max_trm, @hourly_max_trm, @lifetime_max_trm,
         @approval_threshold_trm, @updated_at_ms)
       ON CONFLICT (spender) DO UPDATE SET per_request_max_trm = excluded.per_request_max_trm,
         per_request_hard_max_trm = excluded.per_request_hard_max_trm, hourly_max_trm = excluded.hourly_max_trm,
         lifetime_max_trm = excluded.lifetime_max_trm, approval_threshold_trm = excluded.approval_threshold_trm,
         updated_at_ms = excluded.updated_at_ms`,
    ),
    breakerPolicyUpsert: db.prepare(
      `INSERT INTO safety_breaker_policies (spender, velocity_spends_per_minute_max, breaker_consecutive_errors_max)
       VALUES (@spender, @velocity_spends_per_minute_max, @breaker_consecutive_errors_max)
       ON CONFLICT (spender) DO UPDATE SET
         velocity_spends_per_minute_max = excluded.velocity_spends_per_minute_max,
         breaker_consecutive_errors_max = excluded.breaker_consecutive_errors_max`,
    ),
    breakerGet: db.prepare("SELECT * FROM safety_breakers WHERE spender = ?"),
    breakerList: db.prepare("SELECT * FROM safety_breakers ORDER BY spender LIMIT ?"),
    breakerPut: db.prepare(
      `INSERT INTO safety_breakers (spender, consecutive_errors, tripped_at_ms, trip_code) VALUES (?, ?, ?, ?)
       ON CONFLICT (spender) DO UPDATE SET consecutive_errors = excluded.consecutive_errors,
         tripped_at_ms = excluded.tripped_at_ms, trip_code = excluded.trip_code`,
    ),
    velocityPrune: db.prepare("DELETE FROM safety_velocity WHERE spender = ? AND time_ms <= ?"),
    velocityCount: db.prepare("SELECT COUNT(*) AS n FROM safety_velocity WHERE spender = ? AND time_ms > ?"),
    velocityInsert: db.prepare("INSERT INTO safety_velocity (spender, time_ms) VALUES (?, ?)"),
    velocityPruneAll: db.prepare("DELETE FROM safety_velocity WHERE time_ms <= ?"),
    hourlyUsed: db.prepare(
      `SELECT COALESCE(SUM(CASE WHEN state = 'settled' THEN spent_trm ELSE granted_trm END), 0) AS n
       FROM safety_grants WHERE spender = @spender AND time_ms > @window_start_ms
         AND (state = 'settled' OR (state = 'pending' AND time_ms > @grant_live_after_ms))`,
    ),
    pendingLive: db.prepare(
      `SELECT COALESCE(SUM(granted_trm), 0) AS n FROM safety_grants
       WHERE spender = ? AND state = 'pending' AND time_ms > ?`,
    ),
    lifetimeGet: db.prepare("SELECT settled_trm FROM safety_lifetime WHERE spender = ?"),
    lifetimeAdd: db.prepare(
      `INSERT INTO safety_lifetime (spender, settled_trm) VALUES (?, ?)
       ON CONFLICT (spender) DO UPDATE SET settled_trm = settled_trm + excluded.settled_trm`,
    ),
    lifetimeList: db.prepare("SELECT spender, settled_trm FROM safety_lifetime ORDER BY spender LIMIT ?"),
    grantInsert: db.prepare(
      `INSERT INTO safety_grants (grant_id, spender, granted_trm, spent_trm, state, time_ms, settled_at_ms, approval_id)
       VALUES (@grant_id, @spender, @granted_trm, @spent_trm, @state, @time_ms, @settled_at_ms, @approval_id)`,
    ),
    grantGet: db.prepare("SELECT * FROM safety_grants WHERE grant_id = ?"),
    grantSettle: db.prepare(
      "UPDATE safety_grants SET state = 'settled', spent_trm = ?, settled_at_ms = ? WHERE grant_id = ? AND state = 'pending'",
    ),
    grantRelease: db.prepare(
      "UPDATE safety_grants SET state = 'released', settled_at_ms = ? WHERE grant_id = ? AND state = 'pending'",
    ),
    grantPrune: db.prepare("DELETE FROM safety_grants WHERE time_ms <= ?"),
    approvalGet: db.prepare("SELECT * FROM safety_approvals WHERE approval_id = ?"),
    approvalFind: db.prepare(
      `SELECT * FROM safety_approvals WHERE spender = ? AND amount_trm = ? AND request_id IS ? AND status = ?
       ORDER BY created_at_ms, approval_id LIMIT 1`,
    ),
    approvalInsert: db.prepare(
      `INSERT INTO safety_approvals (approval_id, spender, amount_trm, request_id, reason, status, created_at_ms, deadline_ms)
       VALUES (@approval_id, @spender, @amount_trm, @request_id, @reason, 'pending', @created_at_ms, @deadline_ms)`,
    ),
    approvalDecide: db.prepare(
      `UPDATE safety_approvals SET status = ?, decided_at_ms = ?, decided_by = ?, redeem_deadline_ms = ?
       WHERE approval_id = ? AND status = 'pending'`,
    ),
    approvalConsume: db.prepare(
      "UPDATE safety_approvals SET status = 'consumed' WHERE approval_id = ? AND status = 'approved'",
    ),
    approvalsDueToExpire: db.prepare(
      `SELECT * FROM safety_approvals WHERE (status = 'pending' AND deadline_ms <= @now_ms)
         OR (status = 'approved' AND redeem_deadline_ms <= @now_ms) ORDER BY created_at_ms LIMIT 1000`,
    ),
    approvalExpire: db.prepare("UPDATE safety_approvals SET status = 'expired' WHERE approval_id = ?"),
    approvalPendingCount: db.prepare(
      "SELECT COUNT(*) AS n FROM safety_approvals WHERE spender = ? AND status = 'pending'",
    ),
    approvalPendingTotal: db.prepare("SELECT COUNT(*) AS n FROM safety_approvals WHERE status = 'pending'"),
    approvalList: db.prepare(
      `SELECT * FROM safety_approvals WHERE (@status IS NULL OR status = @status)
         AND (@spender IS NULL OR spender = @spender) ORDER BY created_at_ms DESC, approval_id LIMIT @limit`,
    ),
    approvalPrune: db.prepare(
      "DELETE FROM safety_approvals WHERE status IN ('denied', 'expired', 'consumed') AND created_at_ms <= ?",
    ),
    decisionInsert: db.prepare(
      `INSERT INTO safety_decisions (time_ms, spender, amount_trm, allowed, code, message, reason, request_id,
         approval_id, grant_id)
       VALUES (@time_ms, @spender, @amount_trm, @allowed, @code, @message, @reason, @request_id, @approval_id, @grant_id)`,
    ),
    decisionPrune: db.prepare(
      "DELETE FROM safety_decisions WHERE decision_id <= (SELECT MAX(decision_id) FROM safety_decisions) - ?",
    ),
    decisionList: db.prepare(
      `SELECT * FROM safety_decisions WHERE (@spender IS NULL OR spender = @spender)
       ORDER BY decision_id DESC LIMIT @limit`,
    ),
    spendersActive: db.prepare(
      `SELECT spender FROM safety_grants WHERE time_ms > ? UNION SELECT spender FROM safety_lifetime
       UNION SELECT spender FROM safety_velocity ORDER BY spender LIMIT ?`,
    ),
  };

  const count = (row: unknown): number => (row as { n: number }).n;

  return {
    killSwitch: () => s.killGet.get() as KillSwitchRow | undefined,
    activateKill: (reason: string, nowMs: number, by: string) => s.killActivate.run(reason, nowMs, by),
    resumeKill: (nowMs: number, by: string) => s.killResume.run(nowMs, by),

    policy: (spender: string) => s.policyGet.get(spender) as PolicyRow | undefined,
    policies: (limit: number) => s.policyList.all(limit) as PolicyRow[],
    policyCount: () => count(s.policyCount.get()),
    /** Writes both halves of a spender's policy (call inside a transaction). */
    putPolicy(row: SafetyPolicy & { spender: string; updated_at_ms: number }): void {
      s.policyUpsert.run({
        spender: row.spender,
        per_request_max_trm: row.per_request_max_trm,
        per_request_hard_max_trm: row.per_request_hard_max_trm,
        hourly_max_trm: row.hourly_max_trm,
        lifetime_max_trm: row.lifetime_max_trm,
        approval_threshold_trm: row.approval_threshold_trm,
        updated_at_ms: row.updated_at_ms,
      });
      s.breakerPolicyUpsert.run({
        spender: row.spender,
        velocity_spends_per_minute_max: row.velocity_spends_per_minute_max,
        breaker_consecutive_errors_max: row.breaker_consecutive_errors_max,
      });
    },

    breaker: (spender: string) => s.breakerGet.get(spender) as BreakerRow | undefined,
    breakers: (limit: number) => s.breakerList.all(limit) as BreakerRow[],
    putBreaker: (row: BreakerRow) =>
      s.breakerPut.run(row.spender, row.consecutive_errors, row.tripped_at_ms, row.trip_code),

    /** Allowed spends by `spender` in the velocity window ending at `nowMs` (prunes older entries). */
    velocityCount(spender: string, nowMs: number): number {
      s.velocityPrune.run(spender, nowMs - VELOCITY_WINDOW_MS);
      return count(s.velocityCount.get(spender, nowMs - VELOCITY_WINDOW_MS));
    },
    velocityCountReadOnly: (spender: string, nowMs: number) =>
      count(s.velocityCount.get(spender, nowMs - VELOCITY_WINDOW_MS)),
    velocityAdd: (spender: string, nowMs: number) => s.velocityInsert.run(spender, nowMs),

    /** Granted-and-live plus settled spend by `spender` in the sliding hour ending at `nowMs`. */
    hourlyUsed: (spender: string, nowMs: number) =>
      count(
        s.hourlyUsed.get({
          spender,
          window_start_ms: nowMs - HOURLY_WINDOW_MS,
          grant_live_after_ms: nowMs - SPEND_GRANT_TTL_MS,
        }),
      ),
    /** Settled spend ever plus grants still live. */
    lifetimeUsed(spender: string, nowMs: number): number {
      const settled = (s.lifetimeGet.get(spender) as { settled_trm: number } | undefined)?.settled_trm ?? 0;
      return settled + count(s.pendingLive.get(spender, nowMs - SPEND_GRANT_TTL_MS));
    },
    lifetimeSettled: (spender: string) =>
      (s.lifetimeGet.get(spender) as { settled_trm: number } | undefined)?.settled_trm ?? 0,
    lifetimeAdd: (spender: string, amountTrm: number) => s.lifetimeAdd.run(spender, amountTrm),

    insertGrant: (row: GrantRow) => s.grantInsert.run(row),
    grant: (grantId: string) => s.grantGet.get(grantId) as GrantRow | undefined,
    settleGrant: (grantId: string, spentTrm: number, nowMs: number) =>
      s.grantSettle.run(spentTrm, nowMs, grantId).changes,
    releaseGrant: (grantId: string, nowMs: number) => s.grantRelease.run(nowMs, grantId).changes,

    approval: (approvalId: string) => s.approvalGet.get(approvalId) as ApprovalRow | undefined,
    findApproval: (
      spender: string,
      amountTrm: number,
      requestId: string | null,
      status: ApprovalRow["status"],
    ) => s.approvalFind.get(spender, amountTrm, requestId, status) as ApprovalRow | undefined,
    insertApproval: (row: {
      approval_id: string;
      spender: string;
      amount_trm: number;
      request_id: string | null;
      reason: string;
      created_at_ms: number;
      deadline_ms: number;
    }) => s.approvalInsert.run(row),
    decideApproval: (
      approvalId: string,
      status: "approved" | "denied",
      nowMs: number,
      by: string,
      redeemDeadlineMs: number | null,
    ) => s.approvalDecide.run(status, nowMs, by, redeemDeadlineMs, approvalId).changes,
    consumeApproval: (approvalId: string) => s.approvalConsume.run(approvalId).changes,
    approvalsDueToExpire: (nowMs: number) => s.approvalsDueToExpire.all({ now_ms: nowMs }) as ApprovalRow[],
    expireApproval: (approvalId: string) => s.approvalExpire.run(approvalId),
    pendingApprovals: (spender: string) => count(s.approvalPendingCount.get(spender)),
    pendingApprovalsTotal: () => count(s.approvalPendingTotal.get()),
    approvals: (filter: { status: string | null; spender: string | null; limit: number }) =>
      s.approvalList.all(filter) as ApprovalRow[],

    logDecision: (row: DecisionInsert) => s.decisionInsert.run(row),
    decisions: (filter: { spender: string | null; limit: number }) =>
      s.decisionList.all(filter) as DecisionRow[],
    activeSpenders: (nowMs: number, limit: number) =>
      (s.spendersActive.all(nowMs - HOURLY_WINDOW_MS, limit) as { spender: string }[]).map(
        (row) => row.spender,
      ),

    /** Drops rows no rule can read any more. */
    prune(nowMs: number, approvalsBeforeMs: number): void {
      s.grantPrune.run(nowMs - HOURLY_WINDOW_MS - SPEND_GRANT_TTL_MS);
      s.velocityPruneAll.run(nowMs - VELOCITY_WINDOW_MS);
      s.approvalPrune.run(approvalsBeforeMs);
      s.decisionPrune.run(DECISION_LOG_ROWS_MAX);
    },
  };
}

export type SafetyStore = ReturnType<typeof createSafetyStore>;
