/**
 * The node's agents as the ledger's spender directory (docs/architecture.md §2, §6): an agent may spend
 * while it is `active` (a frozen or revoked one is refused with AGENT_FROZEN before the safety gate is
 * asked), and every finished spend — the operator's included — is metered in node.db.
 * @module
 */
import { OPERATOR_SPENDER, type SpenderDirectory } from "@tirami/ledger";
import { NodeErrorCode } from "../errors.js";
import type { AgentRegistry } from "./registry.js";
import type { UsageMeter } from "./usage.js";

/** The directory over the agent registry and the usage meter. */
export function agentSpenders(agents: Pick<AgentRegistry, "get">, usage: UsageMeter): SpenderDirectory {
  return {
    refusal(spender) {
      if (spender === OPERATOR_SPENDER) return undefined;
      const agent = agents.get(spender);
      return agent.status === "active"
        ? undefined
        : {
            code: NodeErrorCode.AGENT_FROZEN,
            message: `agent "${spender}" is ${agent.status}; it cannot spend`,
          };
    },
    recordUsage: (spender, entry) => usage.record(spender, entry),
  };
}
