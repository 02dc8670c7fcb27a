/**
 * The consumer's view of one `/tirami/embed/1.0.0` exchange as a state machine over decoded frames:
 *
 *   vectors  — `embed_vectors` in input order without gaps, each vector as wide as the first, then
 *              `embed_end` (exactly one vector per input, the width it states); `infer_error` ends the
 *              exchange with the provider's code;
 *   proposal — exactly one provider-signed `trade_proposal`;
 *   done     — nothing more is read.
 *
 * Anything else is a protocol violation (`InferSessionError`); the caller treats it as a provider failure.
 * @module
 */
import type { Message, MessageKind, Trade } from "@tirami/proto";
import { InferRefusal, InferSessionError } from "./infer-session.js";

const EXPECTED = {
  vectors: ["embed_vectors", "embed_end", "infer_error"],
  proposal: ["trade_proposal"],
  done: [],
} as const satisfies Record<string, readonly MessageKind[]>;

export type EmbedSessionPhase = keyof typeof EXPECTED;

/** What one exchange delivered. */
export interface EmbedSessionResult {
  vectors: number[][];
  promptTokens: number;
  dimensions: number;
  proposal: { trade: Trade; provider_signature: string } | undefined;
}

/** One exchange, fed frame by frame. */
export class EmbedSession {
  #phase: EmbedSessionPhase = "vectors";
  readonly #requestId: string;
  readonly #inputs: number;
  readonly #result: EmbedSessionResult = { vectors: [], promptTokens: 0, dimensions: 0, proposal: undefined };

  /** `inputs`: how many texts were sent (one vector each is expected). */
  constructor(requestId: string, inputs: number) {
    this.#requestId = requestId;
    this.#inputs = inputs;
  }

  get phase(): EmbedSessionPhase {
    return this.#phase;
  }

  /** The frame kinds the current phase reads (for `decodeMessage`). */
  expects(): readonly MessageKind[] {
    return EXPECTED[this.#phase];
  }

  result(): EmbedSessionResult {
    return this.#result;
  }

  /**
   * Applies one decoded frame.
   * @throws {InferRefusal} for `infer_error`; {InferSessionError} for any protocol violation.
   */
  accept(message: Message): void {
    if (!(EXPECTED[this.#phase] as readonly string[]).includes(message.kind))
      throw new InferSessionError(`unexpected ${message.kind} in phase ${this.#phase}`);
    switch (message.kind) {
      case "infer_error":
        this.#phase = "done";
        throw new InferRefusal(message);
      case "embed_vectors":
        this.#ownRequest(message.request_id);
        if (message.index !== this.#result.vectors.length)
          throw new InferSessionError(
            `vectors from ${message.index} arrived, expected ${this.#result.vectors.length}`,
          );
        for (const vector of message.vectors) {
          const width = this.#result.vectors[0]?.length ?? vector.length;
          if (vector.length !== width) throw new InferSessionError("vectors of different widths");
          if (this.#result.vectors.length >= this.#inputs)
            throw new InferSessionError("more vectors than inputs");
          this.#result.vectors.push(vector);
        }
        return;
      case "embed_end":
        this.#ownRequest(message.request_id);
        if (this.#result.vectors.length !== this.#inputs)
          throw new InferSessionError(`${this.#result.vectors.length} vectors for ${this.#inputs} inputs`);
        if (message.dimensions !== this.#result.vectors[0]?.length)
          throw new InferSessionError(`embed_end says ${message.dimensions} dimensions`);
        this.#result.promptTokens = message.prompt_tokens;
        this.#result.dimensions = message.dimensions;
        this.#phase = "proposal";
        return;
      case "trade_proposal":
        this.#result.proposal = { trade: message.trade, provider_signature: message.provider_signature };
        this.#phase = "done";
        return;
      default:
        throw new InferSessionError(`unexpected ${message.kind}`);
    }
  }

  #ownRequest(requestId: string): void {
    if (requestId !== this.#requestId) throw new InferSessionError("a frame of another request");
  }
}
