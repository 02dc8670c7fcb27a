/**
 * The bank's constants: upstream's defaults (docs/upstream.md §10.1, restated in docs/bank.md) and the
 * limits of this implementation, each with why.
 * @module
 */

/** The spender the bank acts as in the safety gate: its own policy, budgets and breaker (docs/bank.md). */
export const BANK_SPENDER = "bank";

/** Conservative strategy: lend at most this share of cash in total (upstream `max_commit_fraction`). */
export const CONSERVATIVE_MAX_COMMIT_FRACTION = 0.3;
/** Conservative strategy: hold while the pool's reserve ratio is under this. */
export const CONSERVATIVE_MIN_RESERVE_RATIO = 0.6;
/** High-yield strategy: the base share of cash committed, before the risk multiplier. */
export const HIGH_YIELD_BASE_COMMIT_FRACTION = 0.5;
/** High-yield strategy: lend only while the pool's reserve ratio is above this. */
export const HIGH_YIELD_MIN_RESERVE_RATIO = 0.4;
/**
 * High-yield strategy: borrow only when this node is offered less than this rate. Upstream compared a
 * float rate per hour with 0.002; rates here are integer parts per million per hour (docs/lending.md).
 */
export const HIGH_YIELD_BORROW_BELOW_PPM_PER_HOUR = 2_000;
/** Balanced strategy: conservative under this reserve ratio, high-yield at or above it. */
export const BALANCED_THRESHOLD = 0.5;
/** The high-yield commit multiplier of each risk tolerance. */
export const RISK_MULTIPLIER = Object.freeze({ conservative: 0.5, balanced: 0.8, aggressive: 1 });

/** Risk model: probability of default of each lent position (upstream `default_rate`). */
export const RISK_DEFAULT_PROBABILITY = 0.02;
/** Risk model: loss given default (upstream `lgd`). */
export const RISK_LOSS_GIVEN_DEFAULT = 0.5;
/** Risk model: the one-sided 99 % normal quantile (upstream's 2.33). */
export const RISK_Z_99 = 2.33;
/** Optimiser: the least and most share of portfolio value the VaR budget may be (upstream's clamp). */
export const OPTIMIZE_VAR_FRACTION_MIN = 0.001;
export const OPTIMIZE_VAR_FRACTION_MAX = 1;

/** Insurance premium: the base rate and the risk premium scaled by (1 − credit) (upstream `premium_for`). */
export const PREMIUM_BASE_RATE = 0.02;
export const PREMIUM_RISK_RATE = 0.1;

/** Term of the loans the bank takes, and the longest term its lend offer accepts (hours). */
export const BANK_LOAN_TERM_HOURS = 24;
/** The bank repays a loan of this node due within this horizon, so it never defaults by neglect. */
export const REPAY_HORIZON_MS = 2 * 3_600_000;
/**
 * Positions read per kind (the largest first for the risk model). Totals come from SQL over every
 * active loan; only the per-position list is bounded. 1,000 = the ledger's loan page.
 */
export const POSITIONS_MAX = 1_000;
/** Decisions one tick may make (strategies make at most two; repayments one per loan due soon). */
export const TICK_DECISIONS_MAX = 64;
/** Decision history page. */
export const DECISIONS_PAGE_MAX = 1_000;
/** Background tick interval bounds: at most one tick a second, at least one a day when on. */
export const TICK_INTERVAL_MS_MIN = 1_000;
export const TICK_INTERVAL_MS_MAX = 86_400_000;
