/**
 * Limits and defaults of the node daemon, each with its unit and the reason for its value
 *. Config options (`config.ts`) take their defaults from here.
 * @module
 */

/** Default HTTP port, as upstream (docs/upstream.md §2.5). */
export const API_PORT_DEFAULT = 3000;
/** Default bind address: loopback only, so a fresh node is never reachable from the network. */
export const API_BIND_DEFAULT = "127.0.0.1";
/** Largest accepted request body (bytes): upstream's 64 KiB (docs/upstream.md §3.1). */
export const BODY_BYTES_MAX_DEFAULT = 65_536;
/** Largest `max_tokens` a request may ask for (docs/upstream.md §2.5 `max_generate_tokens`). */
export const MAX_TOKENS_MAX_DEFAULT = 1_024;
/** `max_tokens` when the request gives none (docs/upstream.md §3.3). */
export const MAX_TOKENS_DEFAULT = 256;
/** Requests per minute per token; a burst of the same size is allowed (token bucket). */
export const RATE_LIMIT_PER_MINUTE_DEFAULT = 600;
/** Distinct tokens the rate limiter tracks; the least recently seen is evicted past this. */
export const RATE_LIMIT_BUCKETS_MAX = 10_000;
/** How long in-flight generations may finish on shutdown before they are aborted (ms). */
export const SHUTDOWN_GRACE_MS_DEFAULT = 5_000;
/** After aborting, how long shutdown still waits for generations to settle before closing anyway (ms). */
export const SHUTDOWN_ABORT_WAIT_MS = 10_000;

/** Agents a node may hold (active, frozen or revoked rows). */
export const AGENTS_MAX = 1_000;
/** Random bytes in an API token (256 bits), shown base64url-encoded. */
export const TOKEN_BYTES = 32;
/** Characters in an Authorization header we are willing to look at. */
export const AUTHORIZATION_CHARS_MAX = 512;

/** Seconds a client should wait after a 429/503 for overload. */
export const RETRY_AFTER_BUSY_S = 1;

/** Latency histogram buckets (seconds): from one fast token to a long generation. */
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Default of `sse_flush_interval_ms`: streamed text is written at most once per this many ms after the
 * first token (which is never held); text arriving sooner is coalesced into the next SSE chunk. A model
 * slower than one token per interval streams every token at once; a fast one sends fewer, larger chunks
 * (clients concatenate `delta.content`). 16 ms is one frame of a 60 Hz display: nothing a reader sees is
 * delayed, while each socket write (and the client wake-up it causes, which on a small machine competes
 * with generation for a core) is paid per frame, not per token: at ~3,000 tokens/s, 2 ms means ~40 writes
 * per 256-token answer, 16 ms about 6 (apps/node bench/stream.ts, `BENCH_SSE_FLUSH_MS`).
 */
export const SSE_FLUSH_INTERVAL_MS = 16;

/** Upper bound of `sse_flush_interval_ms`. */
export const SSE_FLUSH_INTERVAL_MAX_MS = 1_000;

/** The API's request limits are defined once, beside the schemas that enforce them (@tirami/client). */
export {
  AGENT_NAME_RE,
  CONTENT_CHARS_MAX,
  MESSAGES_MAX,
  MODEL_ID_CHARS_MAX,
  REASON_CHARS_MAX,
  SETTLEMENT_HOURS_DEFAULT,
  SETTLEMENT_HOURS_MAX,
  STOP_SEQUENCE_CHARS_MAX,
  STOP_SEQUENCES_MAX,
  TRADES_LIMIT_DEFAULT,
  TRADES_LIMIT_MAX,
} from "@tirami/client";
