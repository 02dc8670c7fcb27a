/**
 * The consumer's view of one `/tirami/infer/1.0.0` exchange as a state machine over decoded frames:
 *
 *   tokens   — `token_chunk`s in index order 0, 1, …, then `infer_end` with the exact token counts
 *              (`infer_error` ends the exchange with the provider's code);
 *   proposal — after an `infer_end` with completion tokens, exactly one provider-signed `trade_proposal`;
 *   done     — nothing more is read (an `infer_end` with no completion tokens has nothing to pay for).
 *
 * A frame of another request, out of order or of a kind the phase does not expect is a protocol
 * violation (`InferSessionError`); the caller treats it as a provider failure.
 * @module
 */
import type { InferError, Message, MessageKind, Trade } from "@tirami/proto";

/** Kinds of frames the consumer reads in each phase. */
const EXPECTED = {
  tokens: ["token_chunk", "infer_end", "infer_error"],
  proposal: ["trade_proposal"],
  done: [],
} as const satisfies Record<string, readonly MessageKind[]>;

export type InferSessionPhase = keyof typeof EXPECTED;

/** A provider that broke the protocol. */
export class InferSessionError extends Error {
  override name = "InferSessionError";
}

/** A provider's `infer_error`, as received. */
export class InferRefusal extends Error {
  override name = "InferRefusal";
  constructor(readonly error: InferError) {
    super(error.message);
  }
}

/** What one exchange delivered. */
export interface InferSessionResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: "stop" | "length";
  proposal: { trade: Trade; provider_signature: string } | undefined;
}

/** One exchange, fed frame by frame. */
export class InferSession {
  #phase: InferSessionPhase = "tokens";
  #nextIndex = 0;
  readonly #requestId: string;
  readonly #result: InferSessionResult = {
    text: "",
    promptTokens: 0,
    completionTokens: 0,
    finishReason: "stop",
    proposal: undefined,
  };

  constructor(requestId: string) {
    this.#requestId = requestId;
  }

  get phase(): InferSessionPhase {
    return this.#phase;
  }

  /** The frame kinds the current phase reads (for `decodeMessage`). */
  expects(): readonly MessageKind[] {
    return EXPECTED[this.#phase];
  }

  /** What was delivered so far (complete once `phase` is `done`). */
  result(): InferSessionResult {
    return this.#result;
  }

  /**
   * Applies one decoded frame; returns the text it carries ("" for none).
   * @throws {InferRefusal} for `infer_error`; {InferSessionError} for any protocol violation.
   */
  accept(message: Message): string {
    if (!(EXPECTED[this.#phase] as readonly string[]).includes(message.kind))
      throw new InferSessionError(`unexpected ${message.kind} in phase ${this.#phase}`);
    switch (message.kind) {
      case "infer_error":
        this.#phase = "done";
        throw new InferRefusal(message);
      case "token_chunk":
        this.#ownRequest(message.request_id, "token chunk");
        if (message.index !== this.#nextIndex)
          throw new InferSessionError(`token chunk ${message.index} arrived, expected ${this.#nextIndex}`);
        this.#nextIndex += 1;
        this.#result.text += message.text;
        return message.text;
      case "infer_end":
        this.#ownRequest(message.request_id, "infer_end");
        this.#result.promptTokens = message.prompt_tokens;
        this.#result.completionTokens = message.completion_tokens;
        this.#result.finishReason = message.finish_reason;
        this.#phase = message.completion_tokens === 0 ? "done" : "proposal";
        return "";
      case "trade_proposal":
        this.#result.proposal = { trade: message.trade, provider_signature: message.provider_signature };
        this.#phase = "done";
        return "";
      default:
        throw new InferSessionError(`unexpected ${message.kind}`);
    }
  }

  #ownRequest(requestId: string, what: string): void {
    if (requestId !== this.#requestId) throw new InferSessionError(`${what} of another request`);
  }
}
