/**
 * Safety gate limits and defaults (docs/architecture.md §6, docs/upstream.md §6). Every bound the gate applies to
 * outside input lives here, with its unit in its name. Relations between the breaker defaults and their
 * configurable maxima are asserted at load.
 * @module
 */

/** Default per-spender policy: auto cap per request, TRM. A spend above it needs a human (up to the hard max). */
export const DEFAULT_PER_REQUEST_MAX_TRM = 1_000;
/** Default per-spender policy: no single spend above this, even approved, TRM. */
export const DEFAULT_PER_REQUEST_HARD_MAX_TRM = 10_000;
/** Default per-spender policy: granted spend in any sliding 60-minute window, TRM. */
export const DEFAULT_HOURLY_MAX_TRM = 10_000;
/** Default per-spender policy: total granted spend ever, TRM. */
export const DEFAULT_LIFETIME_MAX_TRM = 1_000_000;
/** Default per-spender policy: a spend above this always needs a human approval, TRM. */
export const DEFAULT_APPROVAL_THRESHOLD_TRM = 5_000;

/** The hourly budget is a sliding window of this length. */
export const HOURLY_WINDOW_MS = 3_600_000;
/** Velocity window of the circuit breaker: the minute of `velocity_spends_per_minute_max`. */
export const VELOCITY_WINDOW_MS = 60_000;
/**
 * Default per-spender policy (agents): at most this many allowed spends in `VELOCITY_WINDOW_MS`; the
 * next one is denied and trips the breaker. An agent that buys more than one answer every two seconds
 * for a minute is more likely a loop than a plan.
 */
export const DEFAULT_VELOCITY_SPENDS_PER_MINUTE_MAX = 30;
/** Default per-spender policy (agents): failed outcomes in a row (`recordOutcome(spender, false)`) that trip. */
export const DEFAULT_BREAKER_CONSECUTIVE_ERRORS_MAX = 5;
/**
 * The operator's default velocity limit. A node acting as a gateway spends as the operator for every
 * remote request its clients send (8 concurrent clients tripped the agent default within a minute).
 * 600 a minute is 10 remote purchases a second: about what a 2-core gateway can relay (each purchase
 * is a libp2p stream, Ed25519 signatures and a handful of ledger transactions, while providers generate),
 * and the rate at which the node's default per-token HTTP rate limit (600 a minute) refills. A runaway
 * loop still trips it within a minute.
 */
export const OPERATOR_VELOCITY_SPENDS_PER_MINUTE_MAX = 600;
/**
 * The operator's default consecutive-error threshold. A gateway has many purchases in flight, and one
 * provider that dies fails all of them at once (measured: 8 concurrent); 20 lets such a burst pass and
 * still stops a spend path that keeps failing within seconds at gateway rates.
 */
export const OPERATOR_BREAKER_CONSECUTIVE_ERRORS_MAX = 20;
/**
 * Highest velocity limit a policy may set. Each check counts the spender's rows in the window (an
 * index range scan), so the bound keeps that count, and the velocity table, small: 100 spends a second.
 */
export const VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX = 6_000;
/** Highest consecutive-error threshold a policy may set. */
export const BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX = 1_000;
/** A tripped breaker resets by itself this long after it tripped. */
export const BREAKER_RESET_MS = 300_000;

/** How long a pending approval waits for a human before it counts as denied. */
export const APPROVAL_DEADLINE_MS = 300_000;
/** Longest configurable approval deadline. */
export const APPROVAL_DEADLINE_MAX_MS = 24 * 3_600_000;
/** After approval, how long the spender has to retry the approved spend. */
export const APPROVAL_REDEEM_WINDOW_MS = 300_000;
/** Pending approvals per spender; beyond it new requests are denied (`APPROVAL_QUEUE_FULL`). */
export const APPROVALS_PENDING_PER_SPENDER_MAX = 100;
/** Resolved approvals older than this are pruned. */
export const APPROVALS_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * A grant (an allowed decision not yet settled with `recordSpend` or released) counts against the
 * budgets for this long; after it, an unsettled grant is treated as released (the spend path crashed
 * or forgot). `recordSpend` on an expired grant still records the real amount.
 */
export const SPEND_GRANT_TTL_MS = 900_000;

/** Decision log rows kept (oldest pruned first). */
export const DECISION_LOG_ROWS_MAX = 100_000;
/** Prune the decision log every this many inserts. */
export const DECISION_LOG_PRUNE_EVERY = 1_000;
/** Rows `listDecisions` returns at most. */
export const DECISION_LIST_LIMIT_MAX = 1_000;

/** Spender names: the operator or an agent, 1–64 of [a-z0-9_-]. */
export const SPENDER_RE = /^[a-z0-9_-]{1,64}$/;
/** The spender name of the node operator. */
export const OPERATOR_SPENDER = "operator";
/** Longest accepted `reason` / `requestId` / actor name, characters. */
export const REASON_CHARS_MAX = 256;
export const REQUEST_ID_CHARS_MAX = 128;
export const ACTOR_CHARS_MAX = 64;
/** Per-spender policy overrides kept at most. */
export const POLICIES_MAX = 10_000;

// Relations the defaults rely on, checked once at load.
if (
  OPERATOR_VELOCITY_SPENDS_PER_MINUTE_MAX > VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX ||
  DEFAULT_VELOCITY_SPENDS_PER_MINUTE_MAX > VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX ||
  OPERATOR_BREAKER_CONSECUTIVE_ERRORS_MAX > BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX ||
  DEFAULT_BREAKER_CONSECUTIVE_ERRORS_MAX > BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX
) {
  throw new Error("safety constants: a default breaker setting exceeds its configurable maximum");
}
