/**
 * Limits of the node's HTTP API that a request must respect: the node validates with these through the
 * schemas in `schemas/`, and the client checks the same before sending (docs/architecture.md §8).
 * @module
 */

/** Messages in one chat request. */
export const MESSAGES_MAX = 256;
/** Characters of one message's content, one prompt, one tool description. */
export const CONTENT_CHARS_MAX = 32_768;
/** Stop sequences per request. */
export const STOP_SEQUENCES_MAX = 4;
/** Characters of one stop sequence. */
export const STOP_SEQUENCE_CHARS_MAX = 64;
/** Characters of a model id. */
export const MODEL_ID_CHARS_MAX = 256;
/** Characters of one embeddings input (the body limit binds first). */
export const EMBEDDING_INPUT_CHARS_MAX = 1_000_000;
/** Trades per page of `GET /v1/tirami/trades`: default and maximum. */
export const TRADES_LIMIT_DEFAULT = 20;
export const TRADES_LIMIT_MAX = 100;
/** Window of a settlement statement, in hours: default and maximum. */
export const SETTLEMENT_HOURS_DEFAULT = 24;
export const SETTLEMENT_HOURS_MAX = 24 * 366;
/** Characters of an operator's reason (kill switch). */
export const REASON_CHARS_MAX = 512;
/** Approvals per page. */
export const APPROVALS_LIMIT_MAX = 1_000;
/** An agent name: 1–64 of [a-z0-9_-] ("operator" is reserved). */
export const AGENT_NAME_RE = /^[a-z0-9_-]{1,64}$/;
/** Bytes of a response body the client reads before giving up (streams are read frame by frame). */
export const RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
/** Bytes of one server-sent event. */
export const SSE_EVENT_BYTES_MAX = 1024 * 1024;
/** Default timeout of one call, in milliseconds (a stream: until its first byte). */
export const TIMEOUT_MS_DEFAULT = 60_000;
/** Longest wait the opt-in retry honours from a `Retry-After`, in milliseconds. */
export const RETRY_AFTER_MS_MAX = 60_000;
/**
 * Largest breaker settings of a spend policy. The safety gate (@tirami/ledger `SafetyLimits`) enforces
 * the same values; the node's tests assert that they agree.
 */
export const POLICY_VELOCITY_SPENDS_PER_MINUTE_MAX = 6_000;
export const POLICY_BREAKER_CONSECUTIVE_ERRORS_MAX = 1_000;
