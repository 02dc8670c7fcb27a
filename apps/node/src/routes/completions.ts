/**
 * `POST /v1/completions` (reference §3.3): one prompt, streaming or not, shaped by `openai/answer.ts`. A
 * model this node does not serve (or an explicit routing preference) goes to the mesh (`mesh/openai.ts`).
 * @module
 */
import { Hono } from "hono";
import type { Logger } from "pino";
import type { EnginePort } from "../deps.js";
import type { RemoteChat } from "../mesh/openai.js";
import { answer, completionShape } from "../openai/answer.js";
import { localOutcome, runLocalGeneration, type LocalGenerationDeps } from "../openai/generate.js";
import { readJsonBody } from "../openai/json-body.js";
import { engineFor, maxTokensOf, promptOf, responseId, samplingOf } from "../openai/request.js";
import { completionRequest, parseBody } from "../openai/schemas.js";
import type { StreamSettings } from "../openai/stream.js";
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
    const meta = {
      id: responseId("cmpl"),
      created: Math.floor(deps.clock.nowMs() / 1_000),
      model: engine.manifest.id,
    };
    return answer(c, completionShape(meta), {
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      flushIntervalMs: deps.sseFlushIntervalMs,
      run: (signal, onText) =>
        runLocalGeneration(deps, {
          principal: c.get("principal"),
          endpoint: "completions",
          engine,
          input: { prompt: promptOf(body) },
          sampling: { maxTokens, ...samplingOf(body) },
          clientSignal: AbortSignal.any([signal, c.req.raw.signal]),
          onText,
        }),
      outcome: localOutcome,
      onLateError: (error) =>
        deps.logger.error({ err: error, request_id: c.get("requestId") }, "completion stream failed"),
    });
  });
  return app;
}
