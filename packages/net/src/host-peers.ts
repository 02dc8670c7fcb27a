/**
 * The peer book as a mesh host keeps it: created with the host's capacity, fed with ping latencies (on
 * demand and on a timer), and read as copies so callers cannot change the host's records.
 * @module
 */
import "./polyfill.js";
import type { AccountId } from "@tirami/core";
import type { PeerId } from "@libp2p/interface";
import * as C from "./constants.js";
import { dialError } from "./host-dial.js";
import type { HostLimits } from "./host-limits.js";
import type { MeshNode } from "./host-node.js";
import { accountIdFromPeerId, peerIdFromAccountId } from "./identity.js";
import type { MeshHostOptions } from "./mesh-types.js";
import { PeerBook, type PeerRecord } from "./peer-book.js";

/** What latency probes need: the node to ping with, the book to record in, the dial timeout. */
export interface PeerProbe {
  node: MeshNode;
  peerBook: PeerBook;
  limits: HostLimits;
}

/** The peer book of a host, with its capacity from `options` (or `PEER_BOOK_MAX`). */
export function createPeerBook(options: MeshHostOptions, nowMs: () => number): PeerBook {
  return new PeerBook({
    capacity: options.peerBookMax ?? C.PEER_BOOK_MAX,
    addrsMax: C.PEER_ADDRS_MAX,
    nowMs,
  });
}

/** Pings `peer` (bounded by the dial timeout), records the round trip in the peer book and returns it, ms. */
export async function refreshLatency(probe: PeerProbe, peer: PeerId): Promise<number> {
  const rttMs = await probe.node.services.ping.ping(peer, {
    signal: AbortSignal.timeout(probe.limits.dialTimeoutMs),
  });
  const peerAccount = accountIdFromPeerId(peer);
  probe.peerBook.touch(peerAccount, peer.toString(), { latencyMs: rttMs });
  return rttMs;
}

/**
 * `MeshHost.ping`: the round trip to a connected account, ms.
 * @throws NetError PEER_UNREACHABLE when the ping fails.
 */
export async function pingAccount(probe: PeerProbe, account: AccountId): Promise<number> {
  try {
    return await refreshLatency(probe, peerIdFromAccountId(account));
  } catch (cause) {
    throw dialError(cause, account);
  }
}

/** Re-pings every connected peer each `pingIntervalMs`; the timer does not keep the process alive. */
export function startLatencyRefresh(probe: PeerProbe): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const peer of probe.node.getPeers()) void refreshLatency(probe, peer).catch(() => undefined);
  }, probe.limits.pingIntervalMs);
  timer.unref();
  return timer;
}

/** Accounts with an open connection (each once; peers without an Ed25519 identity are skipped). */
export function connectedAccounts(node: MeshNode): AccountId[] {
  const out = new Set<AccountId>();
  for (const peer of node.getPeers()) {
    try {
      out.add(accountIdFromPeerId(peer));
    } catch {
      // not a Tirami peer
    }
  }
  return [...out];
}

/** A copy of `account`'s peer-book record, or undefined when the book does not know it. */
export function peerRecordCopy(peerBook: PeerBook, account: AccountId): PeerRecord | undefined {
  const record = peerBook.get(account);
  return record === undefined ? undefined : { ...record, multiaddrs: [...record.multiaddrs] };
}
