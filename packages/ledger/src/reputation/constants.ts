/**
 * Reputation constants (docs/upstream.md §4.1, §4.6), with the local-weight rule that replaces upstream's
 * self-reported observation weight (docs/upstream.md §13.8). The observation format and its signing domain
 * (`tirami/reputation/v1`) are `@tirami/proto`'s.
 * @module
 */

/** Score of an account with no history (`DEFAULT_REPUTATION`). */
export const DEFAULT_REPUTATION = 0.5;
export const REPUTATION_MIN = 0;
export const REPUTATION_MAX = 1;
/** Added to a provider's score per completed dual-signed trade. */
export const SUCCESS_DELTA = 0.01;
/** Subtracted per failure kind: upstream's loan default (−0.2) and failed audit (−0.1); a failed trade is ours (−0.05). */
export const FAILURE_DELTAS = Object.freeze({
  loan_default: 0.2,
  audit_failed: 0.1,
  trade_failed: 0.05,
} as const);

/** Observations kept per subject (upstream: 32); the oldest by timestamp is evicted. */
export const OBSERVATIONS_PER_SUBJECT_MAX = 32;
/** Observations kept in total; the oldest received is evicted. */
export const OBSERVATIONS_MAX = 100_000;
/** Observations older than this are rejected at ingest and ignored when merging. */
export const OBSERVATION_AGE_MAX_MS = 7 * 24 * 3_600_000;
/** Observations dated further in the future than this are rejected. */
export const OBSERVATION_CLOCK_SKEW_MS = 300_000;

/**
 * Local weighting of observers. An observer's opinion counts only when *we* have traded with it at
 * least `OBSERVER_TRADES_MIN` times (upstream's minimum of 5, but counted locally, not self-reported);
 * its weight is its local score × min(1, trades / `OBSERVER_TRADES_FULL_WEIGHT`), so it lies in [0, 1].
 */
export const OBSERVER_TRADES_MIN = 5;
export const OBSERVER_TRADES_FULL_WEIGHT = 20;
/** Weight of our own view of the subject in the merged median: that of a fully trusted observer. */
export const LOCAL_VIEW_WEIGHT = 1;
/** Rows `list` returns at most. */
export const REPUTATION_LIST_LIMIT_MAX = 10_000;
