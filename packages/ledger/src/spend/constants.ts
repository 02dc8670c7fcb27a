/**
 * Defaults of the spend path.
 * @module
 */

/** Longest wait for a counterparty's signature on a trade (ms); the hold is released after it. */
export const COUNTERPARTY_SIGN_TIMEOUT_MS = 30_000;
/** Prefix of the reason of every hold the spend path takes (`spend:<request id>`). */
export const SPEND_HOLD_REASON_PREFIX = "spend:";
