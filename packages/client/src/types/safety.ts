/**
 * What the safety and agent routes answer: the kill switch, policies, breakers, approvals and agents.
 * @module
 */

export interface KillSwitchState {
  active: boolean;
  reason: string | null;
  activated_at_ms: number | null;
  activated_by: string | null;
  resumed_at_ms: number | null;
  resumed_by: string | null;
}

/** A spender's policy: every amount an integer in TRM. */
export interface SpendPolicy {
  per_request_max_trm: number;
  per_request_hard_max_trm: number;
  hourly_max_trm: number;
  lifetime_max_trm: number;
  approval_threshold_trm: number | null;
  velocity_spends_per_minute_max: number;
  breaker_consecutive_errors_max: number;
}

/** `GET /v1/tirami/safety`: the node's safety state (an agent sees its own rows only). */
export interface SafetyResponse {
  kill_switch: KillSwitchState;
  breakers: Array<{
    spender: string;
    tripped: boolean;
    consecutive_errors: number;
    resets_at_ms: number | null;
  }>;
  policies: Array<Record<string, unknown>>;
  spend: Array<{
    spender: string;
    hourly_spend_trm: number;
    lifetime_spend_trm: number;
    spends_last_minute: number;
  }>;
  recent_decisions: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** `POST /v1/tirami/kill`. */
export interface KillResponse {
  status: string;
  kill_switch: KillSwitchState;
}

/** `GET|PUT /v1/tirami/policy`. */
export interface PolicyResponse {
  spender: string;
  policy: SpendPolicy;
  status?: string;
}

/** One approval of a spend over a threshold. */
export interface Approval {
  approval_id: string;
  spender: string;
  amount_trm: number;
  request_id: string | null;
  reason: string;
  status: "pending" | "approved" | "denied" | "expired" | "consumed";
  created_at_ms: number;
  deadline_ms: number;
  decided_at_ms: number | null;
  decided_by: string | null;
  redeem_deadline_ms: number | null;
}

export interface ApprovalsResponse {
  count: number;
  approvals: Approval[];
}

export interface ApprovalResponse {
  approval: Approval;
}

/** An agent: a name with its own token, policy and budget. */
export interface Agent {
  name: string;
  status: "active" | "frozen" | "revoked";
  created_ms: number;
  updated_ms: number;
}

/** `POST /v1/tirami/agents`: the token is shown once. */
export interface CreateAgentResponse {
  agent: Agent;
  token: string;
  policy: SpendPolicy;
  warning: string;
}

export interface AgentsResponse {
  count: number;
  agents: Array<Agent & { usage: Record<string, number> }>;
}

export interface AgentResponse {
  agent: Agent;
}
