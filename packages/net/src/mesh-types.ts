/**
 * The public shape of the mesh host: its options, the `MeshHost` interface, events and request options.
 * Implemented by `mesh-host.ts` (assembled from the `host-*.ts` modules).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { FramedStream } from "./framed-stream.js";
import type { GossipHandlers, GossipStats } from "./gossip.js";
import type { PeerRecord } from "./peer-book.js";

/** Options of `createMeshHost`. Only `seed` is required; every limit defaults to `constants.ts`. */
export interface MeshHostOptions {
  /** The node key: 32-byte Ed25519 seed. The peer id and the ledger account both derive from it. */
  seed: Uint8Array;
  /** Listen multiaddrs. Default `["/ip4/127.0.0.1/tcp/0"]`. */
  listen?: string[];
  /** Bootstrap multiaddrs (with or without `/p2p/<id>`), dialed at start and re-dialed when lost. */
  bootstrap?: string[];
  /** Discover peers on the LAN with mDNS. Default false. */
  mdns?: boolean;
  /** Upper bound on open connections. Default `CONNECTIONS_MAX`. */
  connectionsMax?: number;
  /** Peer-book capacity. Default `PEER_BOOK_MAX`. */
  peerBookMax?: number;
  bootstrapBackoffBaseMs?: number;
  bootstrapBackoffMaxMs?: number;
  dialTimeoutMs?: number;
  pingIntervalMs?: number;
  gossipMessageBytesMax?: number;
  gossipSeenMax?: number;
  /** Gossip messages per second accepted for validation from one neighbour. Default `GOSSIP_RATE_PER_PEER_PER_S`. */
  gossipRatePerPeerPerS?: number;
  /** Burst of that budget. Default `GOSSIP_BURST_PER_PEER`. */
  gossipBurstPerPeer?: number;
  gossipSeenTtlMs?: number;
  /** Gossipsub heartbeat, ms (its default: 1,000). */
  gossipHeartbeatMs?: number;
  /** Topics that get peer-scoring parameters (installed at start). Default `MESH_TOPICS`. */
  scoredTopics?: readonly string[];
  invalidMessagesMax?: number;
  banDurationMs?: number;
  frameBytesMax?: number;
  streamIdleTimeoutMs?: number;
  streamTimeoutMs?: number;
  /** Clock for the peer book and bans. Default: system clock. */
  nowMs?: () => number;
}

/** Where to reach a peer: its account id, its peer id string, or a multiaddr string (`/ip4/...`). */
export type PeerTarget = AccountId | string;

/** Options of `MeshHost.request`. */
export interface RequestOptions {
  /** Overall lifetime of the stream, ms (including the dial). Default `STREAM_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** No frame in either direction for this long aborts the stream. Default `STREAM_IDLE_TIMEOUT_MS`. */
  idleTimeoutMs?: number;
  /** Largest frame payload accepted from or sent to the peer. Default: the host's `frameBytesMax`. */
  frameBytesMax?: number;
  /** Aborting it cancels the dial or the stream; the provider's `signal` aborts too. */
  signal?: AbortSignal;
}

/** A request handler: reads the consumer's frames from `stream`, sends replies, returns to finish. */
export type RequestHandler = (
  stream: FramedStream,
  fromAccount: AccountId,
  signal: AbortSignal,
) => Promise<void>;

/** Events of the mesh host. */
export interface MeshHostEvents {
  "peer:connected": { account: AccountId; peerId: string };
  "peer:disconnected": { account: AccountId; peerId: string };
  "peer:banned": { account: AccountId; invalidMessages: number };
}

/** Per-peer gossip standing: our local invalid-message count and gossipsub's score. */
export interface PeerStanding {
  invalidMessages: number;
  gossipScore: number;
  banned: boolean;
}

/** A running (or startable) mesh node. */
export interface MeshHost {
  /** This node's account (= hex of its Ed25519 public key). */
  readonly account: AccountId;
  /** This node's libp2p peer id string. */
  readonly peerId: string;
  readonly started: boolean;
  start(): Promise<void>;
  /** Stops everything: timers, streams, connections, listeners. Idempotent. */
  stop(): Promise<void>;
  /** Listen addresses including `/p2p/<peerId>`, for others' bootstrap lists. */
  multiaddrs(): string[];
  /** Accounts with an open connection. */
  connectedAccounts(): AccountId[];
  /** Dials a peer and returns its account. Throws PEER_UNREACHABLE. */
  dial(target: PeerTarget, options?: { signal?: AbortSignal }): Promise<AccountId>;
  /** Closes every connection to `account`. */
  hangUp(account: AccountId): Promise<void>;
  /** Pings a connected peer; returns the round trip in ms and records it in the peer book. */
  ping(account: AccountId): Promise<number>;
  /** Peer-book snapshot, least recently seen first. */
  peers(): PeerRecord[];
  peer(account: AccountId): PeerRecord | undefined;
  /** Stores the node's view of a peer's offer in its peer-book entry; false when the peer is unknown. */
  setOffer(account: AccountId, offer: unknown): boolean;
  /** Subscribes to a gossip topic (one subscriber per topic). Returns an unsubscribe function. */
  subscribe(topic: string, handlers: GossipHandlers): () => void;
  /**
   * Publishes a payload (≤ `gossipMessageBytesMax`). A payload this node already saw or sent is not
   * re-sent (`duplicate: true`); one that reached no subscribed peer (`recipients: 0`) is not remembered,
   * so it can be published again once peers arrive.
   */
  publish(topic: string, payload: Uint8Array): Promise<{ recipients: number; duplicate: boolean }>;
  /** Connected peers known to be subscribed to `topic` (they would receive what this node publishes). */
  topicPeers(topic: string): AccountId[];
  /** Gossip counters of this host. */
  gossipStats(): GossipStats;
  /** Local standing of a peer (invalid-message count, gossipsub score, ban). */
  standing(account: AccountId): PeerStanding;
  /** Serves a request-stream protocol. */
  handle(protocol: string, handler: RequestHandler): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  /** Opens a request stream to a peer. Throws PEER_UNREACHABLE, PROTOCOL_ERROR or STREAM_TIMEOUT. */
  request(target: PeerTarget, protocol: string, options?: RequestOptions): Promise<FramedStream>;
  /** Subscribes to a host event; returns the unsubscribe function. */
  on<E extends keyof MeshHostEvents>(event: E, listener: (detail: MeshHostEvents[E]) => void): () => void;
}
