/**
 * The provider side of `/tirami/embed/1.0.0`: an `embed_request` goes through the same steps as a
 * generation (provider.ts: the peer's own request for the loaded model at an acceptable price, no unpaid
 * trade, admission, the worst case `costTrm(max_input_tokens, price)` held), then the engine embeds the
 * texts; more input tokens than the consumer would pay for is refused (INVALID_REQUEST), never billed. The
 * vectors go out in order, `EMBED_VECTORS_PER_FRAME_MAX` per `embed_vectors` frame, then `embed_end` with
 * the input tokens evaluated, and the trade is proposed and settled as for a generation, priced per input
 * token (`completion_tokens = 0`).
 * @module
 */
import { type AccountId, costTrm, isTiramiError } from "@tirami/core";
import type { FramedStream } from "@tirami/net";
import { decodeMessage, EMBED_VECTORS_PER_FRAME_MAX, type EmbedRequest, encodeMessage } from "@tirami/proto";
import type { MarketEngine } from "./engine.js";
import type { ProviderDeps, ProviderStats } from "./provider.js";
import { InferFailure } from "./provider-stream.js";
import { checkRequest, type ServedRequest } from "./served-request.js";

/** The parts of the provider an embeddings stream shares with generations. */
export interface EmbedProviderKit {
  deps: ProviderDeps;
  stats: ProviderStats;
  admit(request: ServedRequest, worstTrm: number): string | undefined;
  release(holdId: string | undefined): void;
  proposeAndSettle(
    stream: FramedStream,
    frames: AsyncIterator<Uint8Array>,
    request: ServedRequest,
    work: { promptTokens: number; completionTokens: number },
    holdId: string | undefined,
  ): Promise<void>;
}

/** Retry hint sent with BUSY. */
const BUSY_RETRY_AFTER_MS = 1_000;

/** A component as the wire takes it: in [-1, 1] and never -0 (the codec refuses -0 floats). */
function wireComponent(value: number): number {
  const clamped = Math.max(-1, Math.min(1, value));
  return clamped === 0 ? 0 : clamped;
}

async function embed(engine: MarketEngine, request: EmbedRequest, signal: AbortSignal) {
  try {
    return await engine.embed(request.inputs, { signal });
  } catch (error) {
    if (isTiramiError(error, "ENGINE_BUSY"))
      throw new InferFailure("BUSY", error.message, BUSY_RETRY_AFTER_MS);
    if (isTiramiError(error, "CONTEXT_LENGTH_EXCEEDED") || isTiramiError(error, "INVALID_GENERATION_OPTIONS"))
      throw new InferFailure("INVALID_REQUEST", error.message);
    throw new InferFailure("INTERNAL", "embedding failed");
  }
}

/** Sends the vectors in order, a few per frame, then `embed_end`. */
async function sendVectors(
  stream: FramedStream,
  request: EmbedRequest,
  result: { vectors: number[][]; prompt_tokens: number; dimensions: number },
): Promise<void> {
  for (let index = 0; index < result.vectors.length; index += EMBED_VECTORS_PER_FRAME_MAX) {
    const vectors = result.vectors
      .slice(index, index + EMBED_VECTORS_PER_FRAME_MAX)
      .map((vector) => vector.map(wireComponent));
    await stream.send(
      encodeMessage({ kind: "embed_vectors", request_id: request.request_id, index, vectors }),
    );
  }
  await stream.send(
    encodeMessage({
      kind: "embed_end",
      request_id: request.request_id,
      prompt_tokens: result.prompt_tokens,
      dimensions: result.dimensions,
    }),
  );
}

/** Serves one embeddings stream. */
export async function serveEmbeddings(
  kit: EmbedProviderKit,
  stream: FramedStream,
  from: AccountId,
  signal: AbortSignal,
): Promise<void> {
  const frames = stream[Symbol.asyncIterator]();
  const first = await frames.next();
  if (first.done === true) return;
  const request = decodeMessage(first.value, ["embed_request"]);
  kit.stats.requests += 1;
  let holdId: string | undefined;
  kit.deps.inFlight.begin();
  try {
    const engine = checkRequest(request, from, kit.deps.engine(), kit.deps.acceptablePrice(request.model_id));
    holdId = kit.admit(request, costTrm(request.max_input_tokens, request.price_trm_per_token));
    const result = await embed(engine, request, signal);
    if (result.prompt_tokens > request.max_input_tokens)
      throw new InferFailure(
        "INVALID_REQUEST",
        `the inputs are ${result.prompt_tokens} tokens, more than max_input_tokens ${request.max_input_tokens}`,
      );
    await sendVectors(stream, request, result);
    // Served work for the node's counters: input tokens, nothing generated.
    kit.deps.onServed?.({ promptTokens: result.prompt_tokens, completionTokens: 0, finish: "stop" });
    await kit.proposeAndSettle(
      stream,
      frames,
      request,
      { promptTokens: result.prompt_tokens, completionTokens: 0 },
      holdId,
    );
    holdId = undefined;
  } catch (error) {
    if (!(error instanceof InferFailure)) throw error;
    if (error.code === "INTERNAL") kit.stats.failed += 1;
    else kit.stats.refused += 1;
    if (!stream.signal.aborted)
      await stream
        .send(
          encodeMessage({
            kind: "infer_error",
            request_id: request.request_id,
            code: error.code,
            message: error.message.slice(0, 900),
            ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
          }),
        )
        .catch(() => undefined);
  } finally {
    kit.release(holdId);
    kit.deps.inFlight.end();
  }
}
