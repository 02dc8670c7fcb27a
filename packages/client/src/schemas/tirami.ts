/**
 * Request schemas of the `/v1/tirami` routes (zod): the one definition the node validates bodies with and
 * the client checks inputs against before sending. They fix the shape and the API's own bounds; the rules
 * that belong to a package below the node (a loan's term and collateral ratio, a policy's consistency)
 * are enforced by that package, which answers with its own typed error (docs/architecture.md §8).
 * @module
 */
import { z } from "zod";
import {
  AGENT_NAME_RE,
  APPROVALS_LIMIT_MAX,
  MODEL_ID_CHARS_MAX,
  POLICY_BREAKER_CONSECUTIVE_ERRORS_MAX,
  POLICY_VELOCITY_SPENDS_PER_MINUTE_MAX,
  REASON_CHARS_MAX,
  SETTLEMENT_HOURS_MAX,
  TRADES_LIMIT_MAX,
} from "../limits.js";

/** 64 lowercase hex characters: an account id, a trade id, a loan id. */
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters");
const amountTrm = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const positiveTrm = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
const timeMs = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The fields of a spend policy (all optional: a partial update). */
export const policyFields = {
  per_request_max_trm: amountTrm.optional(),
  per_request_hard_max_trm: amountTrm.optional(),
  hourly_max_trm: amountTrm.optional(),
  lifetime_max_trm: amountTrm.optional(),
  approval_threshold_trm: amountTrm.nullable().optional(),
  velocity_spends_per_minute_max: z.int().min(1).max(POLICY_VELOCITY_SPENDS_PER_MINUTE_MAX).optional(),
  breaker_consecutive_errors_max: z.int().min(1).max(POLICY_BREAKER_CONSECUTIVE_ERRORS_MAX).optional(),
};
export const policyUpdate = z.strictObject(policyFields);
export type PolicyUpdate = z.infer<typeof policyUpdate>;

/** `POST /v1/tirami/kill`. */
export const killRequest = z.object({
  activate: z.boolean(),
  reason: z.string().min(1).max(REASON_CHARS_MAX).optional(),
});
export type KillRequest = z.infer<typeof killRequest>;

/** `PUT /v1/tirami/policy`: the operator's policy, or a named agent's. */
export const setPolicyRequest = z.strictObject({ spender: z.string().max(64).optional(), ...policyFields });
export type SetPolicyRequest = z.infer<typeof setPolicyRequest>;

/** `GET /v1/tirami/policy`. */
export const getPolicyQuery = z.strictObject({ spender: z.string().max(64).optional() });

/** Approval states. */
export const approvalStatus = z.enum(["pending", "approved", "denied", "expired", "consumed"]);

/** `GET /v1/tirami/approvals`. */
export const approvalsQuery = z.strictObject({
  status: approvalStatus.optional(),
  limit: z.int().min(1).max(APPROVALS_LIMIT_MAX).optional(),
});

/** An approval id as the gate issues it. */
export const approvalIdParam = z.strictObject({ approval_id: z.string().min(1).max(128) });

/** `POST /v1/tirami/agents`. */
export const createAgentRequest = z.strictObject({
  name: z.string().regex(AGENT_NAME_RE, "agent name must match [a-z0-9_-]{1,64}"),
  policy: policyUpdate.optional(),
});
export type CreateAgentRequest = z.infer<typeof createAgentRequest>;

/** An agent named in the path. */
export const agentNameParam = z.strictObject({
  name: z.string().regex(AGENT_NAME_RE, "agent name must match [a-z0-9_-]{1,64}"),
});

/** `GET /v1/tirami/trades`: newest first, paged by `before`. */
export const tradesQuery = z.strictObject({
  limit: z.int().min(1).max(TRADES_LIMIT_MAX).optional(),
  before: hex64.optional(),
});

/** A trade named in the path. */
export const tradeIdParam = z.strictObject({ trade_id: hex64 });

/** `GET /v1/tirami/settlement`: a window `[from, to)` in ms, or the last `hours` before `to`. */
export const settlementQuery = z.strictObject({
  from: timeMs.optional(),
  to: timeMs.optional(),
  hours: z.int().min(1).max(SETTLEMENT_HOURS_MAX).optional(),
  price: z.number().min(0).max(1e9).optional(),
});

/** Routing preference of a mesh purchase. */
export const routePreference = z.enum(["cost", "quality", "balanced"]);

/** `GET /v1/tirami/providers`. */
export const providersQuery = z.strictObject({
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  preference: routePreference.optional(),
});

/** `GET /v1/tirami/route`. */
export const routeQuery = z.strictObject({
  model: z.string().min(1).max(128),
  preference: routePreference.optional(),
});

/** An account named in the path. */
export const accountParam = z.strictObject({ account: hex64 });

/** `GET /v1/tirami/topology`. */
export const topologyQuery = z.strictObject({
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  context_tokens: z.int().min(0).optional(),
  hop_latency_ms: z.number().min(0).optional(),
  link_bytes_per_s: z.int().min(1).optional(),
});

/** A model named in the path. */
export const modelParam = z.strictObject({ model: z.string().min(1).max(MODEL_ID_CHARS_MAX) });

/** A stored response named in the path. */
export const responseIdParam = z.strictObject({ id: z.string().min(1).max(128) });

const loanRatePpmPerHour = z.int().min(0).max(100_000);
const termHours = z.int().min(1);

/** `POST /v1/tirami/lend`: offer TRM to the mesh's borrowers (term capped by the loan contract rules). */
export const lendRequest = z.strictObject({
  amount_trm: positiveTrm,
  max_term_hours: termHours.optional(),
  min_interest_ppm_per_hour: loanRatePpmPerHour.optional(),
});

/** `POST /v1/tirami/borrow`: from the cheapest live offer, or from `lender`. */
export const borrowRequest = z.strictObject({
  amount_trm: positiveTrm,
  term_hours: termHours,
  collateral_trm: positiveTrm,
  lender: hex64.optional(),
});

/** `POST /v1/tirami/lend-to`: lend to one borrower directly. */
export const lendToRequest = z.strictObject({
  borrower: hex64,
  amount_trm: positiveTrm,
  term_hours: termHours,
  collateral_trm: positiveTrm,
  interest_ppm_per_hour: loanRatePpmPerHour.optional(),
});

/** `POST /v1/tirami/repay`. */
export const repayRequest = z.strictObject({ loan_id: hex64 });

/** `GET /v1/tirami/credit`: this node's credit, or another account's. */
export const creditQuery = z.strictObject({ account: hex64.optional() });

/** `GET /v1/tirami/loans`. */
export const loansQuery = z.strictObject({
  status: z.enum(["active", "repaid", "defaulted"]).optional(),
  all: z.boolean().optional(),
});

/** A loan named in the path. */
export const loanIdParam = z.strictObject({ id: hex64 });
