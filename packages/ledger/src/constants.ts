/**
 * Defaults and limits of the ledger, each with its unit in its name. Everything that arrives from outside
 * (a trade, a window, a page size, a hold) is bounded by one of these.
 * @module
 */

/** Every node account starts with this free tier (docs/architecture.md §2). The same on every node. */
export const FREE_TIER_TRM_DEFAULT = 1_000;

/** A trade's `timestamp_ms` may differ from the local clock by at most this much, either side (1 h). */
export const FRESHNESS_WINDOW_MS_DEFAULT = 3_600_000;
/** Upper bound for a configured freshness window (30 days); a longer one would make replay checks moot. */
export const FRESHNESS_WINDOW_MS_MAX = 30 * 86_400_000;

/** A provider admits at most this many distinct zero-history consumers on credit (upstream gate: 50). */
export const ZERO_HISTORY_CONSUMERS_MAX_DEFAULT = 50;
/** A zero-history consumer may be admitted for at most this many TRM per request. */
export const ZERO_HISTORY_CREDIT_CAP_TRM_DEFAULT = 1_000;

/** Default lifetime of a hold when `ttlMs` is not given (10 min). */
export const HOLD_TTL_MS_DEFAULT = 600_000;
/** Longest allowed hold lifetime (1 day). */
export const HOLD_TTL_MS_MAX = 86_400_000;
/** At most this many active holds per account: reservations are bounded like everything else. */
export const HOLDS_PER_ACCOUNT_MAX = 1_024;
/** Longest hold / grant reason, in characters. */
export const REASON_LENGTH_MAX = 200;

/** Largest page `listTrades` returns. */
export const LIST_TRADES_LIMIT_MAX = 1_000;
/** Default page size of `listTrades`. */
export const LIST_TRADES_LIMIT_DEFAULT = 100;
/** A settlement statement lists at most this many trades; a larger window must be split. */
export const SETTLEMENT_TRADES_MAX = 100_000;

/** `verify()` reports at most this many issues (it still counts every one). */
export const VERIFY_ISSUES_MAX = 1_000;

/** SQLite waits this long for a lock held by another connection before failing. */
export const BUSY_TIMEOUT_MS = 5_000;
/**
 * WAL pages between automatic checkpoints (4 KiB pages: 64 MiB). A trade dirties ~16 pages, so this is a
 * checkpoint (two fsyncs even with synchronous=NORMAL) every ~1,000 trades instead of every ~60 with
 * SQLite's default of 1,000 pages; measured, checkpoints were the largest single ingest cost.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 16_384;
/** SQLite page cache, in KiB (keeps the trade indexes of a busy node in memory). */
export const CACHE_SIZE_KIB = 32_768;
/** Most trades `applySignedTrades` takes in one call (one transaction). */
export const TRADE_BATCH_MAX = 1_000;
/** Ingest pipeline: default trades per group commit. */
export const INGEST_BATCH_MAX_DEFAULT = 256;
/**
 * Ingest pipeline: most trades per message to a verification worker (and per reply). Bounds the wait of
 * the first trade of a chunk (~128 × 0.2 ms of signature checks) while cutting per-message costs; larger
 * replies also make larger group commits (measured: 128 wrote ~30% fewer WAL bytes per trade than 64).
 */
export const INGEST_VERIFY_CHUNK_MAX = 128;
/**
 * Ingest pipeline: how long verified trades may wait for more to join their group commit while workers
 * are still verifying (never when nothing is being verified, nor once a batch is full).
 */
export const INGEST_COMMIT_LINGER_MS = 25;
/** Ingest pipeline: most verification worker threads. */
export const INGEST_WORKERS_MAX = 8;
/** Ingest pipeline: most trades submitted and not yet resolved (back-pressure). */
export const INGEST_IN_FLIGHT_MAX = 10_000;
/** `journal()` returns at most this many entries per page. */
export const JOURNAL_PAGE_MAX = 1_000;
/** `releaseExpiredHolds` releases at most this many holds per call (call again for more). */
export const EXPIRED_SWEEP_BATCH_MAX = 10_000;
