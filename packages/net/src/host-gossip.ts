/**
 * Gossip wiring of a mesh host: the gossipsub service (unsigned envelopes, content-addressed message ids,
 * peer scoring on the mesh topics) and the `GossipRouter` that validates before forwarding, with its
 * per-neighbour rate limit. What happens to a rejected sender is `host-standing.ts`'s business.
 * @module
 */
import "./polyfill.js";
import type { AccountId } from "@tirami/core";
import { gossipsub, type GossipSub } from "@libp2p/gossipsub";
import { createTopicScoreParams, type TopicScoreParams } from "@libp2p/gossipsub/score";
import * as C from "./constants.js";
import { gossipMessageId, GossipRouter } from "./gossip.js";
import type { HostLimits } from "./host-limits.js";
import type { MeshNode } from "./host-node.js";
import { accountIdFromPeerId } from "./identity.js";
import type { MeshHostOptions } from "./mesh-types.js";
import { PeerRateLimiter } from "./rate-limiter.js";

/** The gossipsub service of a host's libp2p node, configured from its options and limits. */
export function gossipsubService(options: MeshHostOptions, limits: HostLimits): ReturnType<typeof gossipsub> {
  const topicParams = meshTopicScoreParams();
  const scoredTopics = options.scoredTopics ?? C.MESH_TOPICS;
  return gossipsub({
    globalSignaturePolicy: "StrictNoSign",
    msgIdFn: (message) => gossipMessageId(message.topic, message.data),
    // false: a publish that reaches nobody throws before gossipsub marks it seen, so it can be retried.
    allowPublishToZeroTopicPeers: false,
    ignoreDuplicatePublishError: true,
    emitSelf: false,
    maxInboundDataLength: limits.gossipMessageBytesMax,
    seenTTL: options.gossipSeenTtlMs ?? C.GOSSIP_SEEN_TTL_MS,
    heartbeatInterval: options.gossipHeartbeatMs ?? 1_000,
    scoreParams: {
      topics: Object.fromEntries(scoredTopics.map((topic) => [topic, topicParams])),
      // Loopback and NATed LANs put many honest peers behind one IP; only penalise real crowds.
      IPColocationFactorThreshold: 10,
    },
    scoreThresholds: {
      gossipThreshold: C.SCORE_GOSSIP_THRESHOLD,
      publishThreshold: C.SCORE_PUBLISH_THRESHOLD,
      graylistThreshold: C.SCORE_GRAYLIST_THRESHOLD,
    },
  });
}

/**
 * Peer-scoring parameters shared by every scored topic: time in mesh and first deliveries earn score,
 * invalid messages (P4) cost it.
 */
function meshTopicScoreParams(): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 100,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 10,
    // Trade and loan topics are quiet for long stretches; a delivery quota would punish honest peers.
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: C.INVALID_MESSAGE_DELIVERIES_WEIGHT,
    invalidMessageDeliveriesDecay: C.INVALID_MESSAGE_DELIVERIES_DECAY,
  });
}

/** What the gossip router of a host is built from. */
export interface HostGossipOptions {
  options: MeshHostOptions;
  limits: HostLimits;
  nowMs: () => number;
  /** Called for each rejected message with the delivering neighbour. */
  onReject(account: AccountId): void;
}

/** The validating gossip router on `node`'s gossipsub, with a per-neighbour ingest budget. */
export function createGossipRouter(node: MeshNode, gossip: HostGossipOptions): GossipRouter {
  const { options, limits, nowMs } = gossip;
  return new GossipRouter(node.services.pubsub, {
    messageBytesMax: limits.gossipMessageBytesMax,
    seenMax: options.gossipSeenMax ?? C.GOSSIP_SEEN_MAX,
    rateLimiter: new PeerRateLimiter({
      ratePerS: options.gossipRatePerPeerPerS ?? C.GOSSIP_RATE_PER_PEER_PER_S,
      burst: options.gossipBurstPerPeer ?? C.GOSSIP_BURST_PER_PEER,
      peersMax: C.INVALID_COUNTERS_MAX,
      nowMs,
    }),
    onReject: gossip.onReject,
  });
}

/** Accounts of the connected peers known to be subscribed to `topic` (non-Tirami peers are skipped). */
export function topicPeers(pubsub: GossipSub, topic: string): AccountId[] {
  const out: AccountId[] = [];
  for (const peer of pubsub.getSubscribers(topic)) {
    try {
      out.push(accountIdFromPeerId(peer));
    } catch {
      // not a Tirami peer
    }
  }
  return out;
}
