/**
 * `createTiramiClient`: a typed method for every row of the endpoint table (`endpoints.ts`), streaming
 * variants of the OpenAI routes as async iterators, and `call` / `request` for generic use (the MCP server,
 * the CLI). Every input is checked against the node's own schema before anything is sent; every call takes
 * an `AbortSignal` and a timeout; failures are `TiramiApiError` (the node's code, status, Retry-After) or
 * `TiramiClientError`.
 * @example
 * const tirami = createTiramiClient({ baseUrl: "http://127.0.0.1:3000", token });
 * const answer = await tirami.chatCompletions({ messages: [{ role: "user", content: "Hi" }] });
 * console.log(answer.choices[0]?.message.content, answer.x_tirami.trade_id);
 * @module
 */
import { z } from "zod";
import { type Endpoint, type InputOf, type OutputOf, pathParams, type StreamOf } from "./endpoint.js";
import { type EndpointName, type Endpoints, endpoints } from "./endpoints.js";
import { ClientErrorCode, TiramiClientError } from "./errors.js";
import type { ChatCompletionRequest, CompletionRequest } from "./schemas/openai.js";
import type { ResponsesRequest } from "./schemas/responses.js";
import {
  type CallOptions,
  createTransport,
  type QueryValue,
  type RawRequest,
  type Transport,
  type TransportOptions,
} from "./transport.js";
import type { ChatCompletionChunk, CompletionChunk, ResponseStreamEvent } from "./types/openai.js";

/** Options of `createTiramiClient`. */
export type ClientOptions = TransportOptions;

type Method<E> =
  E extends Endpoint<undefined, StreamOf<infer O>>
    ? (options?: CallOptions) => AsyncGenerator<O>
    : E extends Endpoint<undefined, infer O>
      ? (options?: CallOptions) => Promise<O>
      : undefined extends InputOf<E>
        ? (input?: InputOf<E>, options?: CallOptions) => Promise<OutputOf<E>>
        : (input: InputOf<E>, options?: CallOptions) => Promise<OutputOf<E>>;

/** A typed method per endpoint, plus the streams and the generic calls. */
export type TiramiClient = { readonly [K in EndpointName]: Method<Endpoints[K]> } & {
  readonly baseUrl: string;
  /** Chat completion as a stream of chunks; the last carries `usage` and `x_tirami`. */
  streamChatCompletions(
    input: ChatCompletionRequest,
    options?: CallOptions,
  ): AsyncGenerator<ChatCompletionChunk>;
  /** Text completion as a stream of chunks. */
  streamCompletions(input: CompletionRequest, options?: CallOptions): AsyncGenerator<CompletionChunk>;
  /** A Responses API answer as a stream of typed events. */
  streamResponse(input: ResponsesRequest, options?: CallOptions): AsyncGenerator<ResponseStreamEvent>;
  /** Calls an endpoint by name with an untyped input (validated all the same). */
  call(name: EndpointName, input?: unknown, options?: CallOptions): Promise<unknown>;
  /** Sends a raw request (no schema): for routes a newer node has and this client does not know yet. */
  request<T = unknown>(request: RawRequest): Promise<T>;
  /** Sends a raw request for a server-sent event stream and yields each event's name and parsed data. */
  events(request: RawRequest): AsyncGenerator<{ event: string; data: unknown }>;
};

/**
 * Checks `input` against the endpoint's schema and splits it into path, query and body: path parameters
 * by name, the rest to the query of GET and DELETE, to the JSON body of POST and PUT. The input is sent as
 * given (not as parsed) so fields the node reads beyond the schema (e.g. `x_tirami` hints) pass through.
 * @throws {TiramiClientError} INVALID_INPUT naming the first bad field.
 */
