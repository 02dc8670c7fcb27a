/**
 * The one place errors become HTTP responses: OpenAI-shaped `{ error: { message, type, code,
 * param } }`. Known codes map through `ERROR_MAPPINGS`; a safety denial is 403 with the gate's code;
 * overload and rate limits carry `Retry-After`. Anything else is logged and answered with a generic 500
 * that leaks nothing.
 * @module
 */
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { TiramiError } from "@tirami/core";
import type { Logger } from "pino";
import { ERROR_MAPPINGS, type ErrorMapping, NodeErrorCode } from "../errors.js";
import type { AppEnv } from "../principal.js";
import { SpendDeniedError } from "@tirami/ledger";
import { RETRY_AFTER_BUSY_S } from "../constants.js";

/** The JSON body of an error response. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    code: string;
    param: string | null;
    details?: Record<string, unknown>;
  };
}

/** The status, headers and body an error is answered with. */
export function describeError(
  error: unknown,
): { status: ErrorMapping["status"]; body: OpenAIErrorBody; retryAfterS?: number } | undefined {
  if (error instanceof HTTPException && error.status === 413) {
    return describeError(new TiramiError(NodeErrorCode.BODY_TOO_LARGE, "request body too large"));
  }
  if (!(error instanceof TiramiError)) return undefined;
  const mapping: ErrorMapping | undefined =
    error instanceof SpendDeniedError
      ? { status: 403, type: "permission_error" }
      : ERROR_MAPPINGS[error.code];
  if (mapping === undefined) return undefined;
  const {
    param,
    retry_after_s: retryAfterSeconds,
    retry_after_ms: retryAfterMs,
    ...details
  } = error.details ?? {};
  let retryAfterS: number | undefined;
  if (typeof retryAfterSeconds === "number") retryAfterS = retryAfterSeconds;
  else if (typeof retryAfterMs === "number") retryAfterS = Math.max(1, Math.ceil(retryAfterMs / 1_000));
  else if (mapping.status === 429 || mapping.status === 503) retryAfterS = RETRY_AFTER_BUSY_S;
  const body: OpenAIErrorBody = {
    error: {
      message: error.message,
      type: mapping.type,
      code: error.code,
      param: typeof param === "string" ? param : null,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
  };
  return retryAfterS === undefined
    ? { status: mapping.status, body }
    : { status: mapping.status, body, retryAfterS };
}

/** The generic body of an unexpected failure. */
export const INTERNAL_ERROR_BODY: OpenAIErrorBody = {
  error: {
    message: "internal server error",
    type: "server_error",
    code: NodeErrorCode.INTERNAL,
    param: null,
  },
};

/** Builds the app's `onError`. Unknown errors are logged with the request id and answered 500. */
export function createErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return function onError(error: Error, c: Context<AppEnv>) {
    const described = describeError(error);
    if (described === undefined) {
      logger.error({ err: error, request_id: c.get("requestId") }, "unhandled error");
      return c.json(INTERNAL_ERROR_BODY, 500);
    }
    if (described.retryAfterS !== undefined) c.header("Retry-After", String(described.retryAfterS));
    return c.json(described.body, described.status);
  };
}
