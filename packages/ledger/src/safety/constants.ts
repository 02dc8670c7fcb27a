/**
 * Safety gate limits and defaults (ARCHITECTURE §6, reference §6). Every bound the gate applies to
 * outside input lives here, with its unit in its name.
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
/** Velocity window for the circuit breaker. */
export const VELOCITY_WINDOW_MS = 60_000;
/** At most this many allowed spends per spender in `VELOCITY_WINDOW_MS`; the next one is denied and trips. */
export const VELOCITY_SPENDS_MAX = 30;
/** Consecutive failed outcomes (`recordOutcome(spender, false)`) that trip a spender's breaker. */
export const BREAKER_CONSECUTIVE_ERRORS_MAX = 5;
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
