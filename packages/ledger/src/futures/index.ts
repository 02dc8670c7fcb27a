/**
 * Compute futures on the ledger (docs/bank.md): the book, the settlement price rule, the facade.
 * @module
 */
export { type ApplyFutureResult, createFuturesBook, SETTLE_SWEEP_BATCH_MAX } from "./book.js";
export { createFutures, FUTURE_PAGE_MAX, type Futures } from "./futures.js";
export { FUTURE_PRICE_WINDOW_MS, FUTURE_SETTLE_DELAY_MS } from "./price.js";
export { type FutureStatus, type StoredFuture } from "./rows.js";
