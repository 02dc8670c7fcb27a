/**
 * Typed errors with stable codes. Every error a Tirami package throws on purpose is a `TiramiError` (or a
 * subclass) whose `code` never changes between releases, so the API can map it to an HTTP status, the CLI
 * to an exit code, and callers can branch on it. Programmer misuse throws `TypeError`/`RangeError`;
 * broken invariants throw `AssertionError` and are never caught-and-continued.
 * @module
 */

/** Codes thrown by `@tirami/core`. Other packages define their own codes in the same SCREAMING_CASE. */
export const CoreErrorCode = {
  INVALID_ACCOUNT_ID: "INVALID_ACCOUNT_ID",
  INVALID_AMOUNT: "INVALID_AMOUNT",
  AMOUNT_OVERFLOW: "AMOUNT_OVERFLOW",
  INVALID_SIGNATURE: "INVALID_SIGNATURE",
  INVALID_KEY: "INVALID_KEY",
  KEY_FILE_CORRUPT: "KEY_FILE_CORRUPT",
  KEY_FILE_PERMISSIONS: "KEY_FILE_PERMISSIONS",
  CANONICAL_ENCODING: "CANONICAL_ENCODING",
  CONFIG_INVALID: "CONFIG_INVALID",
  HOME_IN_USE: "HOME_IN_USE",
} as const;
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

export interface TiramiErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** Machine-readable facts about the failure (field names, limits, ids). Must be JSON-serialisable. */
  details?: Record<string, unknown>;
}

/** Base class of every deliberate Tirami error. `code` is stable; `message` is for humans. */
export class TiramiError extends Error {
  override name = "TiramiError";
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: TiramiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** A plain object for logs and wire messages. */
  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown when a broken invariant is detected: a bug, never an operating condition. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

/** True when `error` is a TiramiError, optionally with the given code. */
export function isTiramiError(error: unknown, code?: string): error is TiramiError {
  return error instanceof TiramiError && (code === undefined || error.code === code);
}
