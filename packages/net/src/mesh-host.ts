/**
 * The mesh host (L1): one libp2p node — TCP, Noise, Yamux, identify, ping, gossipsub — whose identity is
 * the node's ledger key. It keeps bootstrap peers connected (bounded, jittered exponential re-dial), a
 * bounded peer book, validated gossip with penalties for invalid senders, and framed request streams.
 * @module
 */
import "./polyfill.js";
import { type AccountId, isAccountId, systemClock } from "@tirami/core";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { gossipsub, type GossipSub } from "@libp2p/gossipsub";
import { createTopicScoreParams } from "@libp2p/gossipsub/score";
import { identify, type Identify } from "@libp2p/identify";
import type { Connection, IdentifyResult, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { mdns } from "@libp2p/mdns";
import { peerIdFromString } from "@libp2p/peer-id";
import { ping, type Ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { BootstrapDialer } from "./bootstrap.js";
import { bootstrapAddressProblem } from "./bootstrap-address.js";
import * as C from "./constants.js";
import { NetError, NetErrorCode } from "./errors.js";
import { type FramedStream, FramedStreamImpl, mapStreamError } from "./framed-stream.js";
import { type GossipHandlers, GossipRouter, gossipMessageId, type GossipStats } from "./gossip.js";
import { accountIdFromPeerId, peerIdFromAccountId, privateKeyFromSeed } from "./identity.js";
import { PeerBook, type PeerRecord } from "./peer-book.js";
import { PeerPenalties } from "./penalties.js";
import { PeerRateLimiter } from "./rate-limiter.js";
import type { MeshHost, MeshHostEvents, MeshHostOptions, PeerTarget } from "./mesh-types.js";

type Services = { identify: Identify; ping: Ping; pubsub: GossipSub };

/** Creates a mesh host (not yet started) whose libp2p identity is `options.seed`. */
export async function createMeshHost(options: MeshHostOptions): Promise<MeshHost> {
  const privateKey = await privateKeyFromSeed(options.seed);
  const nowMs = options.nowMs ?? (() => systemClock.nowMs());
  const bootstrap = options.bootstrap ?? [];
  if (bootstrap.length > C.BOOTSTRAP_PEERS_MAX)
    throw new RangeError(`at most ${C.BOOTSTRAP_PEERS_MAX} bootstrap peers, got ${bootstrap.length}`);
  for (const address of bootstrap) {
    const problem = bootstrapAddressProblem(address);
    if (problem !== undefined) throw new TypeError(`bootstrap: ${problem}`);
  }
  const limits = {
    connectionsMax: positive(options.connectionsMax ?? C.CONNECTIONS_MAX, "connectionsMax"),
    dialTimeoutMs: positive(options.dialTimeoutMs ?? C.DIAL_TIMEOUT_MS, "dialTimeoutMs"),
    pingIntervalMs: positive(options.pingIntervalMs ?? C.PING_INTERVAL_MS, "pingIntervalMs"),
    backoff: {
      baseMs: positive(
        options.bootstrapBackoffBaseMs ?? C.BOOTSTRAP_BACKOFF_BASE_MS,
        "bootstrapBackoffBaseMs",
      ),
      maxMs: positive(options.bootstrapBackoffMaxMs ?? C.BOOTSTRAP_BACKOFF_MAX_MS, "bootstrapBackoffMaxMs"),
    },
    frameBytesMax: positive(options.frameBytesMax ?? C.FRAME_BYTES_MAX, "frameBytesMax"),
    streamIdleTimeoutMs: positive(
      options.streamIdleTimeoutMs ?? C.STREAM_IDLE_TIMEOUT_MS,
      "streamIdleTimeoutMs",
    ),
    streamTimeoutMs: positive(options.streamTimeoutMs ?? C.STREAM_TIMEOUT_MS, "streamTimeoutMs"),
    gossipMessageBytesMax: positive(
      options.gossipMessageBytesMax ?? C.GOSSIP_MESSAGE_BYTES_MAX,
      "gossipMessageBytesMax",
    ),
  };
  const penalties = new PeerPenalties({
    invalidMessagesMax: options.invalidMessagesMax ?? C.INVALID_MESSAGES_MAX,
    windowMs: C.INVALID_MESSAGES_WINDOW_MS,
    banDurationMs: options.banDurationMs ?? C.BAN_DURATION_MS,
    entriesMax: C.INVALID_COUNTERS_MAX,
    nowMs,
  });
  const bannedPeer = (peerId: PeerId): boolean => {
    try {
      return penalties.isBanned(accountIdFromPeerId(peerId));
    } catch {
      return true; // not an Ed25519 peer: never a Tirami node
    }
  };
  const topicParams = createTopicScoreParams({
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
  const scoredTopics = options.scoredTopics ?? C.MESH_TOPICS;

  const node: Libp2p<Services> = await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: options.mdns === true ? [mdns()] : [],
    connectionManager: {
      maxConnections: limits.connectionsMax,
      maxIncomingPendingConnections: C.CONNECTIONS_PENDING_INBOUND_MAX,
      dialTimeout: limits.dialTimeoutMs,
    },
    connectionGater: {
      denyDialPeer: bannedPeer,
      denyInboundEncryptedConnection: bannedPeer,
      denyOutboundEncryptedConnection: bannedPeer,
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
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
      }),
    },
  });

  const account = accountIdFromPeerId(node.peerId);
  const peerBook = new PeerBook({
    capacity: options.peerBookMax ?? C.PEER_BOOK_MAX,
    addrsMax: C.PEER_ADDRS_MAX,
    nowMs,
  });
  const listeners = new Map<keyof MeshHostEvents, Set<(detail: never) => void>>();
  const emit = <E extends keyof MeshHostEvents>(event: E, detail: MeshHostEvents[E]): void => {
    for (const listener of listeners.get(event) ?? []) {
      try {
        (listener as (detail: MeshHostEvents[E]) => void)(detail);
      } catch {
        // a listener's failure is its own business
      }
    }
  };
  const gossip = new GossipRouter(node.services.pubsub, {
    messageBytesMax: limits.gossipMessageBytesMax,
    seenMax: options.gossipSeenMax ?? C.GOSSIP_SEEN_MAX,
    rateLimiter: new PeerRateLimiter({
      ratePerS: options.gossipRatePerPeerPerS ?? C.GOSSIP_RATE_PER_PEER_PER_S,
      burst: options.gossipBurstPerPeer ?? C.GOSSIP_BURST_PER_PEER,
      peersMax: C.INVALID_COUNTERS_MAX,
      nowMs,
    }),
    onReject(from) {
      if (!penalties.recordInvalid(from)) return;
      const invalidMessages = penalties.invalidCount(from);
      penalties.ban(from);
      emit("peer:banned", { account: from, invalidMessages });
      void node.hangUp(peerIdFromAccountId(from)).catch(() => undefined);
    },
  });

  let started = false;
  let stopping = false;
  let pingTimer: NodeJS.Timeout | undefined;
  const inbound = new Set<FramedStreamImpl>();
  const bootstraps = new BootstrapDialer({
    addrs: bootstrap,
    backoff: limits.backoff,
    selfPeerId: node.peerId.toString(),
    async dial(addr) {
      const connection = await node.dial(addr, { signal: AbortSignal.timeout(limits.dialTimeoutMs) });
      return connection.remotePeer.toString();
    },
    isConnected: (peerId) => node.getConnections(peerIdFromString(peerId)).length > 0,
  });

  const refreshLatency = async (peer: PeerId): Promise<number> => {
    const rttMs = await node.services.ping.ping(peer, { signal: AbortSignal.timeout(limits.dialTimeoutMs) });
    const peerAccount = accountIdFromPeerId(peer);
    peerBook.touch(peerAccount, peer.toString(), { latencyMs: rttMs });
    return rttMs;
  };

  const onConnect = (event: CustomEvent<PeerId>): void => {
    const peer = event.detail;
    let peerAccount: AccountId;
    try {
      peerAccount = accountIdFromPeerId(peer);
    } catch {
      void node.hangUp(peer).catch(() => undefined);
      return;
    }
    const addrs = node.getConnections(peer).map((connection) => connection.remoteAddr.toString());
    peerBook.touch(peerAccount, peer.toString(), { connected: true, multiaddrs: addrs });
    emit("peer:connected", { account: peerAccount, peerId: peer.toString() });
    void refreshLatency(peer).catch(() => undefined);
  };
  const onDisconnect = (event: CustomEvent<PeerId>): void => {
    const peer = event.detail;
    let peerAccount: AccountId;
    try {
      peerAccount = accountIdFromPeerId(peer);
    } catch {
      return;
    }
    peerBook.touch(peerAccount, peer.toString(), { connected: false });
    emit("peer:disconnected", { account: peerAccount, peerId: peer.toString() });
    if (!stopping) bootstraps.onDisconnect(peer.toString());
  };
  const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    try {
      const peerAccount = accountIdFromPeerId(event.detail.peerId);
      const listen = event.detail.listenAddrs.map((addr) => addr.toString());
      peerBook.touch(peerAccount, event.detail.peerId.toString(), { multiaddrs: listen });
    } catch {
      // not a Tirami peer; onConnect hangs up on it
    }
  };
  const onDiscovery = (event: CustomEvent<{ id: PeerId }>): void => {
    if (stopping || node.getConnections().length >= limits.connectionsMax) return;
    void node
      .dial(event.detail.id, { signal: AbortSignal.timeout(limits.dialTimeoutMs) })
      .catch(() => undefined);
  };

  const resolveTarget = (target: PeerTarget): PeerId | Multiaddr => {
    if (typeof target !== "string") throw new TypeError(`"target" expected a string, got ${typeof target}`);
    if (isAccountId(target)) return peerIdFromAccountId(target);
    if (target.startsWith("/")) return multiaddr(target);
    return peerIdFromString(target);
  };

  const dialError = (cause: unknown, target: PeerTarget): NetError =>
    new NetError(
      NetErrorCode.PEER_UNREACHABLE,
      `could not reach ${target}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        details: { target },
      },
    );

  const host: MeshHost = {
    account,
    peerId: node.peerId.toString(),
    get started() {
      return started;
    },

    async start() {
      if (started) return;
      stopping = false;
      await node.start();
      started = true;
      node.addEventListener("peer:connect", onConnect);
      node.addEventListener("peer:disconnect", onDisconnect);
      node.addEventListener("peer:identify", onIdentify);
      if (options.mdns === true) node.addEventListener("peer:discovery", onDiscovery);
      pingTimer = setInterval(() => {
        for (const peer of node.getPeers()) void refreshLatency(peer).catch(() => undefined);
      }, limits.pingIntervalMs);
      pingTimer.unref();
      await bootstraps.start();
    },

    async stop() {
      if (!started || stopping) return;
      stopping = true;
      clearInterval(pingTimer);
      bootstraps.stop();
      for (const stream of inbound) stream.abort(new NetError(NetErrorCode.STREAM_ABORTED, "host stopping"));
      inbound.clear();
      node.removeEventListener("peer:connect", onConnect);
      node.removeEventListener("peer:disconnect", onDisconnect);
      node.removeEventListener("peer:identify", onIdentify);
      node.removeEventListener("peer:discovery", onDiscovery);
      gossip.stop();
      await node.stop();
      started = false;
    },

    multiaddrs() {
      return node.getMultiaddrs().map((addr) => addr.toString());
    },

    connectedAccounts() {
      const out = new Set<AccountId>();
      for (const peer of node.getPeers()) {
        try {
          out.add(accountIdFromPeerId(peer));
        } catch {
          // not a Tirami peer
        }
      }
      return [...out];
    },

    async dial(target, dialOptions = {}) {
      requireStarted();
      const resolved = resolveTarget(target);
      try {
        const signal = anySignal(AbortSignal.timeout(limits.dialTimeoutMs), dialOptions.signal);
        const connection: Connection = await node.dial(resolved, { signal });
        return accountIdFromPeerId(connection.remotePeer);
      } catch (cause) {
        throw dialError(cause, target);
      }
    },

    async hangUp(peerAccount) {
      await node.hangUp(peerIdFromAccountId(peerAccount));
    },

    async ping(peerAccount) {
      requireStarted();
      try {
        return await refreshLatency(peerIdFromAccountId(peerAccount));
      } catch (cause) {
        throw dialError(cause, peerAccount);
      }
    },

    peers: () => peerBook.list(),
    peer: (peerAccount) => {
      const record = peerBook.get(peerAccount);
      return record === undefined ? undefined : { ...record, multiaddrs: [...record.multiaddrs] };
    },
    setOffer: (peerAccount, offer) => peerBook.setOffer(peerAccount, offer),

    subscribe: (topic, handlers) => gossip.subscribe(topic, handlers),
    async publish(topic, payload) {
      requireStarted();
      return gossip.publish(topic, payload);
    },
    topicPeers(topic) {
      const out: AccountId[] = [];
      for (const peer of node.services.pubsub.getSubscribers(topic)) {
        try {
          out.push(accountIdFromPeerId(peer));
        } catch {
          // not a Tirami peer
        }
      }
      return out;
    },
    gossipStats: () => ({ ...gossip.stats }),
    standing(peerAccount) {
      const scorer = node.services.pubsub as unknown as { getScore?(peerId: string): number };
      return {
        invalidMessages: penalties.invalidCount(peerAccount),
        gossipScore: scorer.getScore?.(peerIdFromAccountId(peerAccount).toString()) ?? 0,
        banned: penalties.isBanned(peerAccount),
      };
    },

    async handle(protocol, handler) {
      await node.handle(
        protocol,
        async (stream: Stream, connection: Connection) => {
          let fromAccount: AccountId;
          try {
            fromAccount = accountIdFromPeerId(connection.remotePeer);
          } catch {
            stream.abort(new Error("not a Tirami peer"));
            return;
          }
          const framed = new FramedStreamImpl(stream, {
            remoteAccount: fromAccount,
            frameBytesMax: limits.frameBytesMax,
            idleTimeoutMs: limits.streamIdleTimeoutMs,
            timeoutMs: limits.streamTimeoutMs,
          });
          inbound.add(framed);
          try {
            await handler(framed, fromAccount, framed.signal);
            await framed.close();
          } catch (error) {
            if (!framed.signal.aborted) {
              const code = errorCode(error);
              const message = error instanceof Error ? error.message : String(error);
              await framed.closeWithError(code, message);
            }
          } finally {
            inbound.delete(framed);
          }
        },
        { maxInboundStreams: C.STREAMS_INBOUND_MAX, maxOutboundStreams: C.STREAMS_OUTBOUND_MAX },
      );
    },

    async unhandle(protocol) {
      await node.unhandle(protocol);
    },

    async request(target, protocol, requestOptions = {}) {
      requireStarted();
      const timeoutMs = positive(requestOptions.timeoutMs ?? limits.streamTimeoutMs, "timeoutMs");
      const startedMs = Date.now();
      const resolved = resolveTarget(target);
      const dialSignal = anySignal(
        AbortSignal.timeout(Math.min(timeoutMs, limits.dialTimeoutMs)),
        requestOptions.signal,
      );
      let stream: Stream;
      try {
        stream = await node.dialProtocol(resolved, protocol, {
          signal: dialSignal,
          maxOutboundStreams: C.STREAMS_OUTBOUND_MAX,
        });
      } catch (cause) {
        if (requestOptions.signal?.aborted === true)
          throw new NetError(NetErrorCode.STREAM_ABORTED, "request cancelled while dialing", { cause });
        if (cause instanceof Error && cause.name === "UnsupportedProtocolError") {
          throw new NetError(NetErrorCode.PROTOCOL_ERROR, `${target} does not serve ${protocol}`, {
            cause,
            details: { protocol },
          });
        }
        if (dialSignal.aborted && Date.now() - startedMs >= timeoutMs) {
          throw new NetError(NetErrorCode.STREAM_TIMEOUT, `request to ${target} timed out while dialing`, {
            cause,
          });
        }
        throw dialError(cause, target);
      }
      let remoteAccount: AccountId;
      try {
        remoteAccount = accountIdFromPeerId(
          node.getConnections().find((c) => c.streams.includes(stream))?.remotePeer ?? resolvedPeer(resolved),
        );
      } catch (cause) {
        stream.abort(mapStreamError(cause, "identifying the peer"));
        throw new NetError(NetErrorCode.PROTOCOL_ERROR, "peer is not a Tirami node (no Ed25519 identity)", {
          cause,
        });
      }
      return new FramedStreamImpl(stream, {
        remoteAccount,
        frameBytesMax: positive(requestOptions.frameBytesMax ?? limits.frameBytesMax, "frameBytesMax"),
        idleTimeoutMs: positive(requestOptions.idleTimeoutMs ?? limits.streamIdleTimeoutMs, "idleTimeoutMs"),
        timeoutMs: Math.max(1, timeoutMs - (Date.now() - startedMs)),
        signal: requestOptions.signal,
      });
    },

    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (detail: never) => void);
      return () => {
        set.delete(listener as (detail: never) => void);
      };
    },
  };

  function requireStarted(): void {
    if (!started || stopping) throw new NetError(NetErrorCode.NOT_STARTED, "the mesh host is not started");
  }

  return host;
}

function resolvedPeer(resolved: PeerId | Multiaddr): PeerId {
  if ("getComponents" in resolved) {
    const id = resolved.getComponents().find((c) => c.name === "p2p")?.value;
    if (id === undefined) throw new TypeError("multiaddr has no /p2p/ component");
    return peerIdFromString(id);
  }
  return resolved;
}

function errorCode(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "INTERNAL";
}

function anySignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b === undefined ? a : AbortSignal.any([a, b]);
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
  return value;
}
