/**
 * `POST /v1/chat/completions` (reference §3.3), streaming and not. Non-streaming answers one
 * `chat.completion`; streaming sends a role chunk, one chunk per piece of text, a finish chunk, with
 * `stream_options.include_usage` a usage chunk (`choices: []`), then `data: [DONE]`. `x_tirami` rides on
 * the response body, and on the last chunk of a stream.
 * @module
 */
import { Hono } from "hono";
import type { Logger } from "pino";
import type { ChatMessage, GenerationResult } from "@tirami/infer";
import type { EnginePort } from "../deps.js";
import { runLocalGeneration, type LocalGenerationDeps, type XTirami } from "../openai/generate.js";
import { readJsonBody } from "../openai/json-body.js";
import {
  engineFor,
  finishReasonOf,
  maxTokensOf,
  responseId,
  samplingOf,
  usageOf,
} from "../openai/request.js";
import {
  chatCompletionRequest,
  type ChatCompletionRequest,
  contentText,
  parseBody,
} from "../openai/schemas.js";
import { jsonAroundText } from "../openai/sse.js";
import { sseTargetOf, type StreamSettings, streamGeneration } from "../openai/stream.js";
import type { RemoteChat } from "../mesh/openai.js";
import type { AppEnv } from "../principal.js";

/** What the route needs. */
export interface ChatCompletionsDeps extends LocalGenerationDeps, StreamSettings {
  engine(): EnginePort | undefined;
  maxTokensMax: number;
  logger: Logger;
  /** The mesh (issue #5): buys models this node does not serve from a provider. */
  remote?: RemoteChat | undefined;
}

/** OpenAI roles → the three the engine knows; `developer` is the newer name of `system`. */
function messagesOf(body: ChatCompletionRequest): ChatMessage[] {
  return body.messages.map((message) => ({
    role: message.role === "developer" ? "system" : message.role,
    content: contentText(message.content),
  }));
}

/** Routes of the chat completions endpoint. */
export function chatCompletionsRoutes(deps: ChatCompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/chat/completions", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(chatCompletionRequest, raw);
    if (deps.remote?.wants(body.model, raw, c.req.raw.headers) === true)
      return deps.remote.handle(c, body, raw);
    const maxTokens = maxTokensOf(
      body.max_completion_tokens ?? body.max_tokens,
      deps.maxTokensMax,
      body.max_completion_tokens === undefined ? "max_tokens" : "max_completion_tokens",
    );
    const engine = engineFor(deps.engine(), body.model);
    const id = responseId("chatcmpl");
    const created = Math.floor(deps.clock.nowMs() / 1_000);
    const base = {
      id,
      object: "chat.completion.chunk",
      created,
      model: engine.manifest.id,
      system_fingerprint: null,
    };
    const generate = (signal: AbortSignal, onText?: (text: string) => void) =>
      runLocalGeneration(deps, {
        principal: c.get("principal"),
        endpoint: "chat",
        engine,
        input: { messages: messagesOf(body) },
        sampling: { maxTokens, ...samplingOf(body) },
        clientSignal: AbortSignal.any([signal, c.req.raw.signal]),
        onText,
      });

    if (body.stream !== true) {
      const { result, xTirami } = await generate(new AbortController().signal);
      return c.json({
        id,
        object: "chat.completion",
        created,
        model: engine.manifest.id,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: result.text, refusal: null },
            logprobs: null,
            finish_reason: finishReasonOf(result),
          },
        ],
        usage: usageOf(result),
        x_tirami: xTirami,
      });
    }
    const includeUsage = body.stream_options?.include_usage === true;
    return streamGeneration({
      target: sseTargetOf(c),
      flushIntervalMs: deps.sseFlushIntervalMs,
      run: (emit, signal) => generate(signal, emit),
      head: () => ({
        ...base,
        choices: [
          { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
        ],
      }),
      piece: jsonAroundText((text) => ({
        ...base,
        choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
      })),
      tail: ({ result, xTirami }: { result: GenerationResult; xTirami: XTirami }) => {
        const finish = {
          ...base,
          choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReasonOf(result) }],
        };
        if (!includeUsage) return [{ ...finish, x_tirami: xTirami }];
        return [finish, { ...base, choices: [], usage: usageOf(result), x_tirami: xTirami }];
      },
      onLateError: (error) =>
        deps.logger.error({ err: error, request_id: c.get("requestId") }, "chat stream failed"),
    });
  });
  return app;
}
