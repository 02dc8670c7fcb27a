/**
 * Bearer authentication for every protected route (docs/architecture.md §8). The header must be exactly
 * `Authorization: Bearer <token>`. The operator token is compared in constant time against its stored
 * SHA-256; agent tokens are looked up by their SHA-256 (a preimage-resistant key, so the lookup leaks
 * nothing useful). A frozen agent gets 403 AGENT_FROZEN and a revoked one 401 AGENT_REVOKED on every
 * route. Failed attempts are rate limited per client address.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AgentRegistry } from "../agents/registry.js";
import { AUTHORIZATION_CHARS_MAX } from "../constants.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";
import { hashToken, tokenMatchesHash } from "../tokens.js";
import type { RateLimiter } from "./rate-limit.js";
import { clientAddress } from "./client-address.js";

const BEARER_RE = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

/** Options of `bearerAuth`. */
export interface BearerAuthOptions {
  operatorTokenHash: Uint8Array;
  agents: Pick<AgentRegistry, "findByTokenHash">;
  /** Limits failed attempts per client address. */
  failures: RateLimiter;
}

/**
 * Authenticates the request and sets `c.var.principal`.
 * @throws {NodeError} MISSING_TOKEN / INVALID_TOKEN / AGENT_REVOKED (401), AGENT_FROZEN (403), RATE_LIMITED (429).
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<AppEnv> {
  if (options.operatorTokenHash.length !== 32)
    throw new TypeError("operatorTokenHash must be a 32-byte SHA-256");
  const fail = (c: Parameters<MiddlewareHandler<AppEnv>>[0], code: NodeErrorCode, message: string): never => {
    const waitS = options.failures.take(`auth:${clientAddress(c)}`);
    if (waitS > 0)
      throw new NodeError(NodeErrorCode.RATE_LIMITED, "too many failed authentications; retry later", {
        retryAfterS: waitS,
      });
    throw new NodeError(code, message);
  };
  return async function bearerAuth(c, next) {
    const header = c.req.header("authorization");
    if (header === undefined || header === "")
      return fail(c, NodeErrorCode.MISSING_TOKEN, "missing bearer token: send Authorization: Bearer <token>");
    const match = header.length <= AUTHORIZATION_CHARS_MAX ? BEARER_RE.exec(header) : null;
    if (match === null)
      return fail(c, NodeErrorCode.INVALID_TOKEN, "invalid Authorization header: expected Bearer <token>");
    const token = match[1] as string;
    if (tokenMatchesHash(token, options.operatorTokenHash)) {
      c.set("principal", { kind: "operator" });
      return next();
    }
    const agent = options.agents.findByTokenHash(hashToken(token));
    if (agent === undefined) return fail(c, NodeErrorCode.INVALID_TOKEN, "invalid bearer token");
    if (agent.status === "revoked")
      throw new NodeError(NodeErrorCode.AGENT_REVOKED, `agent "${agent.name}" has been revoked`);
    if (agent.status === "frozen")
      throw new NodeError(
        NodeErrorCode.AGENT_FROZEN,
        `agent "${agent.name}" is frozen; the operator can unfreeze it`,
      );
    c.set("principal", { kind: "agent", name: agent.name });
    return next();
  };
}

/** Lets only the operator through; an agent gets 403 OPERATOR_ONLY. */
export function operatorOnly(): MiddlewareHandler<AppEnv> {
  return async function operatorOnly(c, next) {
    if (c.get("principal").kind !== "operator") {
      throw new NodeError(
        NodeErrorCode.OPERATOR_ONLY,
        "this route needs the operator token; agent tokens cannot use it",
      );
    }
    return next();
  };
}
