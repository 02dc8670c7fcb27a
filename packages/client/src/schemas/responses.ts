/**
 * Request schema of the Responses API (`POST /v1/responses`), the one definition the node validates with
 * and the client checks before sending: text input, function tools, structured output, stored responses
 * chained by `previous_response_id`. Fields the node does not implement are refused, not ignored.
 * @module
 */
import { z } from "zod";
import { CONTENT_CHARS_MAX, MESSAGES_MAX, MODEL_ID_CHARS_MAX } from "../limits.js";

const ID_CHARS_MAX = 128;

const textPart = z.object({
  type: z.enum(["input_text", "output_text"], { message: "only text content is supported" }),
  text: z.string().max(CONTENT_CHARS_MAX),
});

const messageItem = z.object({
  type: z.literal("message").optional(),
  id: z.string().max(ID_CHARS_MAX).optional(),
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string().max(CONTENT_CHARS_MAX), z.array(textPart).max(64)]),
  status: z.string().max(32).optional(),
});

const functionCallItem = z.object({
  type: z.literal("function_call"),
  id: z.string().max(ID_CHARS_MAX).optional(),
  call_id: z.string().min(1).max(ID_CHARS_MAX),
  name: z.string().min(1).max(64),
  arguments: z.string().max(CONTENT_CHARS_MAX),
  status: z.string().max(32).optional(),
});

const functionCallOutputItem = z.object({
  type: z.literal("function_call_output"),
  id: z.string().max(ID_CHARS_MAX).optional(),
  call_id: z.string().min(1).max(ID_CHARS_MAX),
  output: z.string().max(CONTENT_CHARS_MAX),
  status: z.string().max(32).optional(),
});

/** One input item: a message, an earlier function call, or a function's output. */
export const inputItem = z.union([messageItem, functionCallItem, functionCallOutputItem]);
export type InputItem = z.infer<typeof inputItem>;

const tool = z.object({
  type: z.literal("function", { message: "only function tools are supported" }),
  name: z.string().min(1).max(64),
  description: z.string().max(CONTENT_CHARS_MAX).nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

const textFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().max(CONTENT_CHARS_MAX).optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

/** `POST /v1/responses` body. */
export const responsesRequest = z.object({
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  input: z.union([
    z.string().max(CONTENT_CHARS_MAX),
    z.array(inputItem).min(1, { message: "input must not be empty" }).max(MESSAGES_MAX),
  ]),
  instructions: z.string().max(CONTENT_CHARS_MAX).nullable().optional(),
  max_output_tokens: z.int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: z
    .union([
      z.enum(["auto", "none", "required"]),
      z.object({ type: z.literal("function"), name: z.string().min(1).max(64) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z.object({ format: textFormat.optional() }).optional(),
  stream: z.boolean().nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().min(1).max(ID_CHARS_MAX).nullable().optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
  user: z.string().max(256).optional(),
  truncation: z
    .literal("disabled", { message: "only truncation disabled is supported" })
    .nullable()
    .optional(),
  reasoning: z.null({ message: "reasoning is not supported" }).optional(),
  background: z.literal(false, { message: "background responses are not supported" }).nullable().optional(),
  include: z.array(z.string()).max(0, { message: "include is not supported" }).nullable().optional(),
});
export type ResponsesRequest = z.infer<typeof responsesRequest>;
