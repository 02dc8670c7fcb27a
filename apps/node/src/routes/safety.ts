/**
 * Safety routes under `/v1/tirami` (docs/upstream.md §3.7): `GET /safety` (state and recent decisions), and for the
 * operator only: `POST /kill` (`{activate, reason}`), `GET|PUT /policy` (per spender), and approving or
 * denying pending approvals. An agent may list only its own approvals.
 * @module
 */
import { Hono } from "hono";
import { APPROVALS_LIMIT_MAX, approvalStatus, killRequest, setPolicyRequest } from "@tirami/client";
import type { AgentRegistry } from "../agents/registry.js";
import { isApprovalId, OPERATOR_SPENDER } from "@tirami/ledger";
import { MIND_SPENDER } from "@tirami/mind";
import type { SafetyPort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import { type AppEnv, spenderOf } from "../principal.js";
import { integerParam } from "./query.js";

const DECISIONS_SHOWN = 20;

/** What the safety routes use. */
export interface SafetyRoutesDeps {
  safety: SafetyPort;
  agents: Pick<AgentRegistry, "get">;
}

/** The spender named in a request: the operator, the mind, or an existing agent. @throws AGENT_NOT_FOUND */
function existingSpender(deps: SafetyRoutesDeps, spender: string | undefined): string {
  if (spender === undefined || spender === OPERATOR_SPENDER) return OPERATOR_SPENDER;
  if (spender === MIND_SPENDER) return MIND_SPENDER;
  return deps.agents.get(spender).name;
}

/** Routes of the safety endpoints. */
export function safetyRoutes(deps: SafetyRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { safety } = deps;

  app.get("/safety", (c) => {
    const principal = c.get("principal");
    const state = safety.state();
    if (principal.kind === "operator") {
      return c.json({ ...state, recent_decisions: safety.listDecisions({ limit: DECISIONS_SHOWN }) });
    }
    // An agent sees the node-wide switch and its own budget state, not other spenders'.
    const spender = spenderOf(principal);
    const own = <T extends { spender: string }>(rows: T[]): T[] =>
      rows.filter((row) => row.spender === spender);
    return c.json({
      ...state,
      spender,
      policy: safety.getPolicy(spender),
      breakers: own(state.breakers),
      policies: own(state.policies),
      spend: own(state.spend),
      recent_decisions: safety.listDecisions({ limit: DECISIONS_SHOWN, spender }),
    });
  });

  app.post("/kill", operatorOnly(), async (c) => {
    const body = parseBody(killRequest, await readJsonBody(c));
    if (body.activate) {
      const state = safety.activateKill(body.reason ?? "emergency halt", OPERATOR_SPENDER);
      return c.json({ status: "KILL SWITCH ACTIVATED", kill_switch: state });
    }
    return c.json({ status: "kill switch deactivated", kill_switch: safety.resume(OPERATOR_SPENDER) });
  });

  app.get("/policy", operatorOnly(), (c) => {
    const spender = existingSpender(deps, c.req.query("spender"));
    return c.json({ spender, policy: safety.getPolicy(spender) });
  });

  const putPolicy = operatorOnly();
  app.on(["PUT", "POST"], "/policy", putPolicy, async (c) => {
    const { spender: requested, ...partial } = parseBody(setPolicyRequest, await readJsonBody(c));
    const spender = existingSpender(deps, requested);
    const policy = safety.setPolicy(spender, partial);
    return c.json({ status: "policy set", spender, policy });
  });

  app.get("/approvals", (c) => {
    const principal = c.get("principal");
    const statusRaw = c.req.query("status");
    const status = statusRaw === undefined ? undefined : approvalStatus.safeParse(statusRaw);
    if (status !== undefined && !status.success) {
      throw new NodeError(
        NodeErrorCode.INVALID_REQUEST,
        "status: expected pending, approved, denied, expired or consumed",
        { param: "status" },
      );
    }
    const limit = integerParam(c.req.query("limit"), "limit", 100, 1, APPROVALS_LIMIT_MAX) as number;
    safety.expireApprovals();
    const approvals = safety.listApprovals({
      limit,
      ...(status === undefined ? {} : { status: status.data }),
      ...(principal.kind === "agent" ? { spender: spenderOf(principal) } : {}),
    });
    return c.json({ count: approvals.length, approvals });
  });

  for (const decision of ["approve", "deny"] as const) {
    app.post(`/approvals/:approval_id/${decision}`, operatorOnly(), (c) => {
      const approvalId = c.req.param("approval_id");
      if (!isApprovalId(approvalId))
        throw new NodeError(NodeErrorCode.INVALID_REQUEST, "approval_id: malformed", {
          param: "approval_id",
        });
      const approval =
        decision === "approve"
          ? safety.approve(approvalId, OPERATOR_SPENDER)
          : safety.deny(approvalId, OPERATOR_SPENDER);
      return c.json({ approval });
    });
  }
  return app;
}
