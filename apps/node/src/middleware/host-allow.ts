/**
 * The `Host` allow-list against DNS rebinding (docs/architecture.md §8). A web page on `evil.example`
 * whose name an attacker re-points at 127.0.0.1 makes the victim's browser talk to this node as if it
 * were that site: same-origin to the page, so it can read the answers (`/metrics`, and with a token
 * obtained elsewhere, everything). The browser still sends `Host: evil.example`, so a node that answers
 * only the names it is really called by is out of reach. A node bound to loopback therefore accepts only
 * loopback names (`localhost`, `127.x.x.x`, `[::1]`, any port) plus the operator's `allowed_hosts` (a
 * reverse proxy's public name); any other `Host` is 403 `HOST_NOT_ALLOWED`. `*` in the list turns the
 * check off. A node bound to another address checks only when `allowed_hosts` is set (it cannot know the
 * names it is reached by otherwise). Ollama and Jupyter fixed the same class of bug this way.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { NodeError, NodeErrorCode } from "../errors.js";
import { isLoopback } from "../loopback.js";
import type { AppEnv } from "../principal.js";

/** Host names (no port) accepted besides the loopback ones; `undefined` = every Host is accepted. */
export type HostAllowList = ReadonlySet<string> | undefined;

const HOST_SHOWN_MAX = 64;
/** An `allowed_hosts` entry: `*`, a DNS name, an IPv4 address or a bracketed IPv6 address, lowercase. */
const HOST_ENTRY_RE =
  /^(\*|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])$/;

/** Why an `allowed_hosts` entry is unusable (config check), or undefined. */
export function hostEntryProblem(entry: string): string | undefined {
  return HOST_ENTRY_RE.test(entry) && entry.length <= 253
    ? undefined
    : "expected *, a lowercase host name or IP address without port (IPv6 in brackets)";
}

/** The allow-list of a node bound to `bind` with the operator's `allowed_hosts`. */
export function hostAllowList(bind: string, allowedHosts: readonly string[]): HostAllowList {
  if (allowedHosts.includes("*")) return undefined;
  if (!isLoopback(bind) && allowedHosts.length === 0) return undefined;
  return new Set(allowedHosts);
}

/** `[::1]` → `::1`: the form `isLoopback` takes. */
function unbracketed(name: string): string {
  return name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
}

/** Refuses requests whose `Host` is neither a loopback name nor in `allowed` (403 HOST_NOT_ALLOWED). */
export function allowHosts(allowed: HostAllowList): MiddlewareHandler<AppEnv> {
  return async function allowHosts(c, next) {
    if (allowed === undefined) return next();
    // The request URL's host is the Host header as the server parsed it (lowercased, IPv6 bracketed).
    const hostname = new URL(c.req.url).hostname;
    const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
    if (isLoopback(unbracketed(name)) || allowed.has(name)) return next();
    const shown = name.length > HOST_SHOWN_MAX ? `${name.slice(0, HOST_SHOWN_MAX)}…` : name;
    throw new NodeError(
      NodeErrorCode.HOST_NOT_ALLOWED,
      `Host "${shown}" is not allowed: this node answers only localhost, 127.0.0.1 and [::1] and the names in allowed_hosts`,
    );
  };
}
