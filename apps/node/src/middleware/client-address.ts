/**
 * The client's socket address, for per-address limits. Requests that do not come through a socket
 * (`app.request` in tests) share the key `local`.
 * @module
 */
import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";

/** The remote address of the request, or `local` when there is no socket. */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "local";
  } catch {
    return "local";
  }
}
