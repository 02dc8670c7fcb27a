/**
 * The mesh host (L1): one libp2p node — TCP, Noise, Yamux, identify, ping, gossipsub — whose identity is
 * the node's ledger key. It keeps bootstrap peers connected (bounded, jittered exponential re-dial), a
 * bounded peer book, validated gossip with penalties for invalid senders, and framed request streams.
 *
 * This file assembles the parts and exposes them as a `MeshHost`; each concern lives in its own module:
 * `host-limits.ts` (options → limits), `host-node.ts` (the libp2p node), `host-gossip.ts`,
 * `host-standing.ts` (penalties and bans), `host-peers.ts` (peer book and latency), `host-dial.ts`
 * (targets, dials, bootstrap), `host-connections.ts` (connection events), `host-streams.ts` (request
 * streams), `host-events.ts` and `host-lifecycle.ts` (start and stop).
 * @module
 */
import "./polyfill.js";
import { systemClock } from "@tirami/core";
import type { FramedStreamImpl } from "./framed-stream.js";
import type { GossipRouter } from "./gossip.js";
import { bootstrapAddrs, createBootstrapDialer, dialPeer } from "./host-dial.js";
import { HostEvents } from "./host-events.js";
import { createGossipRouter, topicPeers } from "./host-gossip.js";
import { HostLifecycle } from "./host-lifecycle.js";
import { type HostLimits, resolveHostLimits } from "./host-limits.js";
import { createMeshNode, type MeshNode } from "./host-node.js";
import { connectedAccounts, createPeerBook, peerRecordCopy, pingAccount } from "./host-peers.js";
import { banOnReject, createPenalties, isBannedPeer, peerStanding } from "./host-standing.js";
import { openRequest, serveProtocol } from "./host-streams.js";
import { accountIdFromPeerId, peerIdFromAccountId, privateKeyFromSeed } from "./identity.js";
import type { MeshHost, MeshHostOptions } from "./mesh-types.js";
import type { PeerBook } from "./peer-book.js";
import type { PeerPenalties } from "./penalties.js";

/**
 * Creates a mesh host (not yet started) whose libp2p identity is `options.seed`.
 * @throws TypeError for a seed that is not 32 bytes; RangeError for too many bootstrap peers or a limit
 *   out of range.
 */
export async function createMeshHost(options: MeshHostOptions): Promise<MeshHost> {
  const privateKey = await privateKeyFromSeed(options.seed);
  const nowMs = options.nowMs ?? (() => systemClock.nowMs());
  const bootstrap = bootstrapAddrs(options);
  const limits = resolveHostLimits(options);
  const penalties = createPenalties(options, nowMs);
  const node = await createMeshNode({
    privateKey,
    options,
    limits,
    isDenied: (peerId) => isBannedPeer(penalties, peerId),
  });
  const peerBook = createPeerBook(options, nowMs);
  const events = new HostEvents();
  const onReject = banOnReject(node, penalties, events);
  const gossip = createGossipRouter(node, { options, limits, nowMs, onReject });
  const bootstraps = createBootstrapDialer(node, bootstrap, limits);
  const inbound = new Set<FramedStreamImpl>();
  const mdns = options.mdns === true;
  const lifecycle = new HostLifecycle({ node, limits, peerBook, events, gossip, bootstraps, inbound, mdns });
  return meshHostApi({ node, limits, peerBook, penalties, events, gossip, inbound, lifecycle });
}

/** The assembled parts of a host, as its methods use them. */
interface HostParts {
  node: MeshNode;
  limits: HostLimits;
  peerBook: PeerBook;
  penalties: PeerPenalties;
  events: HostEvents;
  gossip: GossipRouter;
  inbound: Set<FramedStreamImpl>;
  lifecycle: HostLifecycle;
}

/** The `MeshHost` over `parts`: plain closures, so a method still works when detached from the host. */
function meshHostApi(parts: HostParts): MeshHost {
  const { node, peerBook, penalties, events, gossip, lifecycle } = parts;
  return {
    account: accountIdFromPeerId(node.peerId),
    peerId: node.peerId.toString(),
    get started() {
      return lifecycle.started;
    },
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    multiaddrs: () => node.getMultiaddrs().map((addr) => addr.toString()),
    connectedAccounts: () => connectedAccounts(node),
    async dial(target, dialOptions = {}) {
      lifecycle.requireStarted();
      return dialPeer(node, parts.limits, target, dialOptions);
    },
    async hangUp(peerAccount) {
      await node.hangUp(peerIdFromAccountId(peerAccount));
    },
    async ping(peerAccount) {
      lifecycle.requireStarted();
      return pingAccount(parts, peerAccount);
    },
    peers: () => peerBook.list(),
    peer: (peerAccount) => peerRecordCopy(peerBook, peerAccount),
    setOffer: (peerAccount, offer) => peerBook.setOffer(peerAccount, offer),
    subscribe: (topic, handlers) => gossip.subscribe(topic, handlers),
    async publish(topic, payload) {
      lifecycle.requireStarted();
      return gossip.publish(topic, payload);
    },
    topicPeers: (topic) => topicPeers(node.services.pubsub, topic),
    gossipStats: () => ({ ...gossip.stats }),
    standing: (peerAccount) => peerStanding(node.services.pubsub, penalties, peerAccount),
    handle: (protocol, handler) => serveProtocol(parts, protocol, handler),
    async unhandle(protocol) {
      await node.unhandle(protocol);
    },
    async request(target, protocol, requestOptions = {}) {
      lifecycle.requireStarted();
      return openRequest(parts, target, protocol, requestOptions);
    },
    on: (event, listener) => events.on(event, listener),
  };
}
