/**
 * Limits and defaults of the market (offers, routing, the trade handshake, sync), each with its
 * unit in its name. Everything a remote peer can influence is bounded by one of these.
 * @module
 */

/** How often a node re-publishes its signed offer (also published at once when it changes). */
export const OFFER_INTERVAL_MS_DEFAULT = 30_000;
/** A change of model, price or free capacity re-publishes the offer after this debounce. */
export const OFFER_CHANGE_DEBOUNCE_MS = 250;
/**
 * A change of the Merkle root alone (new trades) re-publishes the offer after this debounce: trades travel
 * by gossip; the root in offers is the safety net that triggers sync, and re-announcing it on every trade
 * of a burst would cost every node a root computation per offer per peer.
 */
export const OFFER_ROOT_DEBOUNCE_MS = 5_000;
/** An offer older than this is dropped from the book (three missed periods). */
export const OFFER_TTL_MS_DEFAULT = 95_000;
/** An offer stamped further than this into the future (or older than its TTL) is ignored. */
export const OFFER_CLOCK_SKEW_MS = 60_000;
/** Offers kept in the book; the stalest one is evicted first. */
export const OFFER_BOOK_MAX = 10_000;

/** Candidates `GET /v1/tirami/route` and `/providers` return at most. */
export const ROUTE_CANDIDATES_MAX = 50;
/** A remote purchase tries at most this many providers when one cannot be reached before it starts. */
export const ROUTE_ATTEMPTS_MAX = 2;
/** Reputation of a provider or consumer never seen (scores live in [0, 1]). */
export const REPUTATION_INITIAL = 0.5;
/** Step added on a good outcome, subtracted on a bad one (scaled by severity). */
export const REPUTATION_STEP = 0.05;
/** Local reputation entries kept (LRU); the mesh-wide view is the ledger. */
export const REPUTATION_ENTRIES_MAX = 10_000;

/** Provider: how long it waits for the consumer's accept or reject after proposing the trade. */
export const TRADE_ANSWER_TIMEOUT_MS = 10_000;
/** Late settlement (`settle-owed.ts`): the whole exchange, proposal to answer, on one stream. */
export const SETTLE_OWED_TIMEOUT_MS = 10_000;
/** Purchases that died with the previous process a consumer will still pay for (the holds it released). */
export const DIED_PURCHASES_MAX = 1_024;
/** Consumer: a proposal stamped further than this from its clock is refused (INVALID_TRADE). */
export const PROPOSAL_CLOCK_SKEW_MS = 60_000;
/**
 * Provider: while it generates for one consumer, it sends the text at most once per this many ms,
 * coalesced into one `token_chunk` (the first text at once). Each frame costs the provider ~0.1 ms of its
 * generation thread (encoding, yamux, Noise, a TCP write, and yamux's window update back): a third of a
 * token of the tiny test model. At 8 ms — half the node's SSE interval (16 ms) — that is ~1 % of the
 * thread, and a client of the consumer sees no delay past the consumer's own coalescing.
 */
export const TOKEN_CHUNK_INTERVAL_MS = 8;
/**
 * Provider: with n streams generating at once each sends at most once per `n × TOKEN_CHUNK_INTERVAL_MS`,
 * up to this, so the frames of all streams together stay near one per 8 ms (up to 4 streams) instead of
 * growing with n; 32 ms still streams at ~30 updates a second.
 */
export const TOKEN_CHUNK_INTERVAL_MAX_MS = 32;
/** Overall lifetime of one remote-inference stream (a long generation fits in it). */
export const INFER_STREAM_TIMEOUT_MS = 300_000;
/** Consumers a provider remembers as owing a signature (refused without reason); bounded, FIFO. */
export const UNSETTLED_MAX = 10_000;

/** Trades per sync page asked of a peer (≤ proto SYNC_TRADES_MAX). */
export const SYNC_PAGE_TRADES = 256;
/** Pages one sync round reads at most (100k trades), so a lying peer cannot keep us busy forever. */
export const SYNC_PAGES_MAX = 400;
/** One sync page request's timeout. */
export const SYNC_PAGE_TIMEOUT_MS = 10_000;
/** A peer is not synced with again sooner than this after a round (unless a round is already queued). */
export const SYNC_MIN_INTERVAL_MS = 500;
/** Sync rounds running at once (each with a different peer). */
export const SYNC_CONCURRENT_MAX = 2;

/** How often a node considers publishing its signed observations of its counterparties. */
export const REPUTATION_PUBLISH_INTERVAL_MS_DEFAULT = 60_000;
/** An unchanged score is re-published no sooner than this (so late joiners learn it; well inside the ledger's 7-day window). */
export const REPUTATION_REPUBLISH_MS = 3_600_000;
/** Observations one publication round sends at most (changed scores first). */
export const REPUTATION_PUBLISH_PER_ROUND_MAX = 16;
/** Recent own trades scanned for counterparties each round. */
export const REPUTATION_COUNTERPARTY_SCAN_MAX = 512;
/** Counterparties remembered from outcomes without a trade (e.g. a consumer that never signed); FIFO. */
export const REPUTATION_NOTED_MAX = 1_024;
/** Per-account publication state kept; oldest evicted. */
export const REPUTATION_PUBLISHED_MAX = 10_000;
/** A gossiped observation larger than this is rejected (an honest one is ~300 B). */
export const REPUTATION_OBSERVATION_BYTES_MAX = 1_024;
/** A gossiped observation older than this is ignored (not forwarded, not penalised: it may be slow, not forged). */
export const REPUTATION_GOSSIP_AGE_MAX_MS = 600_000;
/** A gossiped observation stamped further than this into the future is ignored. */
export const REPUTATION_CLOCK_SKEW_MS = 60_000;
/** Observation ids remembered for dedup (beyond gossipsub's 120 s seen-cache); FIFO. */
export const REPUTATION_SEEN_MAX = 20_000;
