/**
 * Ollama requests as the OpenAI requests they are, so `/api/chat` and `/api/generate` share the chat and
 * text completion schemas, limits and answer path: messages (with Ollama's tool calls, whose arguments
 * are objects and which carry no ids — ids are given here and tool results answer them in order),
 * `tools`, `format` (`"json"` → `json_object`, a schema → `json_schema`) and `options`. Options that
 * would change the answer and this engine does not offer (penalties, mirostat, min_p, …) are refused; the
 * runtime knobs Ollama clients send (`num_ctx`, `num_thread`, …) are ignored, since the operator sets
 * them for the node.
 * @module
 */
import { z } from "zod";
import { CONTENT_CHARS_MAX, MESSAGES_MAX, MODEL_ID_CHARS_MAX, STOP_SEQUENCES_MAX } from "../constants.js";
import { NodeError, NodeErrorCode } from "../errors.js";

const IGNORED_OPTIONS = new Set([
  "num_ctx",
  "num_thread",
  "num_gpu",
  "num_batch",
  "main_gpu",
  "use_mmap",
  "use_mlock",
  "numa",
  "low_vram",
  "num_keep",
  "vocab_only",
]);

const options = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    top_k: z.int().min(0).max(1_000).optional(),
    seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    num_predict: z.int().min(-2).optional(),
    stop: z.array(z.string().min(1).max(256)).max(STOP_SEQUENCES_MAX).optional(),
  })
  .catchall(z.unknown())
  .superRefine((value, context) => {
    for (const key of Object.keys(value))
      if (
        !["temperature", "top_p", "top_k", "seed", "num_predict", "stop"].includes(key) &&
        !IGNORED_OPTIONS.has(key)
      )
        context.addIssue({
          code: "custom",
          path: [key],
          message: "this option is not supported by this node",
        });
  });

const format = z.union([z.literal(""), z.literal("json"), z.record(z.string(), z.unknown())]);

const noImages = z.array(z.unknown()).max(0, { message: "images are not supported" }).optional();

const message = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().max(CONTENT_CHARS_MAX).optional(),
  images: noImages,
  tool_calls: z
    .array(
      z.object({
        function: z.object({ name: z.string().min(1).max(64), arguments: z.record(z.string(), z.unknown()) }),
      }),
    )
    .max(64)
    .optional(),
  tool_name: z.string().max(64).optional(),
});

const common = {
  model: z.string().min(1).max(MODEL_ID_CHARS_MAX).optional(),
  format: format.optional(),
  options: options.optional(),
  stream: z.boolean().optional(),
  keep_alive: z.union([z.string().max(32), z.number()]).optional(),
  think: z.literal(false, { message: "thinking is not supported" }).optional(),
};

/** `POST /api/chat` body. */
export const ollamaChatRequest = z.object({
  ...common,
  messages: z.array(message).max(MESSAGES_MAX),
  tools: z
    .array(
      z.object({
        type: z.literal("function"),
        function: z.object({
          name: z.string().min(1).max(64),
          description: z.string().max(CONTENT_CHARS_MAX).optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    )
    .max(128)
    .optional(),
});
export type OllamaChatRequest = z.infer<typeof ollamaChatRequest>;

/** `POST /api/generate` body. */
export const ollamaGenerateRequest = z.object({
  ...common,
  prompt: z.string().max(CONTENT_CHARS_MAX).optional(),
  system: z.string().max(CONTENT_CHARS_MAX).optional(),
  raw: z.boolean().optional(),
  images: noImages,
  suffix: z.literal("", { message: "suffix is not supported" }).optional(),
  template: z
    .literal("", { message: "template is not supported: the node uses the model's chat format" })
    .optional(),
  context: z
    .array(z.number())
    .max(0, { message: "context is not supported; send the conversation to /api/chat" })
    .optional(),
});
export type OllamaGenerateRequest = z.infer<typeof ollamaGenerateRequest>;

/** Sampling and output fields in OpenAI form. */
function openAiFieldsOf(body: {
  format?: z.infer<typeof format> | undefined;
  options?: z.infer<typeof options> | undefined;
}) {
  const o = body.options ?? {};
  const numPredict = o.num_predict as number | undefined;
  return {
    ...(numPredict === undefined || numPredict <= 0 ? {} : { max_tokens: numPredict }),
    ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
    ...(o.top_p === undefined ? {} : { top_p: o.top_p }),
    ...(o.top_k === undefined ? {} : { top_k: o.top_k }),
    ...(o.seed === undefined ? {} : { seed: o.seed }),
    ...(o.stop === undefined || (o.stop as string[]).length === 0 ? {} : { stop: o.stop }),
    ...(body.format === undefined || body.format === ""
      ? {}
      : body.format === "json"
        ? { response_format: { type: "json_object" } }
        : { response_format: { type: "json_schema", json_schema: { name: "format", schema: body.format } } }),
  };
}

/** The chat completion body of an `/api/chat` request. */
export function chatBodyOfOllama(body: OllamaChatRequest): unknown {
  const pending: string[] = [];
  let next = 0;
  const messages = body.messages.map((m) => {
    if (m.role === "assistant" && m.tool_calls !== undefined && m.tool_calls.length > 0) {
      const tool_calls = m.tool_calls.map((call) => {
        const id = `call_ollama_${next++}`;
        pending.push(id);
        return {
          id,
          type: "function",
          function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
        };
      });
      return { role: "assistant", content: m.content ?? null, tool_calls };
    }
    if (m.role === "tool") {
      const id = pending.shift();
      if (id === undefined)
        throw new NodeError(
          NodeErrorCode.INVALID_REQUEST,
          "messages: a tool message answers no earlier tool call",
          {
            param: "messages",
          },
        );
      return { role: "tool", tool_call_id: id, content: m.content ?? "" };
    }
    return { role: m.role, content: m.content ?? "" };
  });
  return {
    model: body.model,
    messages,
    ...(body.tools === undefined ? {} : { tools: body.tools }),
    ...openAiFieldsOf(body),
  };
}

/** The request an `/api/generate` call is: a chat turn (the model's format), or with `raw` a completion. */
export function generateBodyOfOllama(body: OllamaGenerateRequest): {
  endpoint: "chat" | "completions";
  body: unknown;
} {
  const fields = openAiFieldsOf(body);
  if (body.raw === true) {
    if (body.format !== undefined && body.format !== "")
      throw new NodeError(NodeErrorCode.INVALID_REQUEST, "format needs the model's chat format: drop raw", {
        param: "format",
      });
    return { endpoint: "completions", body: { model: body.model, prompt: body.prompt, ...fields } };
  }
  const messages = [
    ...(body.system === undefined ? [] : [{ role: "system", content: body.system }]),
    { role: "user", content: body.prompt },
  ];
  return { endpoint: "chat", body: { model: body.model, messages, ...fields } };
}
