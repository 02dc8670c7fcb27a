/**
 * The narrow interfaces the HTTP app and the spend path use from the packages they compose — exactly the
 * calls made, nothing more. `node.ts` passes the real ledger, safety gate and inference
 * engine; there are no test doubles.
 * @module
 */
import type { PricingSnapshot } from "@tirami/client";
import type { Engine } from "@tirami/infer";
import type { Ledger } from "@tirami/ledger";

/** The local model: the calls the node makes on an `@tirami/infer` engine. */
export type EnginePort = Pick<Engine, "manifest" | "chat" | "generate" | "embed" | "stats" | "close">;

/** The ledger calls the node makes. */
export type LedgerPort = Pick<
  Ledger,
  | "balance"
  | "reserve"
  | "release"
  | "applySignedTrade"
  | "listTrades"
  | "tradeCount"
  | "merkleRoot"
  | "proof"
  | "getTrade"
  | "settlement"
  | "verify"
  | "listAccounts"
  | "loans"
  | "insurance"
  | "futures"
  | "close"
>;

/** A spend decision of the safety gate (structurally the ledger's `SpendDecision`). */
export type SpendDecisionPort =
  | { allowed: true; code: "ALLOWED"; grantId: string; approvalId?: string }
  | {
      allowed: false;
      code: string;
      message: string;
      approvalId?: string;
      deadlineMs?: number;
      retryAfterMs?: number;
    };

/** An approval record as the gate stores it. */
export interface ApprovalPort {
  approval_id: string;
  spender: string;
  amount_trm: number;
  status: string;
}

/**
 * A policy patch (the ledger's `Partial<SafetyPolicy>`): budgets in integer TRM (a null threshold disables
 * approval) and the breaker settings as counts.
 */
export interface PolicyPatch {
  per_request_max_trm?: number;
  per_request_hard_max_trm?: number;
  hourly_max_trm?: number;
  lifetime_max_trm?: number;
  approval_threshold_trm?: number | null;
  velocity_spends_per_minute_max?: number;
  breaker_consecutive_errors_max?: number;
}

/** Statuses of an approval. */
export type ApprovalStatus = "pending" | "approved" | "denied" | "expired" | "consumed";

/** The safety-gate calls the node makes (docs/architecture.md §6); the ledger's `SafetyGate` satisfies it. */
export interface SafetyPort {
  checkSpend(request: {
    spender: string;
    amountTrm: number;
    reason: string;
    requestId?: string;
    approvalId?: string;
  }): SpendDecisionPort;
  recordSpend(input: { spender: string; amountTrm: number; grantId?: string }): unknown;
  releaseSpend(grantId: string): boolean;
  recordOutcome(spender: string, ok: boolean): unknown;
  activateKill(reason: string, by: string): { active: boolean };
  resume(by: string): { active: boolean };
  killSwitch(): { active: boolean; reason: string | null };
  getPolicy(spender: string): object;
  setPolicy(spender: string, partial: PolicyPatch): object;
  approve(approvalId: string, by: string): ApprovalPort;
  deny(approvalId: string, by: string): ApprovalPort;
  expireApprovals(nowMs?: number): number;
  listApprovals(filter?: { status?: ApprovalStatus; spender?: string; limit?: number }): ApprovalPort[];
  listDecisions(filter?: { limit?: number; spender?: string }): object[];
  state(): {
    kill_switch: { active: boolean };
    pending_approvals: number;
    spend: Array<{ spender: string }>;
    breakers: Array<{ spender: string; tripped: boolean }>;
    policies: Array<{ spender: string }>;
  };
}

/** Price quotes (docs/architecture.md §4): what this node charges per completion token now. */
export interface PricingPort {
  priceTrmPerToken(): number;
  snapshot(): PricingSnapshot;
}
