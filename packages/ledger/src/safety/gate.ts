/**
 * The safety gate (ARCHITECTURE §6): the one function every spend path calls before it reserves TRM.
 *
 * Evaluation order — the first rule that fails decides, and every decision is logged:
 *   0. the request is well-formed (spender name, integer amount, reason)  → INVALID_SPEND_REQUEST
 *   1. kill switch                                                         → KILL_SWITCH_ACTIVE
 *   2. circuit breaker: tripped less than 5 min ago                        → CIRCUIT_BREAKER_TRIPPED
 *      velocity: 30 spends already allowed in the last 60 s (trips)        → VELOCITY_ANOMALY
 *   3. approval named by `approvalId` must exist, match and be approved    → APPROVAL_*
 *   4. amount > per_request_hard_max_trm                                   → EXCEEDS_REQUEST_LIMIT
 *   5. sliding-hour budget, then lifetime budget                           → HOURLY_LIMIT_EXCEEDED / LIFETIME_CAP_REACHED
 *   6. human approval when amount > approval_threshold_trm or > per_request_max_trm (the auto cap),
 *      unless an approved approval for this spend is redeemed              → APPROVAL_REQUIRED (pending record)
 *   7. allowed: a grant is recorded against the budgets until settled or released.
 *
 * Why this order. Upstream checked the per-request limit before the approval threshold, so with the
 * default policy (1,000 < 5,000) approval could never fire (reference §6.2, §13.1). Here the per-request
 * limit is split in two: the auto cap (1,000) above which a *human* must approve, and a hard max
 * (10,000) no approval can exceed. Budgets are checked before approval so an operator is never asked to
 * approve a spend the budget would refuse anyway, and an approval never overrides a budget, the kill
 * switch or a tripped breaker — those are re-checked when the approved spend is retried. Breaker and kill
 * switch come first because they describe the spender's health, not the amount. Only allowed spends
 * count toward velocity (upstream counted denied attempts too).
 *
 * Budgets count real spend: `checkSpend` grants the requested amount (it counts against the hour and
 * lifetime until settled), then the spend path calls `recordSpend({ spender, amountTrm, grantId })` with
 * the amount actually settled, or `releaseSpend(grantId)` when nothing was spent. Unsettled grants stop
 * counting after `SPEND_GRANT_TTL_MS`.
 *
 * Fail closed: any exception inside `checkSpend` (a missing table, a closed database, a broken clock)
 * becomes a denial with `SAFETY_INTERNAL_ERROR`, logged when the log is still writable.
 * @module
 */
import { randomBytes } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { addTrm, isAmountTrm, type Clock } from "@tirami/core";
import {
  ACTOR_CHARS_MAX,
  APPROVAL_DEADLINE_MAX_MS,
  APPROVAL_DEADLINE_MS,
  APPROVAL_REDEEM_WINDOW_MS,
  APPROVALS_PENDING_PER_SPENDER_MAX,
  APPROVALS_RETENTION_MS,
  BREAKER_CONSECUTIVE_ERRORS_MAX,
  BREAKER_RESET_MS,
  DECISION_LIST_LIMIT_MAX,
  DECISION_LOG_PRUNE_EVERY,
  POLICIES_MAX,
  REASON_CHARS_MAX,
  REQUEST_ID_CHARS_MAX,
  VELOCITY_SPENDS_MAX,
} from "./constants.js";
import { SafetyError, SafetyErrorCode, type SafetyDenyCode } from "./errors.js";
import {
  assertSpenderName,
  DEFAULT_SAFETY_POLICY,
  isSpenderName,
  mergePolicy,
  type SafetyPolicy,
} from "./policy.js";
import {
  createSafetyStore,
  type ApprovalRow,
  type BreakerRow,
  type DecisionRow,
  type SafetyStore,
} from "./store.js";

/** What a spend path asks before reserving. */
export interface SpendRequest {
  /** "operator" or an agent name (1–64 of [a-z0-9_-]). */
  spender: string;
  /** Integer TRM the spend path is about to reserve. */
  amountTrm: number;
  /** Why (e.g. "inference", "loan"); 1–256 characters, logged. */
  reason: string;
  /** The caller's request id; a retry with the same spender, amount and id redeems an approval. */
  requestId?: string;
  /** Redeem this approval explicitly. */
  approvalId?: string;
}