export function requestOf(endpoint: Endpoint, input: unknown, options: CallOptions = {}): RawRequest {
  if (endpoint.input === undefined) {
    if (input !== undefined && (typeof input !== "object" || input === null || Object.keys(input).length > 0))
      throw new TiramiClientError(
        ClientErrorCode.INVALID_INPUT,
        `${endpoint.method} ${endpoint.path} takes no input`,
      );
  } else {
    const result = (endpoint.input as z.ZodType).safeParse(input);
    if (!result.success) {
      const issue = result.error.issues[0];
      const param =
        issue === undefined || issue.path.length === 0 ? undefined : issue.path.map(String).join(".");
      const message =
        issue === undefined
          ? "invalid input"
          : param === undefined
            ? issue.message
            : `${param}: ${issue.message}`;
      throw new TiramiClientError(
        ClientErrorCode.INVALID_INPUT,
        message,
        param === undefined ? {} : { param },
      );
    }
  }
  const fields: Record<string, unknown> = { ...((input ?? {}) as Record<string, unknown>) };
  let path = endpoint.path;
  for (const name of pathParams(endpoint.path)) {
    path = path.replace(`:${name}`, encodeURIComponent(String(fields[name])));
    delete fields[name];
  }
  const request: RawRequest = { method: endpoint.method, path, ...options };
  if (endpoint.method === "GET" || endpoint.method === "DELETE") {
    const query: Record<string, QueryValue> = {};
    for (const [key, value] of Object.entries(fields))
      if (value === undefined || ["string", "number", "boolean"].includes(typeof value))
        query[key] = value as QueryValue;
    request.query = query;
  } else if (Object.keys(fields).length > 0 || hasBodyFields(endpoint)) {
    // A route whose body fields are all optional still gets a JSON body (`{}`); one whose input is only
    // path parameters gets none.
    request.body = fields;
  }
  return request;
}

/** True when the endpoint's input has fields besides its path parameters (or a shape it cannot list). */
function hasBodyFields(endpoint: Endpoint): boolean {
  if (endpoint.input === undefined) return false;
  const schema = endpoint.input instanceof z.ZodOptional ? endpoint.input.unwrap() : endpoint.input;
  if (!(schema instanceof z.ZodObject)) return true;
  const inPath = new Set(pathParams(endpoint.path));
  return Object.keys(schema.shape).some((key) => !inPath.has(key));
}

/** Creates a client for one node. */
export function createTiramiClient(options: ClientOptions = {}): TiramiClient {
  const transport: Transport = createTransport(options);

  const call = async (name: EndpointName, input?: unknown, callOptions?: CallOptions): Promise<unknown> => {
    const endpoint: Endpoint = endpoints[name];
    if (endpoint.response === "events")
      throw new TiramiClientError(
        ClientErrorCode.INVALID_INPUT,
        `${name} is a stream: iterate the client's method`,
      );
    const request = requestOf(endpoint, input, callOptions);
    return endpoint.response === "text" ? transport.text(request) : transport.json(request);
  };

  async function* stream<T>(name: EndpointName, input: object, callOptions?: CallOptions): AsyncGenerator<T> {
    const request = requestOf(endpoints[name], { ...input, stream: true }, callOptions);
    for await (const { event, data } of transport.events(request))
      yield (
        event === "message" || (data as { type?: unknown }).type !== undefined
          ? data
          : { type: event, ...(data as object) }
      ) as T;
  }

  const methods = Object.fromEntries(
    (Object.keys(endpoints) as EndpointName[]).map((name) => [
      name,
      (first?: unknown, second?: CallOptions) =>
        // A stream (without input) yields its events; a route without input takes only the options.
        endpoints[name].response === "events"
          ? transport.events(requestOf(endpoints[name], undefined, first as CallOptions | undefined))
          : endpoints[name].input === undefined
            ? call(name, undefined, first as CallOptions | undefined)
            : call(
                name,
                // The non-streamed methods of the OpenAI routes always ask for one JSON answer.
                streamable.has(name) && first !== null && typeof first === "object"
                  ? { ...first, stream: false }
                  : first,
                second,
              ),
    ]),
  );

  return {
    ...(methods as { [K in EndpointName]: Method<Endpoints[K]> }),
    baseUrl: transport.baseUrl,
    streamChatCompletions: (input, callOptions) =>
      stream<ChatCompletionChunk>("chatCompletions", input, callOptions),
    streamCompletions: (input, callOptions) => stream<CompletionChunk>("completions", input, callOptions),
    streamResponse: (input, callOptions) => stream<ResponseStreamEvent>("createResponse", input, callOptions),
    call,
    request: <T>(request: RawRequest) => transport.json<T>(request),
    events: (request) => transport.events(request),
  };
}

const streamable = new Set<EndpointName>(["chatCompletions", "completions", "createResponse"]);
