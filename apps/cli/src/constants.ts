/**
 * Defaults and limits of the `tirami` command, each with its unit and the reason for its value
 *. The option table (`options.ts`) takes its defaults from here.
 * @module
 */

/** Timeout of one ordinary API call (ms): a local node answers in milliseconds; 10 s means it is stuck. */
export const REQUEST_TIMEOUT_MS_DEFAULT = 10_000;
/** Timeout of one chat answer (ms): generation on a small CPU can take a while. */
export const CHAT_TIMEOUT_MS_DEFAULT = 300_000;
/** The operator token file inside `$TIRAMI_HOME` (written by the node at first start, mode 0600). */
export const TOKEN_FILE = "api.token";
/** The node's ledger database inside `$TIRAMI_HOME`. */
export const LEDGER_FILE = "ledger.db";
/** `max_tokens` of a CLI chat answer unless `--max-tokens` says otherwise (the upstream default). */
export const CHAT_MAX_TOKENS_DEFAULT = 256;
/** Messages kept in a REPL conversation; older turns are dropped so the prompt stays bounded. */
export const CHAT_HISTORY_MAX = 32;
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

/**
 * The node's address, the environment variables of the token and the URL, and the trades page size are
 * the client's (@tirami/client), so the CLI and every other program agree on them.
 */
export { BASE_URL_DEFAULT as URL_DEFAULT, TOKEN_ENV, TRADES_LIMIT_DEFAULT, URL_ENV } from "@tirami/client";
