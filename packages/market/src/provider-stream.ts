/**
 * The provider's generation on one infer stream: runs the engine with the request's sampling and sends
 * its text as `token_chunk`s (index 0, 1, …), coalesced into few frames by a token sender
 * (`token-sender.ts`) so the engine never waits on the socket; a send that fails (the consumer went away)
 * is kept by the sender and rethrown after the generation.
 * @module
 */
import { isTiramiError } from "@tirami/core";
import type { FramedStream } from "@tirami/net";
import type { OutputFormat } from "@tirami/infer";
import type { InferErrorCode, InferRequest } from "@tirami/proto";
import type { MarketEngine } from "./engine.js";
import { createTokenSender } from "./token-sender.js";

/** A refusal or failure the provider reports to the consumer as `infer_error`. */
export class InferFailure extends Error {
  override name = "InferFailure";
  constructor(
    readonly code: InferErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Exact token counts of a finished generation. */
export interface GeneratedWork {
  promptTokens: number;
  completionTokens: number;
  finish: "stop" | "length";
}

/** The engine's form of the request's format (the wire checked the schema already). */
export function outputFormatOf(request: InferRequest): OutputFormat | undefined {
  const format = request.response_format;
  if (format === undefined) return undefined;
  return format.type === "json_object"
    ? { type: "json_object" }
    : { type: "json_schema", schema: JSON.parse(format.schema) as Record<string, unknown> };
}

/** Retry hint sent with BUSY. */
const BUSY_RETRY_AFTER_MS = 1_000;

/**
 * Generates `request` with `engine`, streaming text to `stream`, at most once per `chunkIntervalMs()` ms
 * after the first piece (see `chunkIntervalMs` in token-sender.ts).
 * @throws {InferFailure} BUSY, INVALID_REQUEST (context or options) or INTERNAL (failed or aborted).
 */
export async function streamGeneration(
  stream: FramedStream,
  engine: MarketEngine,
  request: InferRequest,
  signal: AbortSignal,
  chunkIntervalMs?: number | (() => number),
): Promise<GeneratedWork> {
  const tokens = createTokenSender({
    requestId: request.request_id,
    send: (frame) => stream.send(frame),
    intervalMs: chunkIntervalMs,
  });
  const options = {
    max_tokens: request.max_tokens,
    temperature: request.temperature,
    top_p: request.top_p,
    top_k: request.top_k,
    seed: request.seed,
    ...(request.stop.length > 0 ? { stop: request.stop } : {}),
    format: outputFormatOf(request),
    signal,
    onText: tokens.push,
  };
  let result;
  try {
    result =
      request.messages !== undefined
        ? await engine.chat(request.messages, options)
        : await engine.generate(request.prompt as string, options);
  } catch (error) {
    tokens.discard();
    if (isTiramiError(error, "ENGINE_BUSY"))
      throw new InferFailure("BUSY", error.message, BUSY_RETRY_AFTER_MS);
    if (isTiramiError(error, "CONTEXT_LENGTH_EXCEEDED") || isTiramiError(error, "INVALID_GENERATION_OPTIONS"))
      throw new InferFailure("INVALID_REQUEST", error.message);
    throw new InferFailure("INTERNAL", "generation failed");
  }
  if (result.finish_reason === "abort" || signal.aborted) {
    tokens.discard(); // the stream failed: nothing held can reach the consumer
    await tokens.end(); // rethrows a send that had already failed, as before
    throw new InferFailure("INTERNAL", "generation aborted");
  }
  await tokens.end();
  return {
    promptTokens: result.prompt_tokens,
    completionTokens: result.completion_tokens,
    finish: result.finish_reason,
  };
}
