/**
 * The HTTP client every `tirami` command uses to talk to a node: base URL from `--url`, bearer token from
 * `token.ts`, a timeout on every call (AbortSignal.timeout), bounded response bodies, SSE streaming for
 * chat, and every failure turned into a typed `CliError` (`http-errors.ts`).
 * @module
 */
import { RESPONSE_BYTES_MAX } from "./constants.js";
import { CliError, CliErrorCode, ExitCode } from "./errors.js";
import { errorFromFetchFailure, errorFromResponse } from "./http-errors.js";
import { parseSse } from "./sse.js";
import type { ResolvedToken } from "./token.js";

export interface ClientOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:3000`. */
  url: string;
  token: ResolvedToken;
  /** Timeout of one ordinary call, in milliseconds. */
  timeoutMs: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** What commands call. Every method throws `CliError` on failure. */
export interface NodeClient {
  readonly url: string;
  readonly token: ResolvedToken;
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

function buildUrl(base: string, path: string, query?: Query): string {
  const url = new URL(path, base.endsWith("/") ? base : `${base}/`);
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > RESPONSE_BYTES_MAX) throw tooLarge();
  if (response.body === null) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > RESPONSE_BYTES_MAX) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(): CliError {
  return new CliError(
    CliErrorCode.BAD_RESPONSE,
    ExitCode.FAILURE,
    `the node's response exceeded ${RESPONSE_BYTES_MAX} bytes`,
  );
}

function parseJson(text: string, url: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      CliErrorCode.BAD_RESPONSE,
      ExitCode.FAILURE,
      `the answer from ${url} is not JSON: ${text.slice(0, 120)}`,
      {
        cause: error,
        hint: "is --url pointing at a Tirami node?",
      },
    );
  }
}

/**
 * Creates a client for one node.
 * @example
 * const client = createClient({ url: "http://127.0.0.1:3000", token, timeoutMs: 10_000 });
 * const balance = await client.get("/v1/tirami/balance");
 */
export function createClient(options: ClientOptions): NodeClient {
  const { url: base, token } = options;
  const headers = (sse: boolean, hasBody: boolean): Record<string, string> => ({
    accept: sse ? "text/event-stream" : "application/json",
    ...(hasBody ? { "content-type": "application/json" } : {}),
    ...(token.value === undefined ? {} : { authorization: `Bearer ${token.value}` }),
  });

  async function send(
    method: string,
    path: string,
    init: { query?: Query; body?: unknown; timeoutMs: number; signal?: AbortSignal; sse?: boolean },
  ): Promise<Response> {
    const url = buildUrl(base, path, init.query);
    const timeout = AbortSignal.timeout(init.timeoutMs);
    const signal = init.signal === undefined ? timeout : AbortSignal.any([timeout, init.signal]);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: headers(init.sse === true, init.body !== undefined),
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal,
      });
    } catch (error) {
      throw errorFromFetchFailure(error, base, init.timeoutMs);
    }
    if (!response.ok) {
      const text = await readBounded(response).catch(() => "");
      throw errorFromResponse({
        status: response.status,
        text,
        token,
        retryAfter: response.headers.get("retry-after"),
        url: base,
      });
    }
    return response;
  }

  async function json<T>(
    method: string,
    path: string,
    init: { query?: Query; body?: unknown; timeoutMs: number },
  ): Promise<T> {
    const response = await send(method, path, init);
    try {
      return parseJson(await readBounded(response), base) as T;
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw errorFromFetchFailure(error, base, init.timeoutMs);
    }
  }

  return {
    url: base,
    token,
    get: (path, query) =>
      json("GET", path, { ...(query === undefined ? {} : { query }), timeoutMs: options.timeoutMs }),
    delete: (path) => json("DELETE", path, { timeoutMs: options.timeoutMs }),
    post: (path, body, callOptions) =>
      json("POST", path, { body: body ?? {}, timeoutMs: callOptions?.timeoutMs ?? options.timeoutMs }),
    async stream(path, body, onData, callOptions) {
      const timeoutMs = callOptions?.timeoutMs ?? options.timeoutMs;
      const response = await send("POST", path, {
        body,
        timeoutMs,
        sse: true,
        ...(callOptions?.signal === undefined ? {} : { signal: callOptions.signal }),
      });
      if (response.body === null) return;
      try {
        for await (const event of parseSse(response.body)) onData(parseJson(event.data, base));
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw errorFromFetchFailure(error, base, timeoutMs);
      }
    },
  };
}
