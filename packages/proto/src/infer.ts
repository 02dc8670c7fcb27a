/**
 * Frames of the remote-inference stream (`/tirami/infer/1.0.0`, docs/architecture.md §7): the consumer sends one
 * `infer_request`; the provider answers with `token_chunk`s then one `infer_end`, or one `infer_error`.
 * (The trade handshake that follows lives in settle.ts.) Upstream's request had no consumer, model or
 * quoted price (docs/upstream.md §7.4), so the provider billed whatever it liked; here the request carries the
 * quote the consumer agreed to, and the trade is checked against it.
 * @module
 */
import {
  type AccountId,
  checkJsonSchema,
  InvalidJsonSchemaError,
  JSON_SCHEMA_BYTES_MAX,
  PUBLIC_KEY_BYTES,
} from "@tirami/core";
import {
  ERROR_MESSAGE_BYTES_MAX,
  INFER_CONTENT_BYTES_MAX,
  INFER_MAX_TOKENS_MAX,
  INFER_MESSAGES_MAX,
  INFER_PROMPT_BYTES_MAX,
  INFER_PROMPT_TOKENS_MAX,
  INFER_SEED_MAX,
  INFER_STOP_BYTES_MAX,
  INFER_STOP_MAX,
  INFER_TEMPERATURE_MAX,
  INFER_TOP_K_MAX,
  RETRY_AFTER_MS_MAX,
  TOKEN_CHUNK_TEXT_BYTES_MAX,
} from "./constants.js";
import { invalidField } from "./errors.js";
import type { Field, FieldType } from "./schema.js";
import { MODEL_ID_LENGTH_MAX, REQUEST_ID_LENGTH_MAX } from "./ids.js";
import { PRICE_TRM_PER_TOKEN_MAX } from "./trade.js";

/** Roles of a chat turn. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/**
 * What the answer must be, enforced by the provider's grammar and checked by the consumer before it
 * signs: any JSON object, or JSON conforming to `schema` (JSON text of a schema in the subset
 * `checkJsonSchema` accepts). Tool calls travel as a `json_schema` of their envelope.
 */
export type InferResponseFormat = { type: "json_object" } | { type: "json_schema"; schema: string };

export const RESPONSE_FORMAT_TYPES = ["json_object", "json_schema"] as const;

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Consumer → provider: run one completion. Exactly one of `messages` and `prompt` is present. */
export interface InferRequest {
  kind: "infer_request";
  request_id: string;
  consumer: AccountId;
  model_id: string;
  messages?: ChatMessage[];
  prompt?: string;
  max_tokens: number;
  temperature: number;
  top_p: number;
  /** 0 disables top-k. */
  top_k: number;
  seed: number;
  stop: string[];
  /** Structured output the provider must enforce (then `stop` is empty). */
  response_format?: InferResponseFormat;
  /** The price the consumer accepts; the trade's price must equal it. */
  price_trm_per_token: number;
  timestamp_ms: number;
}

/**
 * Provider → consumer: the `index`-th piece of generated text (0, 1, 2, … without gaps). A piece holds
 * one token's text or several (a provider coalesces text to send fewer frames); the billed count is
 * `infer_end.completion_tokens`, never the number of pieces.
 */
export interface TokenChunk {
  kind: "token_chunk";
  request_id: string;
  index: number;
  text: string;
}

export const FINISH_REASONS = ["stop", "length"] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Provider → consumer: generation finished; the counts the trade will bill. */
export interface InferEnd {
  kind: "infer_end";
  request_id: string;
  prompt_tokens: number;
  completion_tokens: number;
  finish_reason: FinishReason;
}

export const INFER_ERROR_CODES = [
  "INVALID_REQUEST",
  "INSUFFICIENT_BALANCE",
  "BUSY",
  "DENIED",
  "INTERNAL",
] as const;
export type InferErrorCode = (typeof INFER_ERROR_CODES)[number];

/** Provider → consumer: the request failed; no trade follows. */
export interface InferError {
  kind: "infer_error";
  request_id: string;
  code: InferErrorCode;
  message: string;
  /** When present, the consumer may retry after this long. */
  retry_after_ms?: number;
}

const requestId: FieldType = { t: "id", lengthMax: REQUEST_ID_LENGTH_MAX };
const safeUint: FieldType = { t: "uint", max: Number.MAX_SAFE_INTEGER };

