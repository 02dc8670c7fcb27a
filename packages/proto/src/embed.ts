/**
 * Frames of the embeddings stream (`/tirami/embed/1.0.0`, docs/architecture.md §7): the consumer sends one
 * `embed_request` with the texts, the most input tokens it will pay for and its quoted price per input
 * token; the provider answers with `embed_vectors` frames (vectors in input order, a few per frame) and
 * one `embed_end` with the exact input tokens it evaluated — or one `infer_error`. The trade handshake of
 * settle.ts follows, priced per input token: `amount_trm = ceil(prompt_tokens × price)`,
 * `completion_tokens = 0`.
 * @module
 */
import { type AccountId, PUBLIC_KEY_BYTES } from "@tirami/core";
import {
  EMBED_DIMENSIONS_MAX,
  EMBED_INPUTS_MAX,
  EMBED_VECTORS_PER_FRAME_MAX,
  INFER_CONTENT_BYTES_MAX,
  INFER_PROMPT_TOKENS_MAX,
} from "./constants.js";
import { MODEL_ID_LENGTH_MAX, REQUEST_ID_LENGTH_MAX } from "./ids.js";
import type { Field, FieldType } from "./schema.js";
import { PRICE_TRM_PER_TOKEN_MAX } from "./trade.js";

/** Consumer → provider: embed these texts at this price per input token. */
export interface EmbedRequest {
  kind: "embed_request";
  request_id: string;
  consumer: AccountId;
  model_id: string;
  inputs: string[];
  /** Most input tokens the consumer pays for (its hold); more is refused, never billed. */
  max_input_tokens: number;
  /** TRM per input token the consumer accepts; the trade's price must equal it. */
  price_trm_per_token: number;
  timestamp_ms: number;
}

/** Provider → consumer: the vectors of inputs `index`, `index + 1`, … (in order, without gaps). */
export interface EmbedVectors {
  kind: "embed_vectors";
  request_id: string;
  index: number;
  /** Unit-length vectors, components in [-1, 1]. */
  vectors: number[][];
}

/** Provider → consumer: every vector was sent; the input tokens the trade will bill. */
export interface EmbedEnd {
  kind: "embed_end";
  request_id: string;
  prompt_tokens: number;
  dimensions: number;
}

const requestId: FieldType = { t: "id", lengthMax: REQUEST_ID_LENGTH_MAX };

export const EMBED_REQUEST_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "consumer", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
  { name: "model_id", type: { t: "id", lengthMax: MODEL_ID_LENGTH_MAX } },
  {
    name: "inputs",
    type: {
      t: "list",
      min: 1,
      max: EMBED_INPUTS_MAX,
      of: { t: "text", bytesMin: 1, bytesMax: INFER_CONTENT_BYTES_MAX },
    },
  },
  { name: "max_input_tokens", type: { t: "uint", min: 1, max: INFER_PROMPT_TOKENS_MAX } },
  { name: "price_trm_per_token", type: { t: "float", min: 0, max: PRICE_TRM_PER_TOKEN_MAX } },
  { name: "timestamp_ms", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
];

export const EMBED_VECTORS_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "index", type: { t: "uint", max: EMBED_INPUTS_MAX - 1 } },
  {
    name: "vectors",
    type: {
      t: "list",
      min: 1,
      max: EMBED_VECTORS_PER_FRAME_MAX,
      of: { t: "list", min: 1, max: EMBED_DIMENSIONS_MAX, of: { t: "float", min: -1, max: 1 } },
    },
  },
];

export const EMBED_END_FIELDS: readonly Field[] = [
  { name: "request_id", type: requestId },
  { name: "prompt_tokens", type: { t: "uint", min: 1, max: INFER_PROMPT_TOKENS_MAX } },
  { name: "dimensions", type: { t: "uint", min: 1, max: EMBED_DIMENSIONS_MAX } },
];
