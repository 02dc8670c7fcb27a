/**
 * Answers an OpenAI request with this node's own model (self-use, docs/architecture.md §2): the requested model
 * must be the loaded one, the generation is metered and tracked (`runLocalGeneration`), and the answer is
 * shaped for its endpoint (`answer.ts`), as JSON or SSE.
 * @module
 */
import type { Context } from "hono";
import type { Logger } from "pino";
import type { GenerationResult } from "@tirami/infer";
import type { EnginePort } from "../deps.js";
import { type AppEnv, spenderOf } from "../principal.js";
import { answer, type AnswerRequest, type Outcome, shapeOf } from "./answer.js";
import { type LocalGenerationDeps, runLocalGeneration, type XTirami } from "./generate.js";
import { engineFor, finishReasonOf, responseId, usageOf } from "./request.js";
import { logAnswer } from "./request-log.js";
import type { StreamSettings } from "./stream.js";

/** What a local answer needs. */
export interface LocalAnswerDeps extends LocalGenerationDeps, StreamSettings {
  engine(): EnginePort | undefined;
  logger: Logger;
}

/** The OpenAI outcome of a local generation. */
function localOutcome({ result, xTirami }: { result: GenerationResult; xTirami: XTirami }): Outcome {
  return { text: result.text, finishReason: finishReasonOf(result), usage: usageOf(result), xTirami };
}

/**
 * Generates with the local model and answers.
 * @throws {NodeError} MODEL_NOT_LOADED / MODEL_NOT_FOUND, and whatever the engine throws before streaming.
 */
export function answerLocally(
  c: Context<AppEnv>,
  deps: LocalAnswerDeps,
  request: AnswerRequest,
): Promise<Response> {
  const engine = engineFor(deps.engine(), request.model);
  const meta = {
    id: responseId(request.endpoint === "chat" ? "chatcmpl" : "cmpl"),
    created: Math.floor(deps.clock.nowMs() / 1_000),
    model: engine.manifest.id,
  };
  return answer(c, (request.shape ?? ((m) => shapeOf(request.endpoint, m)))(meta), {
    stream: request.stream,
    includeUsage: request.includeUsage,
    flushIntervalMs: deps.sseFlushIntervalMs,
    run: (signal, onText) =>
      runLocalGeneration(deps, {
        principal: c.get("principal"),
        endpoint: request.endpoint,
        engine,
        input: request.input,
        sampling: request.sampling,
        clientSignal: AbortSignal.any([signal, c.req.raw.signal]),
        onText,
      }),
    outcome: localOutcome,
    tools: request.tools,
    onAnswered: (outcome, timing) =>
      logAnswer(
        deps.logger,
        {
          requestId: c.get("requestId"),
          endpoint: request.endpoint,
          who: spenderOf(c.get("principal")),
          model: engine.manifest.id,
          servedBy: "local",
        },
        outcome,
        timing,
      ),
    onLateError: (error) =>
      deps.logger.error({ err: error, request_id: c.get("requestId") }, `${request.endpoint} stream failed`),
  });
}