export const INFER_REQUEST_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "consumer", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
  { name: "model_id", type: { t: "id", lengthMax: MODEL_ID_LENGTH_MAX } },
  {
    name: "messages",
    type: {
      t: "optional",
      of: {
        t: "list",
        min: 1,
        max: INFER_MESSAGES_MAX,
        of: {
          t: "record",
          fields: [
            { name: "role", type: { t: "enum", values: CHAT_ROLES } },
            { name: "content", type: { t: "text", bytesMax: INFER_CONTENT_BYTES_MAX } },
          ],
        },
      },
    },
  },
  {
    name: "prompt",
    type: { t: "optional", of: { t: "text", bytesMin: 1, bytesMax: INFER_PROMPT_BYTES_MAX } },
  },
  { name: "max_tokens", type: { t: "uint", min: 1, max: INFER_MAX_TOKENS_MAX } },
  { name: "temperature", type: { t: "float", min: 0, max: INFER_TEMPERATURE_MAX } },
  { name: "top_p", type: { t: "float", min: 0, minExclusive: true, max: 1 } },
  { name: "top_k", type: { t: "uint", max: INFER_TOP_K_MAX } },
  { name: "seed", type: { t: "uint", max: INFER_SEED_MAX } },
  {
    name: "stop",
    type: { t: "list", max: INFER_STOP_MAX, of: { t: "text", bytesMin: 1, bytesMax: INFER_STOP_BYTES_MAX } },
  },
  { name: "price_trm_per_token", type: { t: "float", min: 0, max: PRICE_TRM_PER_TOKEN_MAX } },
  { name: "timestamp_ms", type: safeUint },
  {
    name: "response_format",
    type: {
      t: "optional",
      of: {
        t: "record",
        fields: [
          { name: "type", type: { t: "enum", values: RESPONSE_FORMAT_TYPES } },
          {
            name: "schema",
            type: { t: "optional", of: { t: "text", bytesMin: 2, bytesMax: JSON_SCHEMA_BYTES_MAX } },
          },
        ],
        refine: refineResponseFormat,
      },
    },
  },
];

/** A `json_schema` format carries a schema in the supported subset; `json_object` carries none. */
function refineResponseFormat(value: Record<string, unknown>, kind: string, path: string): void {
  const at = `${path}.schema`;
  if (value.type === "json_object") {
    if (value.schema !== undefined) throw invalidField(kind, at, "absent for json_object");
    return;
  }
  let schema: unknown;
  try {
    schema = JSON.parse(value.schema as string);
  } catch {
    throw invalidField(kind, at, "JSON text of a schema", value.schema);
  }
  try {
    checkJsonSchema(schema);
  } catch (error) {
    if (error instanceof InvalidJsonSchemaError)
      throw invalidField(kind, at, `a supported schema (${error.message})`);
    throw error;
  }
}

/** Exactly one of `messages` and `prompt`. */
export function refineInferRequest(value: Record<string, unknown>, kind: string): void {
  if ((value.messages === undefined) === (value.prompt === undefined)) {
    throw invalidField(kind, "prompt", "exactly one of messages and prompt");
  }
  // A stop string would cut a grammar-constrained answer into text that does not parse.
  if (value.response_format !== undefined && (value.stop as unknown[]).length > 0)
    throw invalidField(kind, "stop", "empty when response_format is present");
}

export const TOKEN_CHUNK_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "index", type: { t: "uint", max: INFER_MAX_TOKENS_MAX } },
  { name: "text", type: { t: "text", bytesMax: TOKEN_CHUNK_TEXT_BYTES_MAX } },
];

export const INFER_END_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "prompt_tokens", type: { t: "uint", max: INFER_PROMPT_TOKENS_MAX } },
  { name: "completion_tokens", type: { t: "uint", max: INFER_MAX_TOKENS_MAX } },
  { name: "finish_reason", type: { t: "enum", values: FINISH_REASONS } },
];

export const INFER_ERROR_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "code", type: { t: "enum", values: INFER_ERROR_CODES } },
  { name: "message", type: { t: "text", bytesMax: ERROR_MESSAGE_BYTES_MAX } },
  { name: "retry_after_ms", type: { t: "optional", of: { t: "uint", max: RETRY_AFTER_MS_MAX } } },
];
