/**
 * Who is calling: the operator (the node's own token) or a named agent (its scoped token). Set by the
 * auth middleware on every protected request; every decision downstream is attributed to it.
 * @module
 */
import { OPERATOR_SPENDER } from "@tirami/ledger";
import { agentSpender } from "./agents/registry.js";

export type Principal = { kind: "operator" } | { kind: "agent"; name: string };

/** The hono environment of the node app. */
export interface AppEnv {
  Variables: {
    principal: Principal;
    requestId: string;
  };
}

/** The safety-gate and usage spender of a principal. */
export function spenderOf(principal: Principal): string {
  return principal.kind === "operator" ? OPERATOR_SPENDER : agentSpender(principal.name);
}
