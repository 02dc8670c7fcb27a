/**
 * One HTTP exchange with a node: the URL from the base and the route's path, the bearer token, a timeout
 * and the caller's `AbortSignal` on every call, bounded bodies, errors as `TiramiApiError` (an answer) or
 * `TiramiClientError` (no usable answer), and an opt-in retry that honours `Retry-After` on 429 and 503.
 * Only web-standard APIs (fetch, AbortSignal, TextDecoder), so it runs in Node and in browsers.
 * @module
 */
import { apiErrorOf, ClientErrorCode, TiramiApiError, TiramiClientError } from "./errors.js";
import { RESPONSE_BYTES_MAX, RETRY_AFTER_MS_MAX, TIMEOUT_MS_DEFAULT } from "./limits.js";
import { parseSse } from "./sse.js";

/** Environment variable the token is read from when `token` is not given (Node only). */
export const TOKEN_ENV = "TIRAMI_API_TOKEN";
/** Environment variable the base URL is read from when `baseUrl` is not given (Node only). */
export const URL_ENV = "TIRAMI_URL";
/** The node's default address. */
export const BASE_URL_DEFAULT = "http://127.0.0.1:3000";

/** Opt-in retry of 429 and 503 answers that carry `Retry-After`. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  attempts?: number;
  /** Longest `Retry-After` honoured, in milliseconds (default 60 000); a longer one is thrown at once. */
  maxDelayMs?: number;
}

/** How a client reaches its node. */
export interface TransportOptions {
  /** The node, e.g. `http://127.0.0.1:3000` (default `$TIRAMI_URL`, then that address). */
  baseUrl?: string;
  /** Bearer token: the operator's or an agent's (default `$TIRAMI_API_TOKEN`; an empty string sends none). */
  token?: string;
  /** Timeout of one call in milliseconds, streams included (default 60 000). */
  timeoutMs?: number;
  /** Retry 429/503 answers after their `Retry-After` (off by default). */
  retry?: boolean | RetryOptions;
  /** A fetch implementation (default the global one), e.g. to call a node in this same process. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every call (e.g. `X-Tirami-Route`). */
  headers?: Record<string, string>;
  /** Largest response body read, in bytes (default 16 MiB). */
  responseBytesMax?: number;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | undefined;

/** One request, as the transport sends it. */
export interface RawRequest extends CallOptions {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** The HTTP layer of a client. */
export interface Transport {
  readonly baseUrl: string;
  /** Sends a request and returns the parsed JSON body (or the text, for non-JSON answers). */
  json<T = unknown>(request: RawRequest): Promise<T>;
  /** Sends a request and returns the body as text. */
  text(request: RawRequest): Promise<string>;
  /** Sends a request for a server-sent event stream and yields each event's parsed JSON data. */
  events(request: RawRequest): AsyncGenerator<{ event: string; data: unknown }>;
}

function env(name: string): string | undefined {
  const processLike = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = processLike?.env?.[name];
  return value === undefined || value === "" ? undefined : value;
}

function retryOf(option: TransportOptions["retry"]): Required<RetryOptions> | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  const attempts = given.attempts ?? 2;
  const maxDelayMs = given.maxDelayMs ?? RETRY_AFTER_MS_MAX;
  if (!Number.isSafeInteger(attempts) || attempts < 0 || attempts > 10)
    throw new TypeError("retry.attempts: expected an integer from 0 to 10");
  if (!Number.isSafeInteger(maxDelayMs) || maxDelayMs < 0)
    throw new TypeError("retry.maxDelayMs: expected a non-negative integer");
  return { attempts, maxDelayMs };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(signal as AbortSignal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function aborted(signal: AbortSignal): TiramiClientError {
  return new TiramiClientError(ClientErrorCode.ABORTED, "the call was aborted", {}, { cause: signal.reason });
}

/** Creates the HTTP layer for one node. */
export function createTransport(options: TransportOptions = {}): Transport {
  const baseUrl = (options.baseUrl ?? env(URL_ENV) ?? BASE_URL_DEFAULT).replace(/\/+$/, "");
  try {
    new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl: not a URL: ${baseUrl}`);
  }
  const token = options.token ?? env(TOKEN_ENV);
  const timeoutMsDefault = options.timeoutMs ?? TIMEOUT_MS_DEFAULT;
  const bytesMax = options.responseBytesMax ?? RESPONSE_BYTES_MAX;
  const retry = retryOf(options.retry);
  const doFetch = options.fetch ?? ((request: Request) => fetch(request));

  const urlOf = (path: string, query: RawRequest["query"]): string => {
    const url = new URL(baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  };

  /** Sends once; a non-2xx answer becomes a TiramiApiError. The returned `done` clears the timeout. */
  async function sendOnce(
    request: RawRequest,
    accept: string,
  ): Promise<{ response: Response; signal: AbortSignal; done(): void }> {
    const timeoutMs = request.timeoutMs ?? timeoutMsDefault;
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new TiramiClientError(ClientErrorCode.TIMEOUT, `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const signal =
      request.signal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, request.signal]);
    const done = (): void => clearTimeout(timer);
    const headers: Record<string, string> = {
      accept,
      ...options.headers,
      ...request.headers,
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      ...(token === undefined || token === "" ? {} : { authorization: `Bearer ${token}` }),
    };
    let response: Response;
    try {
      response = await doFetch(
        new Request(urlOf(request.path, request.query), {
          method: request.method,
          headers,
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          signal,
        }),
      );
    } catch (error) {
      done();
      throw failureOf(error, signal, request.signal, timeout.signal);
    }
    if (!response.ok) {
      const text = await readText(response, bytesMax).catch(() => "");
      done();
      throw apiErrorOf(response.status, response.headers, text);
    }
    return { response, signal, done };
  }

