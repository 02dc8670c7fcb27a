/**
 * Reaching peers from a mesh host: the bootstrap list (checked, then kept connected by `BootstrapDialer`
 * on the host's libp2p node), resolving a target (account, peer id or multiaddr), dialing it within the
 * host's dial timeout, and the PEER_UNREACHABLE error every failed dial becomes.
 * @module
 */
import "./polyfill.js";
import { type AccountId, isAccountId } from "@tirami/core";
import type { Connection, PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { BootstrapDialer } from "./bootstrap.js";
import { bootstrapAddressProblem } from "./bootstrap-address.js";
import * as C from "./constants.js";
import { NetError, NetErrorCode } from "./errors.js";
import type { HostLimits } from "./host-limits.js";
import type { MeshNode } from "./host-node.js";
import { accountIdFromPeerId, peerIdFromAccountId } from "./identity.js";
import type { MeshHostOptions, PeerTarget } from "./mesh-types.js";

/**
 * The bootstrap multiaddrs of `options` (none by default).
 * @throws RangeError when there are more than `BOOTSTRAP_PEERS_MAX`.
 */
export function bootstrapAddrs(options: MeshHostOptions): string[] {
  const bootstrap = options.bootstrap ?? [];
  if (bootstrap.length > C.BOOTSTRAP_PEERS_MAX)
    throw new RangeError(`at most ${C.BOOTSTRAP_PEERS_MAX} bootstrap peers, got ${bootstrap.length}`);
  for (const address of bootstrap) {
    const problem = bootstrapAddressProblem(address);
    if (problem !== undefined) throw new TypeError(`bootstrap: ${problem}`);
  }
  return bootstrap;
}

/** The re-dialer that keeps `addrs` connected through `node`, each dial bounded by the dial timeout. */
export function createBootstrapDialer(node: MeshNode, addrs: string[], limits: HostLimits): BootstrapDialer {
  return new BootstrapDialer({
    addrs,
    backoff: limits.backoff,
    selfPeerId: node.peerId.toString(),
    async dial(addr) {
      const connection = await node.dial(addr, { signal: AbortSignal.timeout(limits.dialTimeoutMs) });
      return connection.remotePeer.toString();
    },
    isConnected: (peerId) => node.getConnections(peerIdFromString(peerId)).length > 0,
  });
}

/**
 * `MeshHost.dial`: connects to `target` within the dial timeout (or sooner, when `dialOptions.signal`
 * aborts) and returns the account at the other end.
 * @throws TypeError for a target that is not a string; NetError PEER_UNREACHABLE when the dial fails.
 */
export async function dialPeer(
  node: MeshNode,
  limits: HostLimits,
  target: PeerTarget,
  dialOptions: { signal?: AbortSignal },
): Promise<AccountId> {
  const resolved = resolveTarget(target);
  try {
    const signal = anySignal(AbortSignal.timeout(limits.dialTimeoutMs), dialOptions.signal);
    const connection: Connection = await node.dial(resolved, { signal });
    return accountIdFromPeerId(connection.remotePeer);
  } catch (cause) {
    throw dialError(cause, target);
  }
}

/** An account id becomes its peer id, a string starting with "/" a multiaddr, anything else a peer id. */
export function resolveTarget(target: PeerTarget): PeerId | Multiaddr {
  if (typeof target !== "string") throw new TypeError(`"target" expected a string, got ${typeof target}`);
  if (isAccountId(target)) return peerIdFromAccountId(target);
  if (target.startsWith("/")) return multiaddr(target);
  return peerIdFromString(target);
}

/**
 * The peer id a resolved target names: itself, or a multiaddr's `/p2p/` component.
 * @throws TypeError for a multiaddr without `/p2p/`.
 */
export function resolvedPeer(resolved: PeerId | Multiaddr): PeerId {
  if ("getComponents" in resolved) {
    const id = resolved.getComponents().find((c) => c.name === "p2p")?.value;
    if (id === undefined) throw new TypeError("multiaddr has no /p2p/ component");
    return peerIdFromString(id);
  }
  return resolved;
}

/** The PEER_UNREACHABLE error for a failed dial of `target`, keeping the libp2p error as its cause. */
export function dialError(cause: unknown, target: PeerTarget): NetError {
  return new NetError(
    NetErrorCode.PEER_UNREACHABLE,
    `could not reach ${target}: ${cause instanceof Error ? cause.message : String(cause)}`,
    {
      cause,
      details: { target },
    },
  );
}

/** A signal that aborts when `a` or `b` (if given) aborts. */
export function anySignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b === undefined ? a : AbortSignal.any([a, b]);
}
