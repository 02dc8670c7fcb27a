/**
 * The client's errors. `TiramiApiError` is an answer from the node: its HTTP status and the node's own
 * error `code` (`INSUFFICIENT_BALANCE`, `KILL_SWITCH_ACTIVE`, `BUDGET_EXCEEDED`, …; OpenAI-shaped body,
 * docs/architecture.md §8), with `retryAfterMs` from `Retry-After`. `TiramiClientError` is everything
 * that happened before or around an answer: input that fails the node's schema (nothing was sent), a
 * timeout, an abort, a network failure, a body that is too large or not what the route returns.
 * @module
 */

/** Codes of `TiramiClientError`. */
export const ClientErrorCode = {
  /** The input fails the route's schema: nothing was sent. */
  INVALID_INPUT: "INVALID_INPUT",
  /** The node could not be reached (refused, DNS, reset). */
  NETWORK: "NETWORK",
  /** No answer within `timeoutMs`. */
  TIMEOUT: "TIMEOUT",
  /** The caller's `AbortSignal` fired. */
  ABORTED: "ABORTED",
  /** The body exceeded the client's size limit. */
  RESPONSE_TOO_LARGE: "RESPONSE_TOO_LARGE",
  /** The body was not what the route returns (not JSON, a broken stream). */
  BAD_RESPONSE: "BAD_RESPONSE",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** A failure on the client's side of a call. */
export class TiramiClientError extends Error {
  override readonly name = "TiramiClientError";
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An error answer from the node. */
export class TiramiApiError extends Error {
  override readonly name = "TiramiApiError";
  constructor(
    /** HTTP status (400, 401, 402, 403, 404, 409, 429, 503, …). */
    readonly status: number,
    /** The node's error code, e.g. `KILL_SWITCH_ACTIVE`; `HTTP_<status>` when the body had none. */
    readonly code: string,
    message: string,
    /** The error object as the node sent it (`type`, `param`, `details`, …). */
    readonly body: Record<string, unknown>,
    /** `Retry-After` in milliseconds, when the node sent one (429, 503, a tripped breaker). */
    readonly retryAfterMs: number | undefined,
    /** The node's `X-Request-Id`, for its logs. */
    readonly requestId: string | undefined,
  ) {
    super(message);
  }

  /** 402: the balance or a budget does not cover the request. */
  get isPaymentRequired(): boolean {
    return this.status === 402;
  }
  /** 403: refused by policy (kill switch, frozen agent, operator-only route, approval pending). */
  get isForbidden(): boolean {
    return this.status === 403;
  }
  /** 429: rate limited; `retryAfterMs` says when to come back. */
  get isRateLimited(): boolean {
    return this.status === 429;
  }
}

/** Builds a `TiramiApiError` from a response's status, headers and body text. */
export function apiErrorOf(status: number, headers: Headers, text: string): TiramiApiError {
  let error: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (parsed !== null && typeof parsed.error === "object" && parsed.error !== null)
      error = parsed.error as Record<string, unknown>;
    else if (typeof parsed.error === "string") error = { message: parsed.error };
  } catch {
    error = { message: text.trim().slice(0, 500) || `HTTP ${status}` };
  }
  const code = typeof error.code === "string" && error.code !== "" ? error.code : `HTTP_${status}`;
  const message = typeof error.message === "string" ? error.message : `HTTP ${status}`;
  return new TiramiApiError(
    status,
    code,
    message,
    error,
    retryAfterMsOf(headers.get("retry-after")),
    headers.get("x-request-id") ?? undefined,
  );
}

/** `Retry-After` (delay-seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function retryAfterMsOf(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