  async function send(request: RawRequest, accept: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await sendOnce(request, accept);
      } catch (error) {
        const wait = retry === undefined ? undefined : retryDelay(error, attempt, retry);
        if (wait === undefined) throw error;
        await sleep(wait, request.signal);
      }
    }
  }

  async function withBody<T>(
    request: RawRequest,
    accept: string,
    read: (r: Response) => Promise<T>,
  ): Promise<T> {
    const { response, signal, done } = await send(request, accept);
    try {
      return await read(response);
    } catch (error) {
      throw error instanceof TiramiClientError ? error : failureOf(error, signal, request.signal, signal);
    } finally {
      done();
    }
  }

  return {
    baseUrl,
    json: <T>(request: RawRequest) =>
      withBody(request, "application/json", async (response) => {
        const text = await readText(response, bytesMax);
        if (text === "") return null as T;
        try {
          return JSON.parse(text) as T;
        } catch (error) {
          throw new TiramiClientError(
            ClientErrorCode.BAD_RESPONSE,
            `the answer of ${request.method} ${request.path} is not JSON: ${text.slice(0, 120)}`,
            {},
            { cause: error },
          );
        }
      }),
    text: (request) => withBody(request, "text/plain, */*", (response) => readText(response, bytesMax)),
    async *events(request) {
      const { response, signal, done } = await send(request, "text/event-stream");
      try {
        if (response.body === null) return;
        for await (const event of parseSse(chunksOf(response.body))) {
          let data: unknown;
          try {
            data = JSON.parse(event.data);
          } catch (error) {
            throw new TiramiClientError(
              ClientErrorCode.BAD_RESPONSE,
              `a stream event is not JSON: ${event.data.slice(0, 120)}`,
              {},
              { cause: error },
            );
          }
          yield { event: event.event, data };
        }
      } catch (error) {
        throw error instanceof TiramiClientError ? error : failureOf(error, signal, request.signal, signal);
      } finally {
        done();
        // Stops the transfer when the caller leaves the loop early.
        await response.body?.cancel().catch(() => undefined);
      }
    },
  };
}

/** How long to wait before retrying `error`, or undefined when it is not retried. */
function retryDelay(error: unknown, attempt: number, retry: Required<RetryOptions>): number | undefined {
  if (attempt >= retry.attempts || !(error instanceof TiramiApiError)) return undefined;
  if (error.status !== 429 && error.status !== 503) return undefined;
  if (error.retryAfterMs === undefined || error.retryAfterMs > retry.maxDelayMs) return undefined;
  return error.retryAfterMs;
}

/** The error for a failed fetch or body read: the caller's abort, our timeout, or the network. */
function failureOf(
  error: unknown,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
  timeoutSignal: AbortSignal,
): TiramiClientError {
  if (callerSignal?.aborted) return aborted(callerSignal);
  if (timeoutSignal.aborted || signal.aborted) {
    const reason: unknown = timeoutSignal.aborted ? timeoutSignal.reason : signal.reason;
    if (reason instanceof TiramiClientError) return reason;
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? message;
  return new TiramiClientError(
    ClientErrorCode.NETWORK,
    `could not reach the node: ${reason}`,
    { reason },
    { cause: error },
  );
}

/** Reads a body as UTF-8 text, failing once it exceeds `bytesMax`. */
async function readText(response: Response, bytesMax: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > bytesMax) throw tooLarge(bytesMax);
  if (response.body === null) return "";
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let total = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > bytesMax) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(bytesMax);
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text + decoder.decode();
}

function tooLarge(bytesMax: number): TiramiClientError {
  return new TiramiClientError(ClientErrorCode.RESPONSE_TOO_LARGE, `the response exceeded ${bytesMax} bytes`);
}

/** The chunks of a body through its reader (async iteration of ReadableStream is not in every browser). */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
