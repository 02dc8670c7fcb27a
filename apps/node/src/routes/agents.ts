/**
 * Agent management under `/v1/tirami/agents` (docs/architecture.md §2). The operator creates an agent (its token
 * is returned once), lists them, freezes, unfreezes and revokes them, and may set the agent's budget
 * policy at creation (stored in the safety gate, keyed by the agent's name). An agent may read its own
 * record (usage, spend, policy) and nothing else here.
 * @module
 */
import { Hono } from "hono";
import { createAgentRequest } from "@tirami/client";
import { type AgentRegistry, agentSpender, assertAgentName } from "../agents/registry.js";
import type { UsageMeter } from "../agents/usage.js";
import type { SafetyPort } from "../deps.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import { operatorOnly } from "../middleware/auth.js";
import { readJsonBody } from "../openai/json-body.js";
import { parseBody } from "../openai/schemas.js";
import type { AppEnv } from "../principal.js";

/** What the agent routes use. */
export interface AgentRoutesDeps {
  agents: AgentRegistry;
  usage: UsageMeter;
  safety: SafetyPort;
}

/** Routes of agent management. */
export function agentRoutes(deps: AgentRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { agents, usage, safety } = deps;

  const describe = (name: string) => {
    const agent = agents.get(name);
    const spender = agentSpender(agent.name);
    const spend = safety.state().spend.find((entry) => entry.spender === spender) ?? null;
    return { ...agent, usage: usage.get(spender), spend, policy: safety.getPolicy(spender) };
  };

  app.post("/agents", operatorOnly(), async (c) => {
    const body = parseBody(createAgentRequest, await readJsonBody(c));
    assertAgentName(body.name);
    if (agents.has(body.name))
      throw new NodeError(NodeErrorCode.AGENT_EXISTS, `an agent named "${body.name}" already exists`, {
        param: "name",
      });
    // The policy first: a policy the gate refuses leaves no agent behind (both calls are synchronous).
    const spender = agentSpender(body.name);
    const policy =
      body.policy === undefined ? safety.getPolicy(spender) : safety.setPolicy(spender, body.policy);
    const { agent, token } = agents.create(body.name);
    return c.json({ agent, token, policy, warning: "store this token now: it is shown only once" }, 201);
  });

  app.get("/agents", operatorOnly(), (c) => {
    const list = agents.list().map((agent) => ({ ...agent, usage: usage.get(agentSpender(agent.name)) }));
    return c.json({ count: list.length, agents: list });
  });

  app.get("/agents/:name", (c) => {
    const name = c.req.param("name");
    const principal = c.get("principal");
    if (principal.kind === "agent" && principal.name !== name) {
      throw new NodeError(NodeErrorCode.OPERATOR_ONLY, "an agent may read only its own record");
    }
    return c.json(describe(name));
  });

  app.post("/agents/:name/freeze", operatorOnly(), (c) =>
    c.json({ agent: agents.setStatus(c.req.param("name"), "frozen") }),
  );
  app.post("/agents/:name/unfreeze", operatorOnly(), (c) =>
    c.json({ agent: agents.setStatus(c.req.param("name"), "active") }),
  );
  app.delete("/agents/:name", operatorOnly(), (c) =>
    c.json({ agent: agents.setStatus(c.req.param("name"), "revoked") }),
  );
  return app;
}
