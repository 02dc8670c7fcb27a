/**
 * The safety gate (docs/architecture.md §6): the one function every spend path calls before it reserves TRM.
 *
 * Evaluation order — the first rule that fails decides, and every decision is logged:
 *   0. the request is well-formed (spender name, integer amount, reason)  → INVALID_SPEND_REQUEST
 *   1. kill switch                                                         → KILL_SWITCH_ACTIVE
 *   2. circuit breaker: tripped less than 5 min ago                        → CIRCUIT_BREAKER_TRIPPED
 *      velocity: the policy's limit already reached in the last 60 s       → VELOCITY_ANOMALY
 *      (30 for an agent, 600 for the operator by default; reaching it trips)
 *   3. approval named by `approvalId` must exist, match and be approved    → APPROVAL_*
 *   4. amount > per_request_hard_max_trm                                   → EXCEEDS_REQUEST_LIMIT
 *   5. sliding-hour budget, then lifetime budget                           → HOURLY_LIMIT_EXCEEDED / LIFETIME_CAP_REACHED
 *   6. human approval when amount > approval_threshold_trm or > per_request_max_trm (the auto cap),
 *      unless an approved approval for this spend is redeemed              → APPROVAL_REQUIRED (pending record)
 *   7. allowed: a grant is recorded against the budgets until settled or released.
 *
 * Why this order. Upstream checked the per-request limit before the approval threshold, so with the
 * default policy (1,000 < 5,000) approval could never fire (docs/upstream.md §6.2, §13.1). Here the per-request
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
 *
 * This file composes the rule modules and keeps the order in one place (`evaluate`): `kill-switch.ts`
 * (1), `breaker.ts` (2), `approvals.ts` (3, 6), `budget.ts` (4–5), `grants.ts` (7), `decision-log.ts`,
 * with every spender's policy read from `policy-store.ts`.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { isAmountTrm } from "@tirami/core";
import { APPROVAL_DEADLINE_MS } from "./constants.js";
import { createApprovals, needsHumanApproval, type Approvals } from "./approvals.js";
import { createBreaker, type Breaker } from "./breaker.js";
import { createBudget, type Budget } from "./budget.js";
import { createDecisionLog, type DecisionLog } from "./decision-log.js";
import { SafetyErrorCode, type SafetyDenyCode } from "./errors.js";
import { createGrants, type Grants } from "./grants.js";
import { createKillSwitch, type KillSwitch } from "./kill-switch.js";
import { newId, type Outcome } from "./outcome.js";
import { DEFAULT_OPERATOR_SAFETY_POLICY, DEFAULT_SAFETY_POLICY, mergePolicy } from "./policy.js";
import { createPolicies, type Policies } from "./policy-store.js";
import { readSafetyState } from "./state.js";
import { createSafetyStore, type ApprovalRow } from "./store.js";
import type { SafetyGate, SafetyGateOptions, SpendAllowed, SpendDecision, SpendRequest } from "./types.js";
import { checkApprovalDeadlineMs, requestProblem } from "./validate.js";

export type {
  Approval,
  BreakerState,
  KillSwitchState,
  RecordSpendInput,
  SafetyDecisionLogEntry,
  SafetyGate,
  SafetyGateOptions,
  SafetyState,
  SpendAllowed,
  SpendDecision,
  SpendDenied,
  SpenderSpend,
  SpendRequest,
} from "./types.js";

/** The rule modules one gate is made of. */
interface GateParts {
  policies: Policies;
  killSwitch: KillSwitch;
  breaker: Breaker;
  approvals: Approvals;
  budget: Budget;
  grants: Grants;
  decisions: DecisionLog;
}

/** Steps 1–6, in order; the first rule that fails decides. Reads and writes inside the caller's IMMEDIATE transaction. */
function evaluate(parts: GateParts, request: SpendRequest, nowMs: number): Outcome {
  const { spender, amountTrm } = request;
  // 1. Kill switch: the node's health, before anything about this spend.
  const killed = parts.killSwitch.check();
  if (killed !== null) return killed;
  // 2. Circuit breaker (an expired trip resets here), then velocity (reaching it trips the breaker).
  const open = parts.breaker.checkOpen(spender, nowMs);
  if (open !== null) return open;
  const policy = parts.policies.policyOf(spender);
  const tooFast = parts.breaker.checkVelocity(spender, policy, nowMs);
  if (tooFast !== null) return tooFast;
  // 3. An approval named explicitly must exist, match and be approved.
  let redeem: ApprovalRow | undefined;
  if (request.approvalId !== undefined) {
    const resolved = parts.approvals.resolveExplicit(request, request.approvalId);
    if ("allowed" in resolved) return resolved;
    redeem = resolved;
  }
  // 4–5. Per-request hard max, then the sliding hour, then the lifetime cap.
  const overBudget = parts.budget.check(request, policy, nowMs);
  if (overBudget !== null) return overBudget;
  // 6. Above the auto cap or the threshold a human decides, unless an approved approval is redeemed.
  if (needsHumanApproval(policy, amountTrm) && redeem === undefined) {
    redeem = parts.approvals.findApproved(request);
    if (redeem === undefined) return parts.approvals.require(request, policy, nowMs);
  }
  return redeem === undefined ? { allowed: true } : { allowed: true, approvalId: redeem.approval_id };
}

