/**
 * Defaults and limits of the `tirami` command, each with its unit and the reason for its value
 *. The option table (`options.ts`) takes its defaults from here.
 * @module
 */

/** Where a node listens by default (the node's own default bind and port, docs/upstream.md §2.5). */
export const URL_DEFAULT = "http://127.0.0.1:3000";
/** Timeout of one ordinary API call (ms): a local node answers in milliseconds; 10 s means it is stuck. */
export const REQUEST_TIMEOUT_MS_DEFAULT = 10_000;
/** Timeout of one chat answer (ms): generation on a small CPU can take a while. */
export const CHAT_TIMEOUT_MS_DEFAULT = 300_000;
/** Environment variable holding the operator or agent token. */
export const TOKEN_ENV = "TIRAMI_API_TOKEN";
/** Environment variable naming the node URL. */
export const URL_ENV = "TIRAMI_URL";
/** The operator token file inside `$TIRAMI_HOME` (written by the node at first start, mode 0600). */
export const TOKEN_FILE = "api.token";
/** The node's ledger database inside `$TIRAMI_HOME`. */
export const LEDGER_FILE = "ledger.db";
/** Largest response body the CLI reads (bytes): settlement statements of a busy year fit easily. */
export const RESPONSE_BYTES_MAX = 16 * 1_048_576;
/** Largest single SSE event (bytes): one chunk carries one token; 1 MiB means the stream is broken. */
export const SSE_EVENT_BYTES_MAX = 1_048_576;
/** `max_tokens` of a CLI chat answer unless `--max-tokens` says otherwise (the upstream default). */
export const CHAT_MAX_TOKENS_DEFAULT = 256;
/** Messages kept in a REPL conversation; older turns are dropped so the prompt stays bounded. */
export const CHAT_HISTORY_MAX = 32;
/** `tirami trades` rows unless `--limit` says otherwise; the node caps at 100 (docs/upstream.md §3.5). */
export const TRADES_LIMIT_DEFAULT = 20;
export const TRADES_LIMIT_MAX = 100;
/** Settlement window unless `--hours` says otherwise (docs/upstream.md §4.10), and its largest span. */
export const SETTLE_HOURS_DEFAULT = 24;
export const SETTLE_HOURS_MAX = 24 * 366;
/** How long `tirami node`/`demo` wait for a node to stop before exiting anyway (ms). */
export const STOP_TIMEOUT_MS = 15_000;
/** Widest table cell (characters); longer values are shortened with an ellipsis. */
export const TABLE_CELL_CHARS_MAX = 72;
/** Longest `chat --wait-approval` waits for an operator (ms); the node's own deadline usually ends it first. */
export const APPROVAL_WAIT_MS_MAX = 600_000;
/** How often a waiting chat asks whether its approval was decided (ms). */
export const APPROVAL_POLL_MS = 500;
