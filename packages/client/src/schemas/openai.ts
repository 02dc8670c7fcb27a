/**
 * Request schemas of the OpenAI-compatible endpoints (zod), with explicit caps on every size and count —
 * the one definition both the node (which validates every request with them) and this client (which
 * checks before sending) use. Unknown fields are ignored (clients send many optional ones), but every
 * field that would change the answer and that the node does not implement (`n > 1`, logprobs,
 * penalties) is refused rather than silently ignored. Tool and `response_format` JSON schemas are
 * checked by the node's grammar compiler, not here.
 * @module
 */
import { z } from "zod";
import {
  CONTENT_CHARS_MAX,
  EMBEDDING_INPUT_CHARS_MAX,
  MESSAGES_MAX,
  MODEL_ID_CHARS_MAX,
  STOP_SEQUENCE_CHARS_MAX,
  STOP_SEQUENCES_MAX,
} from "../limits.js";

const TOP_K_MAX = 1_000;

const textPart = z.object({ type: z.literal("text"), text: z.string().max(CONTENT_CHARS_MAX) });
const content = z.union([z.string().max(CONTENT_CHARS_MAX), z.array(textPart).max(64)]);

const TOOL_CALL_ID_CHARS_MAX = 128;
const TOOL_ARGUMENTS_CHARS_MAX = CONTENT_CHARS_MAX;

const toolCall = z.object({
  id: z.string().min(1).max(TOOL_CALL_ID_CHARS_MAX),
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1).max(64),
    arguments: z.string().max(TOOL_ARGUMENTS_CHARS_MAX),
  }),
});

/** One chat message. */
export const chatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: content.nullable().optional(),
  name: z.string().max(64).optional(),
  tool_calls: z.array(toolCall).max(64).optional(),
  tool_call_id: z.string().min(1).max(TOOL_CALL_ID_CHARS_MAX).optional(),
});

/** A JSON schema object; its keywords are checked by `checkJsonSchema` (@tirami/core). */
const schemaObject = z.record(z.string(), z.unknown());

const tool = z.object({
  type: z.literal("function", { message: "only function tools are supported" }),
  function: z.object({
    name: z.string().min(1).max(64),
    description: z.string().max(CONTENT_CHARS_MAX).optional(),
    parameters: schemaObject.optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1).max(64) }) }),
]);

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().max(CONTENT_CHARS_MAX).optional(),
      schema: schemaObject,
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const stop = z.union([
  z.string().min(1).max(STOP_SEQUENCE_CHARS_MAX),
  z.array(z.string().min(1).max(STOP_SEQUENCE_CHARS_MAX)).max(STOP_SEQUENCES_MAX),
]);

const unsupportedZero = z
  .number()
  .refine((value) => value === 0, { message: "is not supported by this node (only 0)" });

/**
 * The node's extension of a request: routing (`route`: cost, quality or balanced; `provider`: an account
 * to buy from) and the redemption of a safety approval on retry (`request_id`, `approval_id`). The node
 * checks each field's value where it reads them (apps/node's route hints); here they are typed.
 */
export const tiramiHints = z.looseObject({
  route: z.enum(["cost", "quality", "balanced"]).nullable().optional(),
  provider: z.string().nullable().optional(),
  request_id: z.string().nullable().optional(),
  approval_id: z.string().nullable().optional(),
});
export type TiramiHints = z.infer<typeof tiramiHints>;

/** Sampling and control fields shared by chat and text completions. */
const common = {
  /** Optional when the node serves exactly one model (its loaded one). */
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  max_tokens: z.int().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.int().min(0).max(TOP_K_MAX).optional(),
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  stop: stop.nullable().optional(),
  n: z.literal(1, { message: "n must be 1: this node returns one choice per request" }).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  frequency_penalty: unsupportedZero.optional(),
  presence_penalty: unsupportedZero.optional(),
  logprobs: z.union([z.literal(false), z.null()], { message: "logprobs are not supported" }).optional(),
  user: z.string().max(256).optional(),
  x_tirami: tiramiHints.optional(),
};

/** `POST /v1/chat/completions` body. */
export const chatCompletionRequest = z.object({
  ...common,
  messages: z.array(chatMessage).min(1, { message: "messages must not be empty" }).max(MESSAGES_MAX),
  max_completion_tokens: z.int().min(1).optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** `POST /v1/completions` body: one prompt string (or a one-element list). */
export const completionRequest = z.object({
  ...common,
  prompt: z.union([
    z.string().min(1, { message: "prompt must not be empty" }).max(CONTENT_CHARS_MAX),
    z
      .array(z.string().min(1).max(CONTENT_CHARS_MAX))
      .length(1, { message: "exactly one prompt per request is supported" }),
  ]),
  echo: z.literal(false, { message: "echo is not supported" }).optional(),
  suffix: z.null({ message: "suffix is not supported" }).optional(),
  best_of: z.literal(1, { message: "best_of must be 1" }).optional(),
});
export type CompletionRequest = z.infer<typeof completionRequest>;

/** Texts per embeddings request (the engine's own bound, `EMBED_INPUTS_MAX` of @tirami/infer, is equal). */
export const EMBEDDING_INPUTS_MAX = 2_048;

/** `POST /v1/embeddings` body. OpenAI's token-array inputs are refused by the node with a clear error. */
export const embeddingsRequest = z.object({
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  input: z.union([
    z.string().min(1).max(EMBEDDING_INPUT_CHARS_MAX),
    z.array(z.string().min(1).max(EMBEDDING_INPUT_CHARS_MAX)).min(1).max(EMBEDDING_INPUTS_MAX),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.int().min(1).max(1_048_576).optional(),
  user: z.string().max(256).optional(),
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequest>;
