/**
 * The CLI's typed errors and the one table that maps every error to a documented exit code and a
 * one-line hint saying what to do next. `main.ts` is the only place
 * that renders them.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Documented process exit codes (README "Exit codes"). Stable: scripts branch on them. */
export const ExitCode = {
  OK: 0,
  /** Anything not listed below: a server error, an unexpected failure. */
  FAILURE: 1,
  /** Bad flags or arguments, or a request the node rejected as invalid (400/413/422). */
  USAGE: 2,
  /** The node is not running, not reachable at `--url`, or did not answer in time. */
  UNREACHABLE: 3,
  /** No token, or the token was refused (401). */
  AUTH: 4,
  /** The spend was denied: insufficient balance (402) or a safety decision (403). */
  DENIED: 5,
  /** A ledger verification or an inclusion proof failed. */
  VERIFY_FAILED: 6,
  /** The thing asked for does not exist (404: trade, agent, approval, model). */
  NOT_FOUND: 7,
  /**
   * The node is busy, rate limiting or has no model loaded (429/503), or its home or ledger is held by
   * another running node (HOME_IN_USE, LEDGER_LOCKED); retry later or stop that node.
   */
  UNAVAILABLE: 8,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Codes thrown by the CLI itself. Errors relayed from the node keep the node's code. */
export const CliErrorCode = {
  USAGE: "CLI_USAGE",
  NODE_UNREACHABLE: "NODE_UNREACHABLE",
  NODE_TIMEOUT: "NODE_TIMEOUT",
  TOKEN_MISSING: "TOKEN_MISSING",
  TOKEN_REJECTED: "TOKEN_REJECTED",
  SPEND_DENIED: "SPEND_DENIED",
  INSUFFICIENT_BALANCE: "INSUFFICIENT_BALANCE",
  VERIFY_FAILED: "VERIFY_FAILED",
  NOT_FOUND: "NOT_FOUND",
  NODE_UNAVAILABLE: "NODE_UNAVAILABLE",
  NODE_ERROR: "NODE_ERROR",
  BAD_RESPONSE: "BAD_RESPONSE",
  ABORTED: "ABORTED",
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

export interface CliErrorOptions extends TiramiErrorOptions {
  /** One line telling the user what to do next. */
  hint?: string | undefined;
  /** HTTP status when the error came from the node. */
  status?: number | undefined;
}

/** Thrown for every failure the CLI reports; carries its exit code and a hint. */
export class CliError extends TiramiError {
  override name = "CliError";
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, options: CliErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.status = options.status;
  }
}

/** Thrown when flags or arguments are wrong; exit code 2. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(CliErrorCode.USAGE, ExitCode.USAGE, message, { hint: hint ?? "see `tirami --help`" });
}

/** What to do about a home or ledger held by another node: `details.pid` is the holder, when known. */
function heldByHint(details: Record<string, unknown> | undefined): string {
  const pid = details?.["pid"];
  const stop = typeof pid === "number" ? `stop it (kill ${pid})` : "stop the other node";
  return `${stop} or pass --home <other dir>`;
}

/** Exit codes and hints for codes thrown by the libraries the CLI calls in-process. */
const LIBRARY_CODES: Readonly<
  Record<
    string,
    { exit: ExitCode; hint: string | ((details: Record<string, unknown> | undefined) => string) }
  >
> = {
  CONFIG_INVALID: {
    exit: ExitCode.USAGE,
    hint: "fix the flag, the TIRAMI_* variable or $TIRAMI_HOME/config.json named above",
  },
  UNSAFE_BIND: {
    exit: ExitCode.USAGE,
    hint: "bind 127.0.0.1, or give --api-token when binding a public address",
  },
  MODEL_NOT_FOUND: {
    exit: ExitCode.NOT_FOUND,
    hint: "see `tirami models` for catalog names, or pass a .gguf path",
  },
  MODEL_DOWNLOAD_FAILED: {
    exit: ExitCode.FAILURE,
    hint: "check the network and run the command again: downloads resume",
  },
  MODEL_LOAD_FAILED: {
    exit: ExitCode.FAILURE,
    hint: "is the file a complete GGUF model? `tirami models pull` fetches one",
  },
  KEY_FILE_PERMISSIONS: { exit: ExitCode.AUTH, hint: "chmod 600 the file named above" },
  KEY_FILE_CORRUPT: {
    exit: ExitCode.FAILURE,
    hint: "restore node.key from a backup; deleting it creates a new identity and account",
  },
  HOME_IN_USE: { exit: ExitCode.UNAVAILABLE, hint: heldByHint },
  EADDRINUSE: {
    exit: ExitCode.FAILURE,
    hint: "the port is taken: choose another with --port (0 = any free port)",
  },
};

/** Maps any thrown value to the CLI's view of it: a CliError keeps its fields; known codes get theirs; others exit 1. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === "string" ? LIBRARY_CODES[code] : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof TiramiError ? error.details : undefined;
  const hint = typeof known?.hint === "function" ? known.hint(details) : known?.hint;
  if (error instanceof TiramiError)
    return new CliError(error.code, known?.exit ?? ExitCode.FAILURE, message, {
      cause: error,
      details,
      hint,
    });
  return new CliError(
    typeof code === "string" ? code : "INTERNAL",
    known?.exit ?? ExitCode.FAILURE,
    message,
    {
      cause: error,
      hint,
    },
  );
}
