/**
 * `/mcp`: the node's MCP server over streamable HTTP (@tirami/mcp), behind the same bearer auth as the API.
 * Each tool call re-enters this node's own app in process (no socket) through @tirami/client, carrying the
 * caller's token, so an MCP tool can do exactly what its token may do over HTTP — the same auth, policy
 * and safety gate (docs/mcp.md).
 * @module
 */
import type { Hono } from "hono";
import { createTiramiClient } from "@tirami/client";
import { createMcpHttpHandler } from "@tirami/mcp";
import type { AppEnv } from "../principal.js";

/** Internal origin of the in-process calls (a loopback name: accepted by the Host allow-list). */
const SELF_ORIGIN = "http://127.0.0.1";

/** The bearer token of a request, as sent. */
function bearerOf(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1];
}

/** Mounts `/mcp` on `app`; call after the auth middleware of `/mcp` is in place. */
export function mountMcp(app: Hono<AppEnv>): void {
  const handle = createMcpHttpHandler((request) => {
    const token = bearerOf(request);
    return createTiramiClient({
      baseUrl: SELF_ORIGIN,
      ...(token === undefined ? {} : { token }),
      fetch: async (inner) => app.fetch(inner),
    });
  });
  app.all("/mcp", (c) => handle(c.req.raw));
}
