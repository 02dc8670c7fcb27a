/**
 * The node client every `tirami` command uses: @tirami/client (the repo's one HTTP client) for `--url`,
 * with the token from `token.ts` and the `--timeout-ms` of the invocation, and every failure turned into a
 * typed `CliError` with an exit code and a hint (`http-errors.ts`). Commands call the typed methods of
 * `api`; `get`/`post`/`delete`/`stream` reach a route by path, for routes the typed client does not name.
 * @module
 */
import {
  createTiramiClient,
  type QueryValue,
  type RawRequest,
  type TiramiClient,
  TiramiApiError,
  TiramiClientError,
} from "@tirami/client";
import { CliError } from "./errors.js";
import { errorFromClientFailure, errorFromResponse } from "./http-errors.js";
import type { ResolvedToken } from "./token.js";

export interface ClientOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:3000`. */
  url: string;
  token: ResolvedToken;
  /** Timeout of one call, in milliseconds. */
  timeoutMs: number;
}

export type Query = Record<string, QueryValue>;

/** What commands call. Every method throws `CliError` on failure. */
export interface NodeClient {
  readonly url: string;
  readonly token: ResolvedToken;
  /** The typed client: one method per route of the node. */
  readonly api: TiramiClient;
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, options?: { timeoutMs?: number }): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
  /** Posts `body` and calls `onData` with each parsed JSON `data:` event until `[DONE]`. */
  stream(
    path: string,
    body: unknown,
    onData: (data: unknown) => void,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<void>;
}

/**
 * Creates a client for one node.
 * @example
 * const client = createClient({ url: "http://127.0.0.1:3000", token, timeoutMs: 10_000 });
 * const balance = await client.api.balance();
 */
export function createClient(options: ClientOptions): NodeClient {
  const { url, token, timeoutMs } = options;
  const raw = createTiramiClient({
    baseUrl: url,
    timeoutMs,
    // An empty token is "none": the node's 401 then names where the token file is.
    ...(token.value === undefined ? { token: "" } : { token: token.value }),
  });
  const fail = (error: unknown, callTimeoutMs = timeoutMs): never => {
    throw cliErrorOf(error, { url, token, timeoutMs: callTimeoutMs });
  };
  const api = withCliErrors(raw, fail);
  const request = <T>(spec: RawRequest): Promise<T> =>
    raw.request<T>(spec).catch((error: unknown) => fail(error, spec.timeoutMs));
  return {
    url,
    token,
    api,
    get: (path, query) => request({ method: "GET", path, ...(query === undefined ? {} : { query }) }),
    delete: (path) => request({ method: "DELETE", path }),
    post: (path, body, callOptions) =>
      request({
        method: "POST",
        path,
        body: body ?? {},
        ...(callOptions?.timeoutMs === undefined ? {} : { timeoutMs: callOptions.timeoutMs }),
      }),
    async stream(path, body, onData, callOptions) {
      const spec: RawRequest = {
        method: "POST",
        path,
        body,
        ...(callOptions?.timeoutMs === undefined ? {} : { timeoutMs: callOptions.timeoutMs }),
        ...(callOptions?.signal === undefined ? {} : { signal: callOptions.signal }),
      };
      try {
        for await (const { data } of raw.events(spec)) onData(data);
      } catch (error) {
        fail(error, spec.timeoutMs);
      }
    },
  };
}

/** The CliError for a failure of the client (a CliError thrown by a callback passes through). */
export function cliErrorOf(
  error: unknown,
  context: { url: string; token: ResolvedToken; timeoutMs: number },
): unknown {
  if (error instanceof TiramiApiError)
    return errorFromResponse({
      status: error.status,
      text: JSON.stringify({ error: error.body }),
      token: context.token,
      retryAfter: error.retryAfterMs === undefined ? null : String(Math.ceil(error.retryAfterMs / 1_000)),
      url: context.url,
    });
  if (error instanceof TiramiClientError)
    return errorFromClientFailure(error, context.url, context.timeoutMs);
  return error;
}

/** The typed client with every rejection and stream failure mapped by `fail`. */
function withCliErrors(client: TiramiClient, fail: (error: unknown) => never): TiramiClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) return result.catch((error: unknown) => fail(error));
        if (isAsyncGenerator(result)) return mapGenerator(result, fail);
        return result;
      };
    },
  });
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

async function* mapGenerator<T>(
  source: AsyncGenerator<T>,
  fail: (error: unknown) => never,
): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    if (error instanceof CliError) throw error;
    fail(error);
  }
}
