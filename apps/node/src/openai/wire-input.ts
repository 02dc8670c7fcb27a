/**
 * The HTTP boundary's copy of nothing: an OpenAI request is checked with the wire's own rules for an
 * `infer_request` (`checkInferInput` from @tirami/proto — well-formed text without lone surrogates, byte
 * bounds, sampling ranges, the frame limit), whether this node answers it or buys it from the mesh, so a
 * request is valid on every node alike and nothing invalid ever reaches a peer (docs/architecture.md §8).
 * A refusal is 400 `invalid_request_error` naming the field in the request's own terms.
 * @module
 */
import { checkInferInput, type InferInput, ProtoError } from "@tirami/proto";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { AnswerRequest } from "./answer.js";

/** Seeds travel as u32 (llama.cpp's sampler seed): a larger request seed is taken modulo 2^32. */
export const WIRE_SEED_MODULUS = 0x1_0000_0000;

/** The wire's view of `request`: what the purchase would send a provider (seed reduced to the wire's range). */
export function wireInputOf(request: AnswerRequest): InferInput {
  const { maxTokens, temperature, topP, topK, seed, stop } = request.sampling;
  return {
    ...("messages" in request.input
      ? { messages: request.input.messages }
      : { prompt: request.input.prompt }),
    max_tokens: maxTokens,
    temperature,
    top_p: topP,
    top_k: topK,
    seed: seed === undefined ? undefined : seed % WIRE_SEED_MODULUS,
    stop,
  };
}

/** `messages[2].content` (the wire's path) as `messages.2.content` (the request's, as zod names it). */
function paramOf(field: unknown): string | undefined {
  if (typeof field !== "string" || field === "(message)") return undefined;
  return field.replace(/\[(\d+)\]/g, ".$1");
}

/**
 * Throws unless `request` would cross the wire as it is.
 * @throws {NodeError} INVALID_REQUEST (400) naming the field (`param`).
 */
export function assertWireInput(request: AnswerRequest): void {
  try {
    checkInferInput(wireInputOf(request));
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    const param = paramOf(error.details?.field);
    const reason = error.message.replace(/^infer_request: /, "");
    throw new NodeError(
      NodeErrorCode.INVALID_REQUEST,
      param === undefined ? `request cannot be sent: ${reason}` : `${param}: ${reason}`,
      { cause: error, ...(param === undefined ? {} : { param }) },
    );
  }
}
