/**
 * Limits and defaults of the mesh host, each with its unit and the reason for its value. Everything a
 * remote peer can influence (sizes, counts, time) is bounded here (STYLE: fail closed, bound from outside).
 * @module
 */

/** Gossip topic of dual-signed trades (docs/architecture.md §7). Re-flooded after validation (fixes docs/upstream.md §13.3 #17). */
export const TOPIC_TRADES = "tirami/trades/1";
/** Gossip topic of provider offers (models served, price per token, capacity). */
export const TOPIC_OFFERS = "tirami/offers/1";
/** Gossip topic of signed reputation observations. */
export const TOPIC_REPUTATION = "tirami/reputation/1";
/** Gossip topic of signed loan events. */
export const TOPIC_LOANS = "tirami/loans/1";
/** Gossip topic of dual-signed insurance policies on loans (docs/bank.md). */
export const TOPIC_INSURANCE = "tirami/insurance/1";
/** Gossip topic of dual-signed compute futures (docs/bank.md). */
export const TOPIC_FUTURES = "tirami/futures/1";
/** Gossip topic of signed agent profiles (the agora's registry, docs/agora.md). */
export const TOPIC_AGORA = "tirami/agora/1";
/** The topics every node knows; peer scoring parameters are installed for these at start. */
export const MESH_TOPICS = [
  TOPIC_TRADES,
  TOPIC_OFFERS,
  TOPIC_REPUTATION,
  TOPIC_LOANS,
  TOPIC_INSURANCE,
  TOPIC_FUTURES,
  TOPIC_AGORA,
] as const;

/** Request-stream protocol for remote inference (request → token stream → trade proposal/accept). */
export const PROTOCOL_INFER = "/tirami/infer/1.0.0";
/** Request-stream protocol for state sync (catch-up of trades a node missed). */
export const PROTOCOL_SYNC = "/tirami/sync/1.0.0";

/**
 * Largest gossip payload. A signed trade or offer is well under 4 KiB; 64 KiB leaves room for future
 * fields while keeping one message far below gossipsub's per-RPC limits and our memory per peer small.
 */
export const GOSSIP_MESSAGE_BYTES_MAX = 65_536;
/**
 * Message ids (SHA-256 of topic and payload) remembered to drop replays, FIFO-evicted. Upstream keeps
 * 100,000 per gossip type (§7.5); this covers hours of trade traffic at ~32 bytes per id.
 */
export const GOSSIP_SEEN_MAX = 100_000;
/**
 * How long gossipsub itself remembers message ids (its `seenTTL`). Our bounded seen-cache above outlives
 * it, so a replay after this time is still dropped.
 */
export const GOSSIP_SEEN_TTL_MS = 120_000;
/**
 * Gossip messages accepted for validation per second from one neighbour (token bucket, burst
 * `GOSSIP_BURST_PER_PEER`); beyond it messages are ignored (dropped, not forwarded, no penalty).
 * Upstream allowed 100/s for the whole node (§7.5), which let one noisy peer starve the rest.
 */
export const GOSSIP_RATE_PER_PEER_PER_S = 200;
/** Burst of the per-neighbour gossip bucket. */
export const GOSSIP_BURST_PER_PEER = 400;

/**
 * Rejected gossip messages from one peer within `INVALID_MESSAGES_WINDOW_MS` before we hang up on it and
 * ban it for `BAN_DURATION_MS`. Low, because an honest peer forwards only what it validated itself.
 */
export const INVALID_MESSAGES_MAX = 5;
/** Window of the invalid-message counter; a counter older than this starts again from zero. */
export const INVALID_MESSAGES_WINDOW_MS = 10 * 60_000;
/** How long a peer that crossed `INVALID_MESSAGES_MAX` may not reconnect (inbound or outbound). */
export const BAN_DURATION_MS = 10 * 60_000;
/** Peers whose invalid-message counters and bans are kept (FIFO-evicted), so memory stays bounded. */
export const INVALID_COUNTERS_MAX = 10_000;
/**
 * Gossipsub P4 weight: each rejected message costs `weight × count²` of score. At 5 invalid messages a
 * peer is at -50 (we stop flood-publishing to it) just as our own counter hangs up; gossipsub's graylist
 * (-80, reached at 7) is the backstop when `invalidMessagesMax` is configured higher.
 */
export const INVALID_MESSAGE_DELIVERIES_WEIGHT = -2;
/** Per-decay-interval (1 s) multiplier of the invalid-message counter: half-life of ~70 s. */
export const INVALID_MESSAGE_DELIVERIES_DECAY = 0.99;
/** Below this score we do not gossip (IHAVE) to a peer. */
export const SCORE_GOSSIP_THRESHOLD = -10;
/** Below this score we do not flood-publish to a peer. */
export const SCORE_PUBLISH_THRESHOLD = -50;
/** Below this score every RPC from a peer is ignored (graylist). */
export const SCORE_GRAYLIST_THRESHOLD = -80;

/** Largest request-stream frame payload. 1 MiB fits a long prompt or a batch of tokens. */
export const FRAME_BYTES_MAX = 1_048_576;
/** Received frames buffered before the stream is paused (back-pressure to the sender). */
export const FRAME_QUEUE_MAX = 64;
/** A request stream with no frame in either direction for this long is aborted with STREAM_TIMEOUT. */
export const STREAM_IDLE_TIMEOUT_MS = 30_000;
/** Default overall lifetime of a request stream (a long generation fits in it). */
export const STREAM_TIMEOUT_MS = 300_000;
/** Dialing and protocol negotiation of a request stream. */
export const DIAL_TIMEOUT_MS = 10_000;
/** Concurrent inbound streams per connection and protocol (libp2p's handler limit). */
export const STREAMS_INBOUND_MAX = 32;
/** Concurrent outbound streams per connection and protocol. */
export const STREAMS_OUTBOUND_MAX = 32;

/** Default upper bound on open connections (upstream HEAD: 1,000 max concurrent connections). */
export const CONNECTIONS_MAX = 300;
/** Inbound connections still in the handshake at once, so a dial storm cannot pin memory. */
export const CONNECTIONS_PENDING_INBOUND_MAX = 32;
/** Peer-book entries kept; least recently seen disconnected peers are evicted first. Upstream: 10,000. */
export const PEER_BOOK_MAX = 10_000;
/** Multiaddrs remembered per peer-book entry. */
export const PEER_ADDRS_MAX = 8;
/** How often connected peers are pinged to refresh their latency. */
export const PING_INTERVAL_MS = 15_000;

/** First bootstrap re-dial delay after a failure or a disconnect. */
export const BOOTSTRAP_BACKOFF_BASE_MS = 500;
/** Upper bound of the bootstrap re-dial delay (before jitter), so a returning peer is found quickly. */
export const BOOTSTRAP_BACKOFF_MAX_MS = 30_000;
/** Bootstrap addresses accepted from config. */
export const BOOTSTRAP_PEERS_MAX = 64;
