/**
 * Request id and HTTP metrics: every response carries `X-Request-Id`, and is counted by route pattern
 * (never the raw path, which would let clients create unbounded label values), method and status.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { NodeMetrics } from "../metrics.js";
import type { AppEnv } from "../principal.js";

/** @hono/node-server's header on `RESPONSE_ALREADY_SENT`. */
const X_ALREADY_SENT = "x-hono-already-sent";

/** Assigns a request id and records `tirami_http_requests_total` and the latency histogram. */
export function observe(metrics: NodeMetrics): MiddlewareHandler<AppEnv> {
  return async function observe(c, next) {
    const startedNs = process.hrtime.bigint();
    const requestId = randomBytes(8).toString("hex");
    c.set("requestId", requestId);
    try {
      await next();
    } finally {
      // A stream written straight to the socket (sse.ts) sent its own header; its response is a marker.
      if (!c.res.headers.has(X_ALREADY_SENT)) c.header("X-Request-Id", requestId);
      const pattern = routePath(c, -1);
      // A 404 whose last match is a wildcard middleware matched no route: one label, not the raw path.
      const route = c.res.status === 404 && (pattern === "" || pattern.endsWith("*")) ? "unmatched" : pattern;
      const method = c.req.method;
      metrics.httpRequests.inc({ route, method, status: String(c.res.status) });
      metrics.httpDuration.observe({ route, method }, Number(process.hrtime.bigint() - startedNs) / 1e9);
    }
  };
}
