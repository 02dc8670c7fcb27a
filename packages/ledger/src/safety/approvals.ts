/**
 * Human approval (steps 3 and 6): a spend above the auto cap or the approval threshold waits for an
 * operator. `checkSpend` creates a pending approval; `approve`/`deny` decide it; the approved spend is
 * then allowed once, within `APPROVAL_REDEEM_WINDOW_MS`, by retrying with the same spender, amount and
 * request id or by naming the approval. Pending approvals past their deadline (and approved ones past
 * their redeem window) expire, and each expiry is logged as a denial.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import {
  ACTOR_CHARS_MAX,
  APPROVAL_REDEEM_WINDOW_MS,
  APPROVALS_PENDING_PER_SPENDER_MAX,
} from "./constants.js";
import type { DecisionLog } from "./decision-log.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";
import { deny, newId, type Outcome } from "./outcome.js";
import type { SafetyPolicy } from "./policy.js";
import type { ApprovalRow, SafetyStore } from "./store.js";
import type { Approval, SpendRequest } from "./types.js";
import { checkText, listLimit } from "./validate.js";

export interface Approvals {
  /** Expires due approvals, logging each as a denial. Runs inside the caller's transaction. */
  expireDue(nowMs: number): number;
  /** Step 3 for an explicit approvalId: the approved row to redeem, or the denial. */
  resolveExplicit(request: SpendRequest, approvalId: string): ApprovalRow | Outcome;
  /** Step 6: an approved, unused approval for this spender + amount + request id. */
  findApproved(request: SpendRequest): ApprovalRow | undefined;
  /** Step 6 without a redeemable approval: reuse or create the pending approval (always a denial). */
  require(request: SpendRequest, policy: SafetyPolicy, nowMs: number): Outcome;
  /** Marks a redeemed approval consumed; throws if it no longer is approved. */
  consume(approvalId: string): void;
  decide(approvalId: string, status: "approved" | "denied", by: string): Approval;
  expire(nowMs?: number): number;
  list(filter?: { status?: Approval["status"]; spender?: string; limit?: number }): Approval[];
}

/** Step 6's question: does this amount need a human under `policy`? */
export function needsHumanApproval(policy: SafetyPolicy, amountTrm: number): boolean {
  const threshold = policy.approval_threshold_trm;
  return amountTrm > policy.per_request_max_trm || (threshold !== null && amountTrm > threshold);
}

/** Step 3's verdict on an approval named explicitly: the row when redeemable, else the denial. */
function explicitVerdict(
  row: ApprovalRow | undefined,
  request: SpendRequest,
  approvalId: string,
): ApprovalRow | Outcome {
  if (row === undefined)
    return deny(SafetyErrorCode.APPROVAL_NOT_FOUND, `no approval ${approvalId}`, { approvalId });
  if (row.spender !== request.spender || row.amount_trm !== request.amountTrm) {
    return deny(
      SafetyErrorCode.APPROVAL_MISMATCH,
      `approval ${approvalId} is for ${row.spender} / ${row.amount_trm} TRM`,
      { approvalId },
    );
  }
  switch (row.status) {
    case "approved":
      return row;
    case "pending":
      return deny(SafetyErrorCode.APPROVAL_REQUIRED, "approval is still pending", {
        approvalId,
        deadlineMs: row.deadline_ms,
      });
    case "denied":
      return deny(SafetyErrorCode.APPROVAL_DENIED, `approval denied by ${row.decided_by ?? "operator"}`, {
        approvalId,
      });
    case "expired":
      return deny(SafetyErrorCode.APPROVAL_EXPIRED, "approval expired", { approvalId });
    case "consumed":
      return deny(SafetyErrorCode.APPROVAL_CONSUMED, "approval was already used", { approvalId });
  }
}

/** What the approval functions share: the database, the clock, the log and the configured deadline. */
interface ApprovalDeps {
  db: BetterSqlite3.Database;
  store: SafetyStore;
  now: () => number;
  decisions: DecisionLog;
  approvalDeadlineMs: number;
}

/** Expires due approvals, logging each as a denial. Runs inside the caller's transaction. */
function expireDue(deps: ApprovalDeps, nowMs: number): number {
  const due = deps.store.approvalsDueToExpire(nowMs);
  for (const row of due) {
    deps.store.expireApproval(row.approval_id);
    deps.decisions.log({
      nowMs,
      spender: row.spender,
      amountTrm: row.amount_trm,
      allowed: false,
      code: SafetyErrorCode.APPROVAL_EXPIRED,
      message:
        row.status === "pending"
          ? "approval deadline passed without a decision"
          : "approved spend was not redeemed in time",
      reason: row.reason,
      requestId: row.request_id,
      approvalId: row.approval_id,
    });
  }
  return due.length;
}

