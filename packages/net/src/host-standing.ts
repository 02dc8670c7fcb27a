/**
 * Standing of peers at a mesh host: the local penalty book (rejected gossip counted per neighbour), the
 * ban that follows the limit (event, hang-up, and the connection gate that refuses the peer while
 * banned), and the standing report that joins our count with gossipsub's own score.
 * @module
 */
import "./polyfill.js";
import type { AccountId } from "@tirami/core";
import type { GossipSub } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import * as C from "./constants.js";
import type { HostEvents } from "./host-events.js";
import type { MeshNode } from "./host-node.js";
import { accountIdFromPeerId, peerIdFromAccountId } from "./identity.js";
import type { MeshHostOptions, PeerStanding } from "./mesh-types.js";
import { PeerPenalties } from "./penalties.js";

/** The penalty book of a host, with its limits from `options` (or `constants.ts`). */
export function createPenalties(options: MeshHostOptions, nowMs: () => number): PeerPenalties {
  return new PeerPenalties({
    invalidMessagesMax: options.invalidMessagesMax ?? C.INVALID_MESSAGES_MAX,
    windowMs: C.INVALID_MESSAGES_WINDOW_MS,
    banDurationMs: options.banDurationMs ?? C.BAN_DURATION_MS,
    entriesMax: C.INVALID_COUNTERS_MAX,
    nowMs,
  });
}

/** The connection gate: true (refuse) for a banned peer, and for any peer without an Ed25519 identity. */
export function isBannedPeer(penalties: PeerPenalties, peerId: PeerId): boolean {
  try {
    return penalties.isBanned(accountIdFromPeerId(peerId));
  } catch {
    return true; // not an Ed25519 peer: never a Tirami node
  }
}

/**
 * The gossip router's `onReject`: counts the rejected message against the delivering neighbour and, when
 * that crosses the limit, bans it, emits "peer:banned" and hangs up on it.
 */
export function banOnReject(
  node: MeshNode,
  penalties: PeerPenalties,
  events: HostEvents,
): (from: AccountId) => void {
  return (from) => {
    if (!penalties.recordInvalid(from)) return;
    const invalidMessages = penalties.invalidCount(from);
    penalties.ban(from);
    events.emit("peer:banned", { account: from, invalidMessages });
    void node.hangUp(peerIdFromAccountId(from)).catch(() => undefined);
  };
}

/** A peer's local standing: our invalid-message count, gossipsub's score (0 when unknown), the ban. */
export function peerStanding(pubsub: GossipSub, penalties: PeerPenalties, account: AccountId): PeerStanding {
  const scorer = pubsub as unknown as { getScore?(peerId: string): number };
  return {
    invalidMessages: penalties.invalidCount(account),
    gossipScore: scorer.getScore?.(peerIdFromAccountId(account).toString()) ?? 0,
    banned: penalties.isBanned(account),
  };
}
