/**
 * @tirami/client — a typed client for a Tirami node's HTTP API, with no native dependencies (Node ≥ 20
 * and browsers): one method per route, OpenAI streams as async iterators, typed errors carrying the
 * node's codes, `AbortSignal` and timeouts on every call, an opt-in retry that honours `Retry-After`.
 * The request schemas here are the ones the node validates with.
 * @packageDocumentation
 */

/** The client. */
export { type ClientOptions, createTiramiClient, requestOf, type TiramiClient } from "./client.js";
export {
  BASE_URL_DEFAULT,
  type CallOptions,
  createTransport,
  type QueryValue,
  type RawRequest,
  type RetryOptions,
  TOKEN_ENV,
  type Transport,
  type TransportOptions,
  URL_ENV,
} from "./transport.js";

/** Errors. */
export { apiErrorOf, ClientErrorCode, retryAfterMsOf, TiramiApiError, TiramiClientError } from "./errors.js";

/** The endpoint table (what MCP servers and coverage tests read). */
export {
  type Access,
  type Endpoint,
  endpoint,
  type HttpMethod,
  type InputOf,
  type OutputOf,
  pathParams,
  type ResponseKind,
  type StreamOf,
} from "./endpoint.js";
export { CLIENT_EXCLUDED, type EndpointName, type Endpoints, endpoints, MCP_EXCLUDED } from "./endpoints.js";

/** Server-sent events. */
export { parseSse, type SseEvent } from "./sse.js";

/** Limits and schemas shared with the node. */
export * from "./limits.js";
export * from "./schemas/openai.js";
export * from "./schemas/responses.js";
export * from "./schemas/tirami.js";
export * from "./schemas/mind.js";
export * from "./schemas/bank.js";
export * from "./schemas/agora.js";
export * from "./schemas/lightning.js";

/** Answer types. */
export type * from "./types/economy.js";
export type * from "./types/mesh.js";
export type * from "./types/openai.js";
export type * from "./types/safety.js";
