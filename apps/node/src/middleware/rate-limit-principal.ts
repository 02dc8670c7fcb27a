/**
 * Applies the per-token rate limit to an authenticated principal: the operator and each agent have their
 * own bucket. Exceeded → 429 RATE_LIMITED with `Retry-After`.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";
import { spenderOf } from "../principal.js";
import type { RateLimiter } from "./rate-limit.js";

/** Rate-limits each principal with `limiter`. */
export function principalRateLimit(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async function principalRateLimit(c, next) {
    const waitS = limiter.take(`principal:${spenderOf(c.get("principal"))}`);
    if (waitS > 0)
      throw new NodeError(NodeErrorCode.RATE_LIMITED, "rate limit exceeded for this token", {
        retryAfterS: waitS,
      });
    return next();
  };
}