/** The same request id was already refused: retrying it does not ask the human again. */
function refusedBefore(store: SafetyStore, request: SpendRequest, requestId: string): Outcome | null {
  for (const status of ["denied", "expired"] as const) {
    const old = store.findApproval(request.spender, request.amountTrm, requestId, status);
    if (old !== undefined) {
      const code = status === "denied" ? SafetyErrorCode.APPROVAL_DENIED : SafetyErrorCode.APPROVAL_EXPIRED;
      return deny(code, `approval for request ${requestId} was ${status}`, { approvalId: old.approval_id });
    }
  }
  return null;
}

/** Step 6 without a redeemable approval: reuse or create the pending approval. */
function requireApproval(
  deps: ApprovalDeps,
  request: SpendRequest,
  policy: SafetyPolicy,
  nowMs: number,
): Outcome {
  const { store } = deps;
  const requestId = request.requestId ?? null;
  if (policy.approval_threshold_trm === null) {
    return deny(
      SafetyErrorCode.EXCEEDS_REQUEST_LIMIT,
      `${request.amountTrm} TRM exceeds the per-request limit ${policy.per_request_max_trm} and approval is disabled`,
    );
  }
  const pending = store.findApproval(request.spender, request.amountTrm, requestId, "pending");
  if (pending !== undefined) {
    return deny(SafetyErrorCode.APPROVAL_REQUIRED, "waiting for operator approval", {
      approvalId: pending.approval_id,
      deadlineMs: pending.deadline_ms,
    });
  }
  const refused = requestId === null ? null : refusedBefore(store, request, requestId);
  if (refused !== null) return refused;
  if (store.pendingApprovals(request.spender) >= APPROVALS_PENDING_PER_SPENDER_MAX) {
    return deny(
      SafetyErrorCode.APPROVAL_QUEUE_FULL,
      `${APPROVALS_PENDING_PER_SPENDER_MAX} approvals already pending`,
    );
  }
  const approvalId = newId("apr");
  const deadlineMs = nowMs + deps.approvalDeadlineMs;
  store.insertApproval({
    approval_id: approvalId,
    spender: request.spender,
    amount_trm: request.amountTrm,
    request_id: requestId,
    reason: request.reason,
    created_at_ms: nowMs,
    deadline_ms: deadlineMs,
  });
  return deny(SafetyErrorCode.APPROVAL_REQUIRED, "operator approval required", { approvalId, deadlineMs });
}

/** approve/deny inside the caller's transaction: the approval must still be pending; a denial is logged. */
function decideNow(
  deps: ApprovalDeps,
  approvalId: string,
  status: "approved" | "denied",
  by: string,
): Approval {
  const { store } = deps;
  const nowMs = deps.now();
  expireDue(deps, nowMs);
  const row = store.approval(approvalId);
  if (row === undefined)
    throw new SafetyError(SafetyErrorCode.APPROVAL_NOT_FOUND, `no approval ${approvalId}`);
  if (row.status !== "pending") {
    throw new SafetyError(SafetyErrorCode.APPROVAL_NOT_PENDING, `approval ${approvalId} is ${row.status}`, {
      details: { status: row.status },
    });
  }
  const redeemDeadlineMs = status === "approved" ? nowMs + APPROVAL_REDEEM_WINDOW_MS : null;
  store.decideApproval(approvalId, status, nowMs, by, redeemDeadlineMs);
  if (status === "denied") {
    deps.decisions.log({
      nowMs,
      spender: row.spender,
      amountTrm: row.amount_trm,
      allowed: false,
      code: SafetyErrorCode.APPROVAL_DENIED,
      message: `denied by ${by}`,
      reason: row.reason,
      requestId: row.request_id,
      approvalId,
    });
  }
  return store.approval(approvalId) as Approval;
}

export function createApprovals(deps: ApprovalDeps): Approvals {
  const { db, store, now } = deps;
  return {
    expireDue: (nowMs) => expireDue(deps, nowMs),
    resolveExplicit: (request, approvalId) =>
      explicitVerdict(store.approval(approvalId), request, approvalId),
    findApproved: (request) =>
      store.findApproval(request.spender, request.amountTrm, request.requestId ?? null, "approved"),
    require: (request, policy, nowMs) => requireApproval(deps, request, policy, nowMs),
    consume(approvalId) {
      if (store.consumeApproval(approvalId) !== 1) {
        throw new Error(`approval ${approvalId} could not be consumed`);
      }
    },
    decide(approvalId, status, by) {
      checkText(approvalId, "approvalId", 64);
      checkText(by, "by", ACTOR_CHARS_MAX);
      return db.transaction(() => decideNow(deps, approvalId, status, by)).immediate();
    },
    expire(nowMs) {
      const at = nowMs ?? now();
      if (!Number.isSafeInteger(at)) throw new RangeError(`"nowMs" expected a safe integer, got ${at}`);
      return db.transaction(() => expireDue(deps, at)).immediate();
    },
    list(filter = {}) {
      db.transaction(() => expireDue(deps, now())).immediate();
      return store.approvals({
        status: filter.status ?? null,
        spender: filter.spender ?? null,
        limit: listLimit(filter.limit),
      });
    },
  };
}
