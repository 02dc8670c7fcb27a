/**
 * Embeddings through node-llama-cpp's embedding context: one extra llama.cpp context with embeddings on,
 * created on first use beside the engine's generation context and sharing its model weights.
 *
 * Each input is tokenized as plain text (special-token syntax in it is not parsed, as for prompts), the
 * sequence is cleared, the tokens are evaluated and the model's pooled embedding is read — so identical
 * input always gives the identical vector. Vectors are L2-normalised (unit length, as OpenAI's are, so a
 * dot product is the cosine similarity). The context evaluates one input at a time; requests wait in a
 * bounded FIFO queue like generations (`EngineBusyError` beyond it).
 * @module
 */
import type { LlamaEmbeddingContext, LlamaModel, Token } from "node-llama-cpp";
import { EMBED_INPUTS_MAX, PROMPT_MAX_CHARS } from "./constants.js";
import { ContextLengthExceededError, EngineClosedError, InvalidGenerationOptionsError } from "./errors.js";
import { SlotWaitAborted, Slots } from "./slots.js";

/** The embeddings of a batch of inputs. */
export interface EmbeddingResult {
  /** One unit-length vector per input, in input order. */
  vectors: number[][];
  /** Tokens evaluated over all inputs, BOS/EOS included (what an embeddings request is priced by). */
  prompt_tokens: number;
  /** Length of each vector (the model's embedding width). */
  dimensions: number;
}

/** Options of one embeddings call. */
export interface EmbedOptions {
  /** Aborts waiting for the context and the inputs not yet evaluated. */
  signal?: AbortSignal;
}

/** How the embedding context is made. */
export interface EmbedderOptions {
  contextSize: number;
  threads: number;
  queueMax: number;
  busyRetryAfterMs: number;
}

/** L2-normalises `vector` in place (a zero vector stays zero). */
function normalise(vector: number[]): number[] {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0)
    for (let index = 0; index < vector.length; index++) vector[index] = (vector[index] as number) / norm;
  return vector;
}

function checkInputs(inputs: readonly string[]): void {
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > EMBED_INPUTS_MAX)
    throw new InvalidGenerationOptionsError(`input must hold 1 to ${EMBED_INPUTS_MAX} texts`, {
      field: "input",
    });
  inputs.forEach((text, index) => {
    if (typeof text !== "string" || text.length === 0 || text.length > PROMPT_MAX_CHARS)
      throw new InvalidGenerationOptionsError(
        `input[${index}] must be a non-empty string of at most ${PROMPT_MAX_CHARS} characters`,
        { field: "input" },
      );
  });
}

/** Embeddings of one model (internal to the engine). */
export class Embedder {
  readonly #model: LlamaModel;
  readonly #options: EmbedderOptions;
  readonly #slots: Slots;
  #context: Promise<LlamaEmbeddingContext> | undefined;
  #running: Promise<unknown> | undefined;
  #closed = false;

  constructor(model: LlamaModel, options: EmbedderOptions) {
    this.#model = model;
    this.#options = options;
    this.#slots = new Slots({
      capacity: 1,
      queueMax: options.queueMax,
      retryAfterMs: options.busyRetryAfterMs,
    });
  }

  /**
   * Embeds every input, in order.
   * @throws {InvalidGenerationOptionsError} for empty or oversized inputs.
   * @throws {ContextLengthExceededError} when an input does not fit the context.
   * @throws {EngineBusyError} when the wait queue is full; {EngineClosedError} after `close()`.
   */
  async embed(inputs: readonly string[], options: EmbedOptions = {}): Promise<EmbeddingResult> {
    if (this.#closed) throw new EngineClosedError();
    checkInputs(inputs);
    const tokenized = inputs.map((text) => this.#model.tokenize(text, false) as Token[]);
    try {
      await this.#slots.acquire(options.signal);
    } catch (error) {
      if (error instanceof SlotWaitAborted) throw options.signal?.reason ?? error;
      throw error;
    }
    const run = this.#evaluate(tokenized, options);
    this.#running = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.#slots.release();
    }
  }

  async #evaluate(tokenized: readonly Token[][], options: EmbedOptions): Promise<EmbeddingResult> {
    {
      const context = await this.#contextOnce();
      const vectors: number[][] = [];
      let promptTokens = 0;
      for (const tokens of tokenized) {
        if (this.#closed) throw new EngineClosedError();
        options.signal?.throwIfAborted();
        const length = context.calculateInputLength(tokens);
        if (length >= this.#options.contextSize)
          throw new ContextLengthExceededError(length, this.#options.contextSize);
        const embedding = await context.getEmbeddingFor(tokens);
        vectors.push(normalise([...embedding.vector]));
        promptTokens += length;
      }
      return { vectors, prompt_tokens: promptTokens, dimensions: vectors[0]?.length ?? 0 };
    }
  }

  /** Frees the embedding context, if it was made. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#slots.rejectAll(new EngineClosedError());
    await this.#running;
    const context = await this.#context?.catch(() => undefined);
    await context?.dispose();
  }

  #contextOnce(): Promise<LlamaEmbeddingContext> {
    this.#context ??= this.#model.createEmbeddingContext({
      contextSize: this.#options.contextSize,
      threads: this.#options.threads,
    });
    // A failed creation is not cached: the next request tries again.
    this.#context.catch(() => (this.#context = undefined));
    return this.#context;
  }
}
