/**
 * Agents: local programs that call this node's API with their own scoped token (docs/architecture.md §2). A token is
 * shown once at creation; only its SHA-256 is stored. An agent is `active`, `frozen` (403 everywhere) or
 * `revoked` (401 everywhere, final). Budgets live in the ledger's safety gate, keyed by `agentSpender(name)`.
 * @module
 */
import type { Clock } from "@tirami/core";
import { OPERATOR_SPENDER } from "@tirami/ledger";
import { MIND_SPENDER } from "@tirami/mind";
import { BANK_SPENDER } from "@tirami/bank";
import { AGENT_NAME_RE, AGENTS_MAX } from "../constants.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import { generateToken, hashToken } from "../tokens.js";
import type { NodeDatabase } from "./db.js";

export type AgentStatus = "active" | "frozen" | "revoked";

/** An agent as returned by the API (never its token). */
export interface Agent {
  name: string;
  status: AgentStatus;
  created_ms: number;
  updated_ms: number;
}

/** The registry of agents, on node.db. */
export interface AgentRegistry {
  /** Creates an active agent; returns it with its token, which is never shown again. Throws AGENT_EXISTS, AGENTS_FULL, INVALID_REQUEST. */
  create(name: string): { agent: Agent; token: string };
  list(): Agent[];
  /** True when an agent (in any status) has this name. */
  has(name: string): boolean;
  /** Throws AGENT_NOT_FOUND. */
  get(name: string): Agent;
  /** The agent whose token hashes to `tokenSha256`, or undefined. */
  findByTokenHash(tokenSha256: Uint8Array): Agent | undefined;
  /** Moves an agent to `status`; a revoked agent stays revoked (409 AGENT_EXISTS is not used: INVALID_REQUEST). */
  setStatus(name: string, status: AgentStatus): Agent;
}

/**
 * The spender key of an agent: its name, which shares the gate's spender syntax `[a-z0-9_-]{1,64}`; the name
 * `operator` is reserved so an agent can never be confused with the operator, and `mind` so none can spend
 * as the node's mind.
 */
export function agentSpender(name: string): string {
  return name;
}

/**
 * Throws INVALID_REQUEST unless `name` matches `[a-z0-9_-]{1,64}` and is not reserved: `operator`, `mind`
 * (the mind's own spender, docs/mind.md) or `bank` (the treasury's own spender, docs/bank.md).
 */
export function assertAgentName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !AGENT_NAME_RE.test(name)) {
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, "agent name must match [a-z0-9_-]{1,64}", {
      param: "name",
    });
  }
  if (name === OPERATOR_SPENDER || name === MIND_SPENDER || name === BANK_SPENDER) {
    throw new NodeError(NodeErrorCode.INVALID_REQUEST, `agent name "${name}" is reserved`, {
      param: "name",
    });
  }
}

interface AgentRow {
  name: string;
  status: AgentStatus;
  created_ms: number;
  updated_ms: number;
}

/** Builds the registry over an open node.db. */
export function createAgentRegistry(db: NodeDatabase, clock: Clock): AgentRegistry {
  const insert = db.prepare(
    "INSERT INTO agents (name, token_sha256, status, created_ms, updated_ms) VALUES (?, ?, 'active', ?, ?)",
  );
  const count = db.prepare("SELECT count(*) AS n FROM agents").pluck();
  const selectAll = db.prepare<[], AgentRow>(
    "SELECT name, status, created_ms, updated_ms FROM agents ORDER BY name",
  );
  const selectOne = db.prepare<[string], AgentRow>(
    "SELECT name, status, created_ms, updated_ms FROM agents WHERE name = ?",
  );
  const selectByHash = db.prepare<[Uint8Array], AgentRow>(
    "SELECT name, status, created_ms, updated_ms FROM agents WHERE token_sha256 = ?",
  );
  const update = db.prepare("UPDATE agents SET status = ?, updated_ms = ? WHERE name = ?");

  function get(name: string): Agent {
    assertAgentName(name);
    const row = selectOne.get(name);
    if (row === undefined)
      throw new NodeError(NodeErrorCode.AGENT_NOT_FOUND, `no agent named "${name}"`, { param: "name" });
    return { ...row };
  }

  const createTx = db.transaction((name: string, tokenSha256: Buffer, nowMs: number) => {
    if (selectOne.get(name) !== undefined)
      throw new NodeError(NodeErrorCode.AGENT_EXISTS, `an agent named "${name}" already exists`, {
        param: "name",
      });
    if ((count.get() as number) >= AGENTS_MAX)
      throw new NodeError(NodeErrorCode.AGENTS_FULL, `this node already has ${AGENTS_MAX} agents`);
    insert.run(name, tokenSha256, nowMs, nowMs);
  });

  return {
    create(name) {
      assertAgentName(name);
      const token = generateToken();
      const nowMs = clock.nowMs();
      createTx.immediate(name, hashToken(token), nowMs);
      return { agent: { name, status: "active", created_ms: nowMs, updated_ms: nowMs }, token };
    },
    list: () => selectAll.all().map((row) => ({ ...row })),
    has: (name) => selectOne.get(name) !== undefined,
    get,
    findByTokenHash(tokenSha256) {
      const row = selectByHash.get(tokenSha256);
      return row === undefined ? undefined : { ...row };
    },
    setStatus(name, status) {
      const agent = get(name);
      if (agent.status === "revoked") {
        throw new NodeError(
          NodeErrorCode.INVALID_REQUEST,
          `agent "${name}" is revoked; create a new agent instead`,
          { param: "name" },
        );
      }
      const nowMs = clock.nowMs();
      update.run(status, nowMs, name);
      return { ...agent, status, updated_ms: nowMs };
    },
  };
}
