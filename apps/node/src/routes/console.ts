/**
 * The web console (packages/console/README.md) at `/`: the page and its content-hashed assets under
 * `/assets/<build>/`, public like `/health` because they hold no data (every figure the page shows comes
 * from the authenticated API, with the token the user types in). Served with the console's content
 * types, caching (assets immutable, the page revalidated), ETags and Content-Security-Policy.
 * @module
 */
import { Hono } from "hono";
import { CONSOLE_SECURITY_HEADERS, type ConsoleAssets } from "@tirami/console";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";

/** What the console routes serve. */
export interface ConsoleRoutesDeps {
  /** The built console. @throws {ConsoleError} CONSOLE_NOT_BUILT (answered 503) */
  assets(): ConsoleAssets;
}

/** Routes of the console. */
export function consoleRoutes(deps: ConsoleRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const serve = (path: string, ifNoneMatch: string | undefined): Response => {
    const asset = deps.assets().get(path);
    if (asset === undefined)
      throw new NodeError(NodeErrorCode.NOT_FOUND, `no console file at ${path.slice(0, 200)}`);
    const headers = {
      ...CONSOLE_SECURITY_HEADERS,
      "Content-Type": asset.contentType,
      "Cache-Control": asset.cacheControl,
      ETag: asset.etag,
    };
    if (ifNoneMatch === asset.etag) return new Response(null, { status: 304, headers });
    return new Response(asset.body, { status: 200, headers });
  };
  app.get("/", (c) => serve("/", c.req.header("if-none-match")));
  app.get("/assets/*", (c) => serve(c.req.path, c.req.header("if-none-match")));
  return app;
}
