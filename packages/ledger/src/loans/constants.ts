/**
 * Lending constants (docs/lending.md), named and valued as upstream's `lending.rs` where that serves
 * (docs/upstream.md §5.1). Contract rules that every node must apply identically (LTV, term, burn share,
 * grace) are protocol constants, not configuration: two nodes with different values would disagree.
 * @module
 */

/** Share of the collateral burned on default, in per mille (upstream `COLLATERAL_BURN_ON_DEFAULT` 0.10). */
export const COLLATERAL_BURN_PER_MILLE = 100;
/**
 * A loan defaults when this long has passed after `due_ms` without a repayment stamped at or before
 * `due_ms`. It equals the ledger's default freshness window: the time gossip is given to deliver an event.
 */
export const LOAN_DEFAULT_GRACE_MS = 3_600_000;

/** Credit weights (upstream §5.3): trade 0.3, repayment 0.4, uptime 0.2, age 0.1. */
export const CREDIT_WEIGHTS = Object.freeze({ trade: 0.3, repayment: 0.4, uptime: 0.2, age: 0.1 });
/** Credit of an account this ledger has never seen. */
export const COLD_START_CREDIT = 0.3;
/** Repayment component of an account that has never borrowed. */
export const NEUTRAL_REPAYMENT_SCORE = 0.5;
/** Trade volume (TRM, as provider or consumer) at which the trade component is 1. */
export const TRADE_SCORE_CAP_TRM = 100_000;
/** Account age (days since first seen) at which the age component is 1. */
export const AGE_SCORE_CAP_DAYS = 90;
/** No loan to a borrower whose credit is below this. */
export const MIN_CREDIT_FOR_BORROWING = 0.2;
/** Offered rate: base + (1 − credit) × premium, in ppm per hour (0.1 %/h .. 0.6 %/h). */
export const BASE_INTEREST_PPM_PER_HOUR = 1_000;
export const RISK_PREMIUM_PPM_PER_HOUR = 5_000;

/** The lender's pool after a loan keeps at least this share available (upstream `MIN_RESERVE_RATIO`). */
export const MIN_RESERVE_RATIO = 0.3;
/** One loan takes at most this share of the lender's pool (upstream `MAX_SINGLE_LOAN_POOL_PCT`). */
export const MAX_SINGLE_LOAN_POOL_SHARE = 0.2;
/** New loans a lender makes in a sliding minute (upstream `MAX_LENDING_VELOCITY`). */
export const MAX_LOANS_PER_MINUTE = 10;
/** The default-rate breaker trips above this share of defaults among the last hour's closed loans. */
export const DEFAULT_RATE_BREAKER_THRESHOLD = 0.1;
/** … and stays open this long after the latest default. */
export const DEFAULT_RATE_BREAKER_RESET_MS = 300_000;
/** Window of the default rate and of the velocity count. */
export const DEFAULT_RATE_WINDOW_MS = 3_600_000;
export const VELOCITY_WINDOW_MS = 60_000;

/** Loans listed per page. */
export const LOAN_PAGE_MAX = 1_000;
/** Defaults applied per sweep transaction. */
export const DEFAULT_SWEEP_BATCH_MAX = 256;