/** Step 7: consumes the redeemed approval, opens the grant, counts velocity and logs the allowance. */
function allow(
  parts: GateParts,
  request: SpendRequest,
  approvalId: string | undefined,
  nowMs: number,
): SpendAllowed {
  const grantId = newId("grt");
  if (approvalId !== undefined) parts.approvals.consume(approvalId);
  parts.grants.open({
    grantId,
    spender: request.spender,
    amountTrm: request.amountTrm,
    approvalId: approvalId ?? null,
    nowMs,
  });
  parts.breaker.countSpend(request.spender, nowMs);
  parts.decisions.log({
    ...logFields(request, nowMs),
    allowed: true,
    code: "ALLOWED",
    message: "allowed",
    approvalId: approvalId ?? null,
    grantId,
  });
  const allowed: SpendAllowed = {
    ...decisionFields(request, nowMs),
    allowed: true,
    code: "ALLOWED",
    grantId,
  };
  if (approvalId !== undefined) allowed.approvalId = approvalId;
  return allowed;
}

/** A denial from steps 1–6: logged, then returned with the request's spender and amount. */
function refuse(
  parts: GateParts,
  request: SpendRequest,
  outcome: Outcome & { allowed: false },
  nowMs: number,
): SpendDecision {
  parts.decisions.log({
    ...logFields(request, nowMs),
    allowed: false,
    code: outcome.code,
    message: outcome.message,
    approvalId: outcome.approvalId ?? null,
  });
  const { allowed: _allowed, ...rest } = outcome;
  return { ...rest, ...decisionFields(request, nowMs), allowed: false };
}

/** The request fields every public decision repeats. */
function decisionFields(request: SpendRequest, nowMs: number) {
  return { spender: request.spender, amountTrm: request.amountTrm, decidedAtMs: nowMs };
}

/** The request fields every decision-log row of a checked spend repeats. */
function logFields(request: SpendRequest, nowMs: number) {
  return {
    nowMs,
    spender: request.spender,
    amountTrm: request.amountTrm,
    reason: request.reason,
    requestId: request.requestId ?? null,
  };
}

/** How a possibly malformed request is shown in a denial and the log: never throws. */
function shownFields(request: SpendRequest): { spender: string; amountTrm: number | null } {
  const spender =
    typeof request?.spender === "string" && request.spender.length > 0
      ? request.spender.slice(0, 64)
      : "<invalid>";
  return { spender, amountTrm: isAmountTrm(request?.amountTrm) ? request.amountTrm : null };
}

/**
 * Fail closed: step 0 and anything thrown by steps 1–7 (a missing table, a closed database, a broken
 * clock) become a denial, logged when the log is still writable.
 */
function createCheckSpend(
  db: BetterSqlite3.Database,
  parts: GateParts,
  now: () => number,
): (request: SpendRequest) => SpendDecision {
  const checkTransaction = db.transaction((request: SpendRequest, nowMs: number): SpendDecision => {
    parts.approvals.expireDue(nowMs);
    const outcome = evaluate(parts, request, nowMs);
    if (!outcome.allowed) return refuse(parts, request, outcome, nowMs);
    return allow(parts, request, outcome.approvalId, nowMs);
  });

  return (request) => {
    let nowMs = 0;
    const shown = shownFields(request);
    const denial = (code: SafetyDenyCode, message: string): SpendDecision => ({
      allowed: false,
      code,
      message,
      spender: shown.spender,
      amountTrm: shown.amountTrm ?? 0,
      decidedAtMs: nowMs,
    });
    const tryLog = (code: SafetyDenyCode, message: string): void => {
      try {
        parts.decisions.log({
          nowMs,
          spender: shown.spender,
          amountTrm: shown.amountTrm,
          allowed: false,
          code,
          message,
        });
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
}

/**
 * Creates the gate over `db` (with `SAFETY_SCHEMA_SQL` applied). Throws `SafetyError(INVALID_POLICY)`
 * for invalid `defaults`.
 */
export function createSafetyGate(options: SafetyGateOptions): SafetyGate {
  const { db, clock } = options;
  const defaults = {
    agent: mergePolicy(DEFAULT_SAFETY_POLICY, options.defaults ?? {}),
    operator: mergePolicy(DEFAULT_OPERATOR_SAFETY_POLICY, options.defaults ?? {}),
  };
  const approvalDeadlineMs = checkApprovalDeadlineMs(options.approvalDeadlineMs ?? APPROVAL_DEADLINE_MS);
  const store = createSafetyStore(db);
  const now = (): number => {
    const value = clock.nowMs();
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`clock returned ${value}`);
    return value;
  };
  const decisions = createDecisionLog(store);
  const policies = createPolicies({ db, store, now, defaults });
  const parts: GateParts = {
    policies,
    killSwitch: createKillSwitch({ store, now }),
    breaker: createBreaker({ db, store, now, policyOf: policies.policyOf }),
    approvals: createApprovals({ db, store, now, decisions, approvalDeadlineMs }),
    budget: createBudget({ store }),
    grants: createGrants({ db, store, now }),
    decisions,
  };
  const { killSwitch, breaker, approvals, grants } = parts;

  return {
    checkSpend: createCheckSpend(db, parts, now),
    recordSpend: grants.recordSpend,
    releaseSpend: grants.releaseSpend,
    recordOutcome: breaker.recordOutcome,
    activateKill: killSwitch.activate,
    resume: killSwitch.resume,
    killSwitch: killSwitch.state,
    getPolicy: policies.getPolicy,
    setPolicy: policies.setPolicy,
    approve: (approvalId, by) => approvals.decide(approvalId, "approved", by),
    deny: (approvalId, by) => approvals.decide(approvalId, "denied", by),
    expireApprovals: approvals.expire,
    listApprovals: approvals.list,
    listDecisions: decisions.list,
    state: () =>
      readSafetyState({
        store,
        nowMs: now(),
        killSwitch: killSwitch.state,
        breakers: breaker.states,
        policies,
      }),
  };
}
