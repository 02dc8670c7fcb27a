/**
 * The provider's generation on one infer stream: runs the engine with the request's sampling and sends
 * each piece of text as a `token_chunk` (index 0, 1, …) as it is produced. Sends are chained so chunks
 * leave in order without the engine waiting on the socket; a send that fails (the consumer went away) is
 * observed at once and rethrown after the generation.
 * @module
 */
import { isTiramiError } from "@tirami/core";
import type { FramedStream } from "@tirami/net";
import { encodeMessage, type InferErrorCode, type InferRequest } from "@tirami/proto";
import type { MarketEngine } from "./engine.js";

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

/** Retry hint sent with BUSY. */
const BUSY_RETRY_AFTER_MS = 1_000;

/**
 * Generates `request` with `engine`, streaming text to `stream`.
 * @throws {InferFailure} BUSY, INVALID_REQUEST (context or options) or INTERNAL (failed or aborted).
 */
export async function streamGeneration(
  stream: FramedStream,
  engine: MarketEngine,
  request: InferRequest,
  signal: AbortSignal,
): Promise<GeneratedWork> {
  let index = 0;
  let sending: Promise<void> = Promise.resolve();
  const onText = (text: string): void => {
    const chunk = encodeMessage({
      kind: "token_chunk",
      request_id: request.request_id,
      index: index++,
      text,
    });
    sending = sending.then(() => stream.send(chunk));
    sending.catch(() => undefined);
  };
  const options = {
    max_tokens: request.max_tokens,
    temperature: request.temperature,
    top_p: request.top_p,
    top_k: request.top_k,
    seed: request.seed,
    ...(request.stop.length > 0 ? { stop: request.stop } : {}),
    signal,
    onText,
  };
  let result;
  try {
    result =
      request.messages !== undefined
        ? await engine.chat(request.messages, options)
        : await engine.generate(request.prompt as string, options);
  } catch (error) {
    if (isTiramiError(error, "ENGINE_BUSY"))
      throw new InferFailure("BUSY", error.message, BUSY_RETRY_AFTER_MS);
    if (isTiramiError(error, "CONTEXT_LENGTH_EXCEEDED") || isTiramiError(error, "INVALID_GENERATION_OPTIONS"))
      throw new InferFailure("INVALID_REQUEST", error.message);
    throw new InferFailure("INTERNAL", "generation failed");
  }
  await sending;
  if (result.finish_reason === "abort" || signal.aborted)
    throw new InferFailure("INTERNAL", "generation aborted");
  return {
    promptTokens: result.prompt_tokens,
    completionTokens: result.completion_tokens,
    finish: result.finish_reason,
  };
}
