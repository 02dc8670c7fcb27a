/**
 * Loopback addresses and names: what a node bound to this machine only may be called (the bind check of
 * `createNode`, the `Host` allow-list of `middleware/host-allow.ts`).
 * @module
 */
import { isIP } from "node:net";

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}