export interface SpendAllowed {
  allowed: true;
  code: "ALLOWED";
  spender: string;
  amountTrm: number;
  /** Pass to `recordSpend` after settlement, or to `releaseSpend` if nothing was spent. */
  grantId: string;
  /** The approval this spend redeemed, if any. */
  approvalId?: string;
  decidedAtMs: number;
}

export interface SpendDenied {
  allowed: false;
  code: SafetyDenyCode;
  message: string;
  spender: string;
  amountTrm: number;
  /** For APPROVAL_REQUIRED and other approval codes: the approval concerned. */
  approvalId?: string;
  /** For APPROVAL_REQUIRED: when the pending approval counts as denied. */
  deadlineMs?: number;
  /** For a tripped breaker: how long until it resets. */
  retryAfterMs?: number;
  decidedAtMs: number;
}

export type SpendDecision = SpendAllowed | SpendDenied;

export interface KillSwitchState {
  active: boolean;
  reason: string | null;
  activated_at_ms: number | null;
  activated_by: string | null;
  resumed_at_ms: number | null;
  resumed_by: string | null;
}

export interface BreakerState {
  spender: string;
  consecutive_errors: number;
  tripped: boolean;
  tripped_at_ms: number | null;
  trip_code: string | null;
  resets_at_ms: number | null;
}

export interface SpenderSpend {
  spender: string;
  hourly_spend_trm: number;
  lifetime_spend_trm: number;
  spends_last_minute: number;
}

/** Everything `GET /v1/tirami/safety` shows. */
export interface SafetyState {
  kill_switch: KillSwitchState;
  breakers: BreakerState[];
  default_policy: SafetyPolicy;
  policies: Array<SafetyPolicy & { spender: string; updated_at_ms: number }>;
  pending_approvals: number;
  spend: SpenderSpend[];
  limits: { velocity_spends_max: number; breaker_consecutive_errors_max: number; breaker_reset_ms: number };
}

export type Approval = ApprovalRow;
export type SafetyDecisionLogEntry = Omit<DecisionRow, "allowed"> & { allowed: boolean };

export interface RecordSpendInput {
  spender: string;
  /** Integer TRM actually settled. */
  amountTrm: number;
  /** The grant from `checkSpend`; without it the spend is recorded as a new settled entry. */
  grantId?: string;
}

export interface SafetyGate {
  /** Decides whether `request` may proceed. Never throws: any internal failure denies (SAFETY_INTERNAL_ERROR). */
  checkSpend(request: SpendRequest): SpendDecision;
  /** Records the amount actually settled against the spender's budgets. */
  recordSpend(input: RecordSpendInput): { grant_found: boolean };
  /** Releases a grant that was never spent, so it stops counting against the budgets. */
  releaseSpend(grantId: string): boolean;
  /** Reports a spend outcome; 5 consecutive failures trip the spender's breaker. */
  recordOutcome(spender: string, ok: boolean): BreakerState;
  activateKill(reason: string, by: string): KillSwitchState;
  resume(by: string): KillSwitchState;
  killSwitch(): KillSwitchState;
  getPolicy(spender: string): SafetyPolicy;
  setPolicy(spender: string, partial: Partial<SafetyPolicy>): SafetyPolicy;
  approve(approvalId: string, by: string): Approval;
  deny(approvalId: string, by: string): Approval;
  /** Marks pending approvals past their deadline (and unredeemed approvals past their window) expired. */
  expireApprovals(nowMs?: number): number;
  listApprovals(filter?: { status?: Approval["status"]; spender?: string; limit?: number }): Approval[];
  listDecisions(filter?: { limit?: number; spender?: string }): SafetyDecisionLogEntry[];
  state(): SafetyState;
}

export interface SafetyGateOptions {
  db: BetterSqlite3.Database;
  clock: Clock;
  /** Overrides of the built-in default policy for spenders without their own. */
  defaults?: Partial<SafetyPolicy>;
  /** How long a pending approval waits before it counts as denied; default `APPROVAL_DEADLINE_MS` (5 min). */
  approvalDeadlineMs?: number;
}

