/**
 * `POST /v1/completions`: the legacy text-completion endpoint over the same engine, one prompt per
 * request. Streaming sends `text_completion` chunks, an optional usage chunk, then `data: [DONE]`.
 * @module
 */
import { Hono } from "hono";
import type { Logger } from "pino";
import type { GenerationResult } from "@tirami/infer";
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
import { completionRequest, parseBody } from "../openai/schemas.js";
import { jsonAroundText } from "../openai/sse.js";
import { sseTargetOf, type StreamSettings, streamGeneration } from "../openai/stream.js";
import type { RemoteChat } from "../mesh/openai.js";
import type { AppEnv } from "../principal.js";

/** What the route needs. */
export interface CompletionsDeps extends LocalGenerationDeps, StreamSettings {
  engine(): EnginePort | undefined;
  maxTokensMax: number;
  logger: Logger;
  /** The mesh (issue #5): buys models this node does not serve from a provider. */
  remote?: RemoteChat | undefined;
}

/** Routes of the text completions endpoint. */
export function completionsRoutes(deps: CompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/completions", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(completionRequest, raw);
    if (deps.remote?.wants(body.model, raw, c.req.raw.headers) === true)
      return deps.remote.handleCompletion(c, body, raw);
    const maxTokens = maxTokensOf(body.max_tokens, deps.maxTokensMax);
    const engine = engineFor(deps.engine(), body.model);
    const prompt = typeof body.prompt === "string" ? body.prompt : (body.prompt[0] as string);
    const id = responseId("cmpl");
    const created = Math.floor(deps.clock.nowMs() / 1_000);
    const base = {
      id,
      object: "text_completion",
      created,
      model: engine.manifest.id,
      system_fingerprint: null,
    };
    const generate = (signal: AbortSignal, onText?: (text: string) => void) =>
      runLocalGeneration(deps, {
        principal: c.get("principal"),
        endpoint: "completions",
        engine,
        input: { prompt },
        sampling: { maxTokens, ...samplingOf(body) },
        clientSignal: AbortSignal.any([signal, c.req.raw.signal]),
        onText,
      });

    if (body.stream !== true) {
      const { result, xTirami } = await generate(new AbortController().signal);
      return c.json({
        ...base,
        choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: finishReasonOf(result) }],
        usage: usageOf(result),
        x_tirami: xTirami,
      });
    }
    const includeUsage = body.stream_options?.include_usage === true;
    return streamGeneration({
      target: sseTargetOf(c),
      flushIntervalMs: deps.sseFlushIntervalMs,
      run: (emit, signal) => generate(signal, emit),
      piece: jsonAroundText((text) => ({
        ...base,
        choices: [{ index: 0, text, logprobs: null, finish_reason: null }],
      })),
      tail: ({ result, xTirami }: { result: GenerationResult; xTirami: XTirami }) => {
        const finish = {
          ...base,
          choices: [{ index: 0, text: "", logprobs: null, finish_reason: finishReasonOf(result) }],
        };
        if (!includeUsage) return [{ ...finish, x_tirami: xTirami }];
        return [finish, { ...base, choices: [], usage: usageOf(result), x_tirami: xTirami }];
      },
      onLateError: (error) =>
        deps.logger.error({ err: error, request_id: c.get("requestId") }, "completion stream failed"),
    });
  });
  return app;
}
