/**
 * The node's HTTP API from the page: every call carries `Authorization: Bearer <token>` (never a query
 * string), JSON in and out, and failures become `ApiError` with the node's status and error code, so a
 * view can say exactly why the node refused (401 INVALID_TOKEN, 403 KILL_SWITCH_ACTIVE, 403 OPERATOR_ONLY…).
 * @module
 */

/** Bound on one call (ms): generous for a chat through the mesh on a small machine. */
export const API_TIMEOUT_MS = 120_000;

/** A refused or failed call. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What the node says about an error body (`{ error: { message, code, … } }`). */
function errorOf(status: number, body: unknown): ApiError {
  const error = (body as { error?: { message?: unknown; code?: unknown; details?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : `HTTP_${status}`;
  const message = typeof error?.message === "string" ? error.message : `the node answered ${status}`;
  const details =
    typeof error?.details === "object" && error.details !== null
      ? (error.details as Record<string, unknown>)
      : {};
  return new ApiError(status, code, message, details);
}

/** A signed-in client of the node's API. */
export interface Api {
  readonly token: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** A raw streaming request with the bearer header (for the trade stream). */
  stream(path: string, signal: AbortSignal): Promise<Response>;
}

/** Creates the client for `token` against this page's origin. */
export function createApi(token: string): Api {
  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(API_TIMEOUT_MS),
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, "NETWORK_ERROR", `the node could not be reached: ${String(error)}`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!response.ok) throw errorOf(response.status, parsed);
    return parsed as T;
  }
  return {
    token,
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body ?? {}),
    delete: (path) => call("DELETE", path),
    async stream(path, signal) {
      const response = await fetch(path, {
        headers: headers({ accept: "text/event-stream" }),
        signal,
        cache: "no-store",
      });
      if (!response.ok) {
        const parsed: unknown = await response.json().catch(() => null);
        throw errorOf(response.status, parsed);
      }
      return response;
    },
  };
}