type Outcome =
  | { allowed: true; approvalId?: string }
  | {
      allowed: false;
      code: SafetyDenyCode;
      message: string;
      approvalId?: string;
      deadlineMs?: number;
      retryAfterMs?: number;
    };

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("hex")}`;
}

function deny(code: SafetyDenyCode, message: string, extra: Partial<Outcome> = {}): Outcome {
  return { ...extra, allowed: false, code, message } as Outcome;
}

function checkText(value: unknown, field: string, maxChars: number): string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxChars) {
    throw new SafetyError(SafetyErrorCode.INVALID_ARGUMENT, `"${field}" expected 1–${maxChars} characters`, {
      details: { field },
    });
  }
  return value;
}

/** Why a request is malformed, or null when it is well-formed. */
function requestProblem(request: SpendRequest): string | null {
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

/** The breaker as seen at `nowMs`: one past its reset time reads as closed even before the next check resets it. */
function breakerState(row: BreakerRow, nowMs: number): BreakerState {
  const open = row.tripped_at_ms !== null && nowMs < row.tripped_at_ms + BREAKER_RESET_MS;
  return {
    spender: row.spender,
    consecutive_errors: open || row.tripped_at_ms === null ? row.consecutive_errors : 0,
    tripped: open,
    tripped_at_ms: open ? row.tripped_at_ms : null,
    trip_code: open ? row.trip_code : null,
    resets_at_ms: open && row.tripped_at_ms !== null ? row.tripped_at_ms + BREAKER_RESET_MS : null,
  };
}

/**
 * Creates the gate over `db` (with `SAFETY_SCHEMA_SQL` applied). Throws `SafetyError(INVALID_POLICY)`
 * for invalid `defaults`.
 */
export function createSafetyGate(options: SafetyGateOptions): SafetyGate {
  const { db, clock } = options;
  const defaultPolicy = mergePolicy(DEFAULT_SAFETY_POLICY, options.defaults ?? {});
  const approvalDeadlineMs = options.approvalDeadlineMs ?? APPROVAL_DEADLINE_MS;
  if (
    !Number.isSafeInteger(approvalDeadlineMs) ||
    approvalDeadlineMs < 1_000 ||
    approvalDeadlineMs > APPROVAL_DEADLINE_MAX_MS
  ) {
    throw new RangeError(
      `"approvalDeadlineMs" expected an integer in [1000, ${APPROVAL_DEADLINE_MAX_MS}], got ${approvalDeadlineMs}`,
    );
  }
  const store: SafetyStore = createSafetyStore(db);
  let decisionsSincePrune = 0;

  const now = (): number => {
    const value = clock.nowMs();
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`clock returned ${value}`);
    return value;
  };

  const policyOf = (spender: string): SafetyPolicy => {
    const row = store.policy(spender);
    if (row === undefined) return { ...defaultPolicy };
    return {
      per_request_max_trm: row.per_request_max_trm,
      per_request_hard_max_trm: row.per_request_hard_max_trm,
      hourly_max_trm: row.hourly_max_trm,
      lifetime_max_trm: row.lifetime_max_trm,
      approval_threshold_trm: row.approval_threshold_trm,
    };
  };

  const killState = (): KillSwitchState => {
    const row = store.killSwitch();
    return {
      active: row?.active === 1,
      reason: row?.reason ?? null,
      activated_at_ms: row?.activated_at_ms ?? null,
      activated_by: row?.activated_by ?? null,
      resumed_at_ms: row?.resumed_at_ms ?? null,
      resumed_by: row?.resumed_by ?? null,
    };
  };

  const breakerRow = (spender: string): BreakerRow =>
    store.breaker(spender) ?? { spender, consecutive_errors: 0, tripped_at_ms: null, trip_code: null };

  const log = (entry: {
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
  }): void => {
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
  };

  /** Expires due approvals, logging each as a denial. Runs inside the caller's transaction. */
  const expireDue = (nowMs: number): number => {
    const due = store.approvalsDueToExpire(nowMs);
    for (const row of due) {
      store.expireApproval(row.approval_id);
      log({
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
  };

  /** Step 3 for an explicit approvalId: the approval must exist, match and be approved. */
  const resolveExplicitApproval = (request: SpendRequest, approvalId: string): ApprovalRow | Outcome => {
    const row = store.approval(approvalId);
    if (row === undefined)
      return deny(SafetyErrorCode.APPROVAL_NOT_FOUND, `no approval ${approvalId}`, { approvalId });
    if (row.spender !== request.spender || row.amount_trm !== request.amountTrm) {
      return deny(
        SafetyErrorCode.APPROVAL_MISMATCH,
        `approval ${approvalId} is for ${row.spender} / ${row.amount_trm} TRM`,
        {
          approvalId,
        },
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
  };

  /** Step 6 without a redeemable approval: reuse or create the pending approval. */
  const requireApproval = (request: SpendRequest, policy: SafetyPolicy, nowMs: number): Outcome => {
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
    if (requestId !== null) {
      // The same request id was already refused: retrying it does not ask the human again.
      for (const status of ["denied", "expired"] as const) {
        const old = store.findApproval(request.spender, request.amountTrm, requestId, status);
        if (old !== undefined) {
          const code =
            status === "denied" ? SafetyErrorCode.APPROVAL_DENIED : SafetyErrorCode.APPROVAL_EXPIRED;
          return deny(code, `approval for request ${requestId} was ${status}`, {
            approvalId: old.approval_id,
          });
        }
      }
    }
    if (store.pendingApprovals(request.spender) >= APPROVALS_PENDING_PER_SPENDER_MAX) {
      return deny(
        SafetyErrorCode.APPROVAL_QUEUE_FULL,
        `${APPROVALS_PENDING_PER_SPENDER_MAX} approvals already pending`,
      );
    }
    const approvalId = newId("apr");
    const deadlineMs = nowMs + approvalDeadlineMs;
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
  };

  /** Steps 1–6. Reads and writes inside the caller's IMMEDIATE transaction. */
  const evaluate = (request: SpendRequest, nowMs: number): Outcome => {
    const { spender, amountTrm } = request;
    const kill = killState();
    if (kill.active)
      return deny(
        SafetyErrorCode.KILL_SWITCH_ACTIVE,
        `kill switch active: ${kill.reason ?? "emergency halt"}`,
      );

    const breaker = breakerRow(spender);
    if (breaker.tripped_at_ms !== null) {
      const resetsAtMs = breaker.tripped_at_ms + BREAKER_RESET_MS;
      if (nowMs < resetsAtMs) {
        return deny(
          SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED,
          `circuit breaker open (${breaker.trip_code ?? "tripped"})`,
          {
            retryAfterMs: resetsAtMs - nowMs,
          },
        );
      }
      store.putBreaker({ spender, consecutive_errors: 0, tripped_at_ms: null, trip_code: null });
    }
    const recentSpends = store.velocityCount(spender, nowMs);
    if (recentSpends >= VELOCITY_SPENDS_MAX) {
      store.putBreaker({
        ...breakerRow(spender),
        tripped_at_ms: nowMs,
        trip_code: SafetyErrorCode.VELOCITY_ANOMALY,
      });
      return deny(
        SafetyErrorCode.VELOCITY_ANOMALY,
        `more than ${VELOCITY_SPENDS_MAX} spends in a minute; breaker tripped`,
        {
          retryAfterMs: BREAKER_RESET_MS,
        },
      );
    }

    let redeem: ApprovalRow | undefined;
    if (request.approvalId !== undefined) {
      const resolved = resolveExplicitApproval(request, request.approvalId);
      if ("allowed" in resolved) return resolved;
      redeem = resolved;
    }

    const policy = policyOf(spender);
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

    const threshold = policy.approval_threshold_trm;
    const needsHuman =
      amountTrm > policy.per_request_max_trm || (threshold !== null && amountTrm > threshold);
    if (needsHuman && redeem === undefined) {
      redeem = store.findApproval(spender, amountTrm, request.requestId ?? null, "approved");
      if (redeem === undefined) return requireApproval(request, policy, nowMs);
    }
    return redeem === undefined ? { allowed: true } : { allowed: true, approvalId: redeem.approval_id };
  };

  const checkTransaction = db.transaction((request: SpendRequest, nowMs: number): SpendDecision => {
    expireDue(nowMs);
    const outcome = evaluate(request, nowMs);
    const base = { spender: request.spender, amountTrm: request.amountTrm, decidedAtMs: nowMs };
    const logBase = {
      nowMs,
      spender: request.spender,
      amountTrm: request.amountTrm,
      reason: request.reason,
      requestId: request.requestId ?? null,
    };
    if (!outcome.allowed) {
      log({
        ...logBase,
        allowed: false,
        code: outcome.code,
        message: outcome.message,
        approvalId: outcome.approvalId ?? null,
      });
      const { allowed: _allowed, ...rest } = outcome;
      return { ...rest, ...base, allowed: false };
    }
    const grantId = newId("grt");
    if (outcome.approvalId !== undefined && store.consumeApproval(outcome.approvalId) !== 1) {
      throw new Error(`approval ${outcome.approvalId} could not be consumed`);
    }
    store.insertGrant({
      grant_id: grantId,
      spender: request.spender,
      granted_trm: request.amountTrm,
      spent_trm: null,
      state: "pending",
      time_ms: nowMs,
      settled_at_ms: null,
      approval_id: outcome.approvalId ?? null,
    });
    store.velocityAdd(request.spender, nowMs);
    log({
      ...logBase,
      allowed: true,
      code: "ALLOWED",
      message: "allowed",
      approvalId: outcome.approvalId ?? null,
      grantId,
    });
    const allowed: SpendAllowed = { ...base, allowed: true, code: "ALLOWED", grantId };
    if (outcome.approvalId !== undefined) allowed.approvalId = outcome.approvalId;
    return allowed;
  });

  const checkSpend = (request: SpendRequest): SpendDecision => {
    let nowMs = 0;
    const spenderShown =
      typeof request?.spender === "string" && request.spender.length > 0
        ? request.spender.slice(0, 64)
        : "<invalid>";
    const amountShown = isAmountTrm(request?.amountTrm) ? request.amountTrm : null;
    const denial = (code: SafetyDenyCode, message: string): SpendDecision => ({
      allowed: false,
      code,
      message,
      spender: spenderShown,
      amountTrm: amountShown ?? 0,
      decidedAtMs: nowMs,
    });
    const tryLog = (code: SafetyDenyCode, message: string): void => {
      try {
        log({ nowMs, spender: spenderShown, amountTrm: amountShown, allowed: false, code, message });
      } catch {
        // The log itself is broken: the denial stands regardless.
      }
    };
    try {
      nowMs = now();
      const problem = requestProblem(request);
      if (problem !== null) {
        tryLog(SafetyErrorCode.INVALID_SPEND_REQUEST, problem);
        return denial(SafetyErrorCode.INVALID_SPEND_REQUEST, problem);
      }
      return checkTransaction.immediate(request, nowMs);
    } catch (error) {
      const message = `safety gate error: ${error instanceof Error ? error.message : String(error)}`.slice(
        0,
        500,
      );
      tryLog(SafetyErrorCode.SAFETY_INTERNAL_ERROR, message);
      return denial(SafetyErrorCode.SAFETY_INTERNAL_ERROR, message);
    }
  };

  const recordSpend = db.transaction((input: RecordSpendInput): { grant_found: boolean } => {
    assertSpenderName(input.spender);
    if (!isAmountTrm(input.amountTrm)) {
      throw new SafetyError(
        SafetyErrorCode.INVALID_ARGUMENT,
        `"amountTrm" expected a non-negative safe integer, got ${input.amountTrm}`,
      );
    }
    const nowMs = now();
    if (input.grantId !== undefined) {
      const grant = store.grant(input.grantId);
      if (grant !== undefined && grant.spender !== input.spender) {
        throw new SafetyError(
          SafetyErrorCode.INVALID_ARGUMENT,
          `grant ${input.grantId} belongs to ${grant.spender}`,
        );
      }
      if (grant !== undefined && grant.state !== "pending") {
        throw new SafetyError(
          SafetyErrorCode.SPEND_GRANT_NOT_FOUND,
          `grant ${input.grantId} is already ${grant.state}`,
        );
      }
      if (grant !== undefined) {
        store.settleGrant(grant.grant_id, input.amountTrm, nowMs);
        store.lifetimeAdd(input.spender, input.amountTrm);
        return { grant_found: true };
      }
    }
    // Money moved without a live grant (unknown id, pruned grant, or a path without one): count it anyway.
    store.insertGrant({
      grant_id: newId("grt"),
      spender: input.spender,
      granted_trm: input.amountTrm,
      spent_trm: input.amountTrm,
      state: "settled",
      time_ms: nowMs,
      settled_at_ms: nowMs,
      approval_id: null,
    });
    store.lifetimeAdd(input.spender, input.amountTrm);
    return { grant_found: false };
  });

  const recordOutcome = db.transaction((spender: string, ok: boolean): BreakerState => {
    assertSpenderName(spender);
    if (typeof ok !== "boolean")
      throw new SafetyError(SafetyErrorCode.INVALID_ARGUMENT, `"ok" expected a boolean`);
    const nowMs = now();
    const row = breakerRow(spender);
    const next: BreakerRow = ok
      ? { ...row, consecutive_errors: 0 }
      : { ...row, consecutive_errors: Math.min(row.consecutive_errors + 1, 1_000_000) };
    if (!ok && next.consecutive_errors >= BREAKER_CONSECUTIVE_ERRORS_MAX && next.tripped_at_ms === null) {
      next.tripped_at_ms = nowMs;
      next.trip_code = "CONSECUTIVE_ERRORS";
    }
    store.putBreaker(next);
    return breakerState(next, nowMs);
  });

  const decide = (approvalId: string, status: "approved" | "denied", by: string): Approval => {
    checkText(approvalId, "approvalId", 64);
    checkText(by, "by", ACTOR_CHARS_MAX);
    return db
      .transaction((): Approval => {
        const nowMs = now();
        expireDue(nowMs);
        const row = store.approval(approvalId);
        if (row === undefined)
          throw new SafetyError(SafetyErrorCode.APPROVAL_NOT_FOUND, `no approval ${approvalId}`);
        if (row.status !== "pending") {
          throw new SafetyError(
            SafetyErrorCode.APPROVAL_NOT_PENDING,
            `approval ${approvalId} is ${row.status}`,
            {
              details: { status: row.status },
            },
          );
        }
        store.decideApproval(
          approvalId,
          status,
          nowMs,
          by,
          status === "approved" ? nowMs + APPROVAL_REDEEM_WINDOW_MS : null,
        );
        if (status === "denied") {
          log({
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
      })
      .immediate();
  };

  return {
    checkSpend,
    recordSpend: (input) => recordSpend.immediate(input),
    releaseSpend(grantId) {
      checkText(grantId, "grantId", 64);
      const grant = store.grant(grantId);
      if (grant === undefined)
        throw new SafetyError(SafetyErrorCode.SPEND_GRANT_NOT_FOUND, `no grant ${grantId}`);
      return store.releaseGrant(grantId, now()) === 1;
    },
    recordOutcome: (spender, ok) => recordOutcome.immediate(spender, ok),
    activateKill(reason, by) {
      store.activateKill(
        checkText(reason, "reason", REASON_CHARS_MAX),
        now(),
        checkText(by, "by", ACTOR_CHARS_MAX),
      );
      return killState();
    },
    resume(by) {
      store.resumeKill(now(), checkText(by, "by", ACTOR_CHARS_MAX));
      return killState();
    },
    killSwitch: killState,
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
    approve: (approvalId, by) => decide(approvalId, "approved", by),
    deny: (approvalId, by) => decide(approvalId, "denied", by),
    expireApprovals(nowMs) {
      const at = nowMs ?? now();
      if (!Number.isSafeInteger(at)) throw new RangeError(`"nowMs" expected a safe integer, got ${at}`);
      return db.transaction(() => expireDue(at)).immediate();
    },
    listApprovals(filter = {}) {
      db.transaction(() => expireDue(now())).immediate();
      const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? 100)), DECISION_LIST_LIMIT_MAX);
      return store.approvals({ status: filter.status ?? null, spender: filter.spender ?? null, limit });
    },
    listDecisions(filter = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? 100)), DECISION_LIST_LIMIT_MAX);
      return store
        .decisions({ spender: filter.spender ?? null, limit })
        .map((row) => ({ ...row, allowed: row.allowed === 1 }));
    },
    state() {
      const nowMs = now();
      const spenders = store.activeSpenders(nowMs, 1_000);
      return {
        kill_switch: killState(),
        breakers: store.breakers(1_000).map((row) => breakerState(row, nowMs)),
        default_policy: { ...defaultPolicy },
        policies: store.policies(1_000).map((row) => ({ ...row })),
        pending_approvals: store.pendingApprovalsTotal(),
        spend: spenders.map((spender) => ({
          spender,
          hourly_spend_trm: store.hourlyUsed(spender, nowMs),
          lifetime_spend_trm: store.lifetimeUsed(spender, nowMs),
          spends_last_minute: store.velocityCountReadOnly(spender, nowMs),
        })),
        limits: {
          velocity_spends_max: VELOCITY_SPENDS_MAX,
          breaker_consecutive_errors_max: BREAKER_CONSECUTIVE_ERRORS_MAX,
          breaker_reset_ms: BREAKER_RESET_MS,
        },
      };
    },
  };
}
