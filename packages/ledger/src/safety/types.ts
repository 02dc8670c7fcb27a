/**
 * The safety gate's public types: the spend request and decision, the state views, and the
 * `SafetyGate` interface itself. No behaviour here; `gate.ts` composes the implementation.
 * @module
 */
import type { KillSwitchState as WireKillSwitchState } from "@tirami/client";
import type BetterSqlite3 from "better-sqlite3";
import type { Clock } from "@tirami/core";
import type { SafetyDenyCode } from "./errors.js";
import type { SafetyPolicy } from "./policy.js";
import type { ApprovalRow, DecisionRow } from "./store.js";

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

/** The kill switch as `GET /v1/tirami/safety` shows it (its wire type is @tirami/client's). */
export type KillSwitchState = WireKillSwitchState;

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
  /** The policy of an agent without its own. */
  default_policy: SafetyPolicy;
  /** The policy of the operator while it has none of its own. */
  operator_default_policy: SafetyPolicy;
  policies: Array<SafetyPolicy & { spender: string; updated_at_ms: number }>;
  pending_approvals: number;
  spend: SpenderSpend[];
  /** Fixed for every spender: the velocity window and how long a tripped breaker stays open. */
  limits: { velocity_window_ms: number; breaker_reset_ms: number };
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
  /**
   * Reports a spend outcome; the spender's policy's `breaker_consecutive_errors_max` failures in a row
   * (5 for an agent, 20 for the operator by default) trip its breaker.
   */
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
  /**
   * Overrides merged over both built-in defaults (`DEFAULT_SAFETY_POLICY` for agents,
   * `DEFAULT_OPERATOR_SAFETY_POLICY` for the operator) for spenders without a policy of their own.
   */
  defaults?: Partial<SafetyPolicy>;
  /** How long a pending approval waits before it counts as denied; default `APPROVAL_DEADLINE_MS` (5 min). */
  approvalDeadlineMs?: number;
}
