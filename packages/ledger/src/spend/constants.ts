/**
 * Defaults of the spend path.
 * @module
 */

/** Longest wait for a counterparty's signature on a trade (ms); the hold is released after it. */
export const COUNTERPARTY_SIGN_TIMEOUT_MS = 30_000;
/** Prefix of the reason of every hold the spend path takes (`spend:<request id>`). */
export const SPEND_HOLD_REASON_PREFIX = "spend:";
/** Prefix of the reason of the hold a provider takes on its consumer while serving it (`serve:<request id>`). */
export const SERVE_HOLD_REASON_PREFIX = "serve:";
/**
 * Holds that live exactly as long as one request of the process that took them: the spend path's and a
 * provider's. None can be in flight when a node starts, so `releaseRequestHolds` frees them all then.
 */
export const REQUEST_HOLD_REASON_PREFIXES: readonly string[] = [
  SPEND_HOLD_REASON_PREFIX,
  SERVE_HOLD_REASON_PREFIX,
];
