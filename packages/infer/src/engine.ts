/**
 * The inference engine: one GGUF model loaded once, shared by concurrent requests through llama.cpp
 * context sequences. Each request takes a free sequence, clears it (no state leaks between requests:
 * every request carries its whole conversation, as in the OpenAI API), generates, and hands it back.
 * Requests beyond the sequences wait in a bounded FIFO queue; beyond that they get `EngineBusyError`.
 * @module
 */
import { availableParallelism, freemem } from "node:os";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { assert } from "@tirami/core";
import {
  type ChatHistoryItem,
  type ChatWrapper,
  LlamaCompletion,
  type LlamaContext,
  type LlamaContextSequence,
  type Llama,
  type LlamaGrammar,
  type LlamaModel,
  type LlamaText,
  LlamaVocabularyType,
  type Token,
} from "node-llama-cpp";
import { type ChatWrapperOption, type ChatWrapperSource, selectChatWrapper } from "./chat-wrapper.js";
import {
  BUSY_RETRY_AFTER_DEFAULT_MS,
  CONTEXT_SIZE_DEFAULT_TOKENS,
  CONTEXT_SIZE_MAX_TOKENS,
  MESSAGES_MAX,
  PARALLELISM_AUTO_MAX,
  PARALLELISM_AUTO_MEMORY_SHARE,
  PARALLELISM_DEFAULT,
  PARALLELISM_MAX,
  PROMPT_MAX_CHARS,
  QUEUE_DEFAULT,
  QUEUE_MAX,
  THREADS_MAX,
} from "./constants.js";
import {
  ContextLengthExceededError,
  EngineClosedError,
  GenerationFailedError,
  InvalidGenerationOptionsError,
  ModelLoadError,
  ModelNotFoundError,
} from "./errors.js";
import { Embedder, type EmbeddingResult, type EmbedOptions } from "./embed.js";
import { GrammarCache } from "./format.js";
import { getSharedLlama } from "./llama.js";
import { type ModelManifest, readModelManifest } from "./manifest.js";
import {
  type GenerationOptions,
  resolveGenerationOptions,
  type ResolvedGenerationOptions,
} from "./options.js";
import { type EngineStats, SlotWaitAborted, Slots } from "./slots.js";
import { streamText, type TextStream } from "./stream.js";

/** Options of `createEngine`. */
export interface EngineOptions {
  /** Path of the GGUF file (see `resolveModel`). */
  modelPath: string;
  /** CPU threads for llama.cpp. Default `max(1, os.availableParallelism())`; always passed explicitly. */
  threads?: number;
  /** Context window of each sequence, in tokens (default 2048; llama.cpp may round it up to a multiple of 256). */
  contextSize?: number;
  /**
   * Requests generated at once, i.e. context sequences (default 1, at most 64). `"auto"`: as many as
   * batch well (up to `PARALLELISM_AUTO_MAX`) whose KV caches fit a quarter of free memory
   * (`autoParallelism`).
   */
  parallelism?: number | "auto";
  /** Requests allowed to wait for a sequence (default 16); more get `EngineBusyError`. */
  queueMax?: number;
  /** Chat format (default `"auto"`: the model's template, else `general`). See `ChatWrapperOption`. */
  chatWrapper?: ChatWrapperOption;
  /** llama.cpp flash attention (default false: on CPU it halves prompt speed on small models). */
  flashAttention?: boolean;
  /** Use a GPU if the binary supports one (default false). The first engine of the process decides. */
  gpu?: boolean;
  /** Retry-after hint of `EngineBusyError`, in milliseconds (default 1000). */
  busyRetryAfterMs?: number;
}

/** One chat message, OpenAI-shaped. Content may be empty. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Why a generation ended: a stop condition (EOS, a stop string, the chat format's end), `max_tokens` or the context end, or an abort. */
export type FinishReason = "stop" | "length" | "abort";

/** Outcome of one generation. Token counts are exact (the tokens llama.cpp evaluated and produced). */
export interface GenerationResult {
  /** The generated text, without stop strings. */
  text: string;
  finish_reason: FinishReason;
  /** Tokens of the prompt as evaluated, including BOS and chat-format tokens. */
  prompt_tokens: number;
  /** Generated tokens whose text is in `text` (stop strings and the end-of-generation token excluded). */
  completion_tokens: number;
  total_tokens: number;
  /** Time spent waiting for a free sequence, in milliseconds. */
  queued_ms: number;
  /** From start of generation (after the queue) to the first text chunk, in milliseconds; null if none. */
  first_token_ms: number | null;
  /** From start of generation to its end, in milliseconds. */
  generation_ms: number;
}

/** A loaded model serving generations. */
export interface Engine {
  /** What the model is, read from its GGUF header. */
  readonly manifest: ModelManifest;
  /** The chat format in use and where it came from. */
  readonly chatFormat: { name: string; source: ChatWrapperSource };
  /** Effective settings (context size as allocated by llama.cpp). */
  readonly settings: {
    threads: number;
    context_size_tokens: number;
    parallelism: number;
    queue_max: number;
    flash_attention: boolean;
  };
  /** Raw completion of `prompt` (BOS is prepended when the model wants one). */
  generate(prompt: string, options?: GenerationOptions): Promise<GenerationResult>;
  /** Chat completion of `messages` with the engine's chat format. */
  chat(messages: readonly ChatMessage[], options?: GenerationOptions): Promise<GenerationResult>;
  /** `generate` as an async iterable of text chunks; `result` settles when generation ends. Breaking out of the loop aborts. */
  generateStream(prompt: string, options?: Omit<GenerationOptions, "onText">): TextStream;
  /** `chat` as an async iterable of text chunks; `result` settles when generation ends. Breaking out of the loop aborts. */
  chatStream(messages: readonly ChatMessage[], options?: Omit<GenerationOptions, "onText">): TextStream;
  /** Tokens of `prompt` exactly as `generate` evaluates it (with BOS when the model wants one). */
  tokenizePrompt(prompt: string): number[];
  /** Tokens of `messages` exactly as `chat` evaluates them. */
  tokenizeChat(messages: readonly ChatMessage[]): number[];
  /** Text of `tokens` (special tokens rendered as text), e.g. to inspect a rendered chat prompt. */
  detokenize(tokens: readonly number[]): string;
  /** Unit-length embeddings of `inputs` through an embedding context made on first use (`embed.ts`). */
  embed(inputs: readonly string[], options?: EmbedOptions): Promise<EmbeddingResult>;
  /** Occupancy: active, queued, capacity, free. */
  stats(): EngineStats;
  /** Aborts running generations, rejects queued ones with `EngineClosedError`, frees the model. Idempotent. */
  close(): Promise<void>;
}

interface PreparedPrompt {
  /** The full prompt, BOS included. */
  tokens: Token[];
  /** Extra stop triggers of the chat format. */
  stopTriggers: readonly LlamaText[];
}

/** Bytes of one sequence's KV cache (f16 keys and values for every layer), from the GGUF header. */
export function kvCacheBytesPerSequence(manifest: ModelManifest, contextSize: number): number {
  const headDim = manifest.head_count > 0 ? manifest.embedding_length / manifest.head_count : 0;
  return 2 * 2 * manifest.block_count * contextSize * manifest.head_count_kv * headDim;
}

/**
 * The sequences `parallelism: "auto"` uses: `PARALLELISM_AUTO_MAX` (so concurrent requests are decoded
 * in one batch), fewer when their KV caches would take more than a quarter of `freeBytes`; at least 1.
 */
export function autoParallelism(manifest: ModelManifest, contextSize: number, freeBytes: number): number {
  const perSequence = kvCacheBytesPerSequence(manifest, contextSize);
  if (perSequence <= 0) return 1;
  const fit = Math.floor((freeBytes * PARALLELISM_AUTO_MEMORY_SHARE) / perSequence);
  return Math.max(1, Math.min(PARALLELISM_AUTO_MAX, fit));
}

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${value}`);
  return value;
}

/** The token llama.cpp prepends to a completion, mirroring node-llama-cpp's own rule for `LlamaCompletion`. */
function beginningToken(model: LlamaModel): Token | null {
  if (model.vocabularyType === LlamaVocabularyType.rwkv || model.vocabularyType === LlamaVocabularyType.ugm)
    return null;
  if (model.vocabularyType === LlamaVocabularyType.wpm) return model.tokens.bos;
  return model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
}

function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > MESSAGES_MAX) {
    throw new InvalidGenerationOptionsError(
      `messages must be a non-empty array of at most ${MESSAGES_MAX} messages`,
      { field: "messages" },
    );
  }
  let chars = 0;
  const history: ChatHistoryItem[] = messages.map((message, index) => {
    if (typeof message?.content !== "string")
      throw new InvalidGenerationOptionsError(`messages[${index}].content must be a string`, {
        field: "messages",
      });
    chars += message.content.length;
    if (message.role === "system") return { type: "system", text: message.content };
    if (message.role === "user") return { type: "user", text: message.content };
    if (message.role === "assistant") return { type: "model", response: [message.content] };
    throw new InvalidGenerationOptionsError(`messages[${index}].role must be system, user or assistant`, {
      field: "messages",
    });
  });
  if (chars > PROMPT_MAX_CHARS)
    throw new InvalidGenerationOptionsError(`messages exceed ${PROMPT_MAX_CHARS} characters`, {
      field: "messages",
    });
  // The rendered context ends with an open model turn: the one we generate (or continue, after an assistant message).
  if (history[history.length - 1]?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

/**
 * Loads a GGUF model and returns an engine serving it.
 * @throws {ModelNotFoundError} when `modelPath` does not exist.
 * @throws {ModelLoadError} when llama.cpp cannot load the model or allocate its context.
 * @throws {RangeError|TypeError} for invalid options.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const threads = positiveInteger(
    "threads",
    options.threads ?? Math.max(1, availableParallelism()),
    THREADS_MAX,
  );
  const contextSize = positiveInteger(
    "contextSize",
    options.contextSize ?? CONTEXT_SIZE_DEFAULT_TOKENS,
    CONTEXT_SIZE_MAX_TOKENS,
  );
  const requestedParallelism = options.parallelism ?? PARALLELISM_DEFAULT;
  if (requestedParallelism !== "auto") positiveInteger("parallelism", requestedParallelism, PARALLELISM_MAX);
  const queueMax = options.queueMax ?? QUEUE_DEFAULT;
  if (!Number.isSafeInteger(queueMax) || queueMax < 0 || queueMax > QUEUE_MAX)
    throw new RangeError(`queueMax must be an integer in [0, ${QUEUE_MAX}], got ${queueMax}`);
  const busyRetryAfterMs = options.busyRetryAfterMs ?? BUSY_RETRY_AFTER_DEFAULT_MS;
  if (!Number.isSafeInteger(busyRetryAfterMs) || busyRetryAfterMs < 0)
    throw new RangeError(`busyRetryAfterMs must be a non-negative integer`);
  const flashAttention = options.flashAttention ?? false;
  if (typeof options.modelPath !== "string" || !existsSync(options.modelPath)) {
    throw new ModelNotFoundError(`model file not found: ${String(options.modelPath)}`, {
      details: { path: options.modelPath },
    });
  }

  const manifest = await readModelManifest(options.modelPath);
  const parallelism =
    requestedParallelism === "auto"
      ? autoParallelism(manifest, contextSize, freemem())
      : requestedParallelism;
  const llama = await getSharedLlama({ gpu: options.gpu ?? false });
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath });
  } catch (error) {
    throw new ModelLoadError(`cannot load model ${options.modelPath}: ${(error as Error).message}`, {
      cause: error,
      details: { path: options.modelPath },
    });
  }
  let context: LlamaContext;
  let chat: { wrapper: ChatWrapper; source: ChatWrapperSource };
  try {
    chat = selectChatWrapper(model, options.chatWrapper ?? "auto");
    context = await model.createContext({
      sequences: parallelism,
      contextSize,
      threads,
      flashAttention,
      failedCreationRemedy: false,
    });
  } catch (error) {
    await model.dispose();
    if (error instanceof TypeError) throw error;
    throw new ModelLoadError(
      `cannot create a ${contextSize}-token context × ${parallelism} for ${options.modelPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const sequences: LlamaContextSequence[] = [];
  for (let i = 0; i < parallelism; i += 1) sequences.push(context.getSequence());
  return new LlamaEngine({
    llama,
    manifest,
    model,
    context,
    sequences,
    chat,
    threads,
    queueMax,
    busyRetryAfterMs,
    flashAttention,
  });
}

class LlamaEngine implements Engine {
  readonly manifest: ModelManifest;
  readonly chatFormat: { name: string; source: ChatWrapperSource };
  readonly settings: Engine["settings"];
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #free: LlamaContextSequence[];
  readonly #wrapper: ChatWrapper;
  readonly #slots: Slots;
  readonly #grammars: GrammarCache;
  readonly #bos: Token | null;
  readonly #running = new Set<{ controller: AbortController; done: Promise<unknown> }>();
  readonly #embedder: Embedder;
  #closed = false;

  constructor(init: {
    llama: Llama;
    manifest: ModelManifest;
    model: LlamaModel;
    context: LlamaContext;
    sequences: LlamaContextSequence[];
    chat: { wrapper: ChatWrapper; source: ChatWrapperSource };
    threads: number;
    queueMax: number;
    busyRetryAfterMs: number;
    flashAttention: boolean;
  }) {
    this.manifest = init.manifest;
    this.#model = init.model;
    this.#context = init.context;
    this.#free = init.sequences;
    this.#wrapper = init.chat.wrapper;
    this.chatFormat = { name: init.chat.wrapper.wrapperName, source: init.chat.source };
    this.#slots = new Slots({
      capacity: init.sequences.length,
      queueMax: init.queueMax,
      retryAfterMs: init.busyRetryAfterMs,
    });
    this.#bos = beginningToken(init.model);
    this.#embedder = new Embedder(init.model, {
      contextSize: init.context.contextSize,
      threads: init.threads,
      queueMax: init.queueMax,
      busyRetryAfterMs: init.busyRetryAfterMs,
    });
    this.#grammars = new GrammarCache(init.llama);
    this.settings = {
      threads: init.threads,
      context_size_tokens: init.context.contextSize,
      parallelism: init.sequences.length,
      queue_max: init.queueMax,
      flash_attention: init.flashAttention,
    };
  }

  stats(): EngineStats {
    return this.#slots.stats();
  }

  embed(inputs: readonly string[], options: EmbedOptions = {}): Promise<EmbeddingResult> {
    if (this.#closed) return Promise.reject(new EngineClosedError());
    return this.#embedder.embed(inputs, options);
  }

  detokenize(tokens: readonly number[]): string {
    return this.#model.detokenize(tokens as readonly Token[], true);
  }

  tokenizePrompt(prompt: string): number[] {
    return [...this.#preparePrompt(prompt).tokens];
  }

  tokenizeChat(messages: readonly ChatMessage[]): number[] {
    return [...this.#prepareChat(messages).tokens];
  }

  generate(prompt: string, options: GenerationOptions = {}): Promise<GenerationResult> {
    return this.#run(() => this.#preparePrompt(prompt), options);
  }

  chat(messages: readonly ChatMessage[], options: GenerationOptions = {}): Promise<GenerationResult> {
    return this.#run(() => this.#prepareChat(messages), options);
  }

  generateStream(prompt: string, options: Omit<GenerationOptions, "onText"> = {}): TextStream {
    return streamText(options.signal, (signal, onText) =>
      this.generate(prompt, { ...options, signal, onText }),
    );
  }

  chatStream(messages: readonly ChatMessage[], options: Omit<GenerationOptions, "onText"> = {}): TextStream {
    return streamText(options.signal, (signal, onText) =>
      this.chat(messages, { ...options, signal, onText }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#slots.rejectAll(new EngineClosedError());
    for (const run of this.#running) run.controller.abort(new EngineClosedError());
    await Promise.allSettled([...this.#running].map((run) => run.done));
    await this.#embedder.close();
    await this.#context.dispose();
    await this.#model.dispose();
  }

  #preparePrompt(prompt: string): PreparedPrompt {
    if (typeof prompt !== "string")
      throw new InvalidGenerationOptionsError("prompt must be a string", { field: "prompt" });
    if (prompt.length > PROMPT_MAX_CHARS)
      throw new InvalidGenerationOptionsError(`prompt exceeds ${PROMPT_MAX_CHARS} characters`, {
        field: "prompt",
      });
    // Plain text: special-token syntax in user text is not parsed (no prompt-injected control tokens).
    const text = this.#model.tokenize(prompt, false);
    return { tokens: this.#bos === null ? text : [this.#bos, ...text], stopTriggers: [] };
  }

  #prepareChat(messages: readonly ChatMessage[]): PreparedPrompt {
    const state = this.#wrapper.generateContextState({ chatHistory: toChatHistory(messages) });
    const rendered = state.contextText.tokenize(this.#model.tokenizer);
    const tokens = this.#bos === null || rendered[0] === this.#bos ? rendered : [this.#bos, ...rendered];
    return { tokens, stopTriggers: state.stopGenerationTriggers };
  }

  async #run(prepare: () => PreparedPrompt, options: GenerationOptions): Promise<GenerationResult> {
    if (this.#closed) throw new EngineClosedError();
    const resolved = resolveGenerationOptions(options);
    const prompt = prepare();
    const contextSize = this.#context.contextSize;
    if (prompt.tokens.length >= contextSize)
      throw new ContextLengthExceededError(prompt.tokens.length, contextSize);
    // Under a grammar the answer ends where the grammar does: a stop string (or the chat format's own
    // stop text inside a JSON string) would cut it into something that does not parse.
    if (options.format !== undefined && resolved.stop.length > 0)
      throw new InvalidGenerationOptionsError("stop cannot be combined with a structured output format", {
        field: "stop",
      });
    const grammar =
      options.format === undefined ? undefined : await this.#grammars.grammarFor(options.format);

    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) controller.abort(options.signal.reason);
    else options.signal?.addEventListener("abort", onOuterAbort, { once: true });
    const started = performance.now();
    const aborted = (queuedMs: number): GenerationResult => ({
      text: "",
      finish_reason: "abort",
      prompt_tokens: prompt.tokens.length,
      completion_tokens: 0,
      total_tokens: prompt.tokens.length,
      queued_ms: queuedMs,
      first_token_ms: null,
      generation_ms: 0,
    });
    try {
      try {
        await this.#slots.acquire(controller.signal);
      } catch (error) {
        if (error instanceof SlotWaitAborted) return aborted(performance.now() - started);
        throw error;
      }
      const queuedMs = performance.now() - started;
      const sequence = this.#free.pop();
      assert(sequence !== undefined, "a slot was granted but no sequence is free");
      const userOnText = options.onText;
      // A consumer that throws (e.g. writing to a closed socket) ends its generation instead of being
      // ignored, and is not called again. Otherwise every chunk of `text` reaches it, even after an abort.
      let consumerFailed = false;
      const onText =
        userOnText === undefined
          ? undefined
          : (chunk: string): void => {
              if (consumerFailed) return;
              try {
                userOnText(chunk);
              } catch (error) {
                consumerFailed = true;
                controller.abort(error);
              }
            };
      const done = this.#generateOn(sequence, prompt, { ...resolved, grammar }, controller.signal, onText);
      const entry = { controller, done };
      this.#running.add(entry);
      try {
        const result = await done;
        return { ...result, queued_ms: queuedMs };
      } finally {
        this.#running.delete(entry);
        this.#free.push(sequence);
        this.#slots.release();
      }
    } finally {
      options.signal?.removeEventListener("abort", onOuterAbort);
    }
  }

  async #generateOn(
    sequence: LlamaContextSequence,
    prompt: PreparedPrompt,
    options: ResolvedGenerationOptions & { grammar: LlamaGrammar | undefined },
    signal: AbortSignal,
    onText: ((chunk: string) => void) | undefined,
  ): Promise<GenerationResult> {
    const started = performance.now();
    let firstTokenMs: number | null = null;
    let completionTokens = 0;
    await sequence.clearHistory();
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      // LlamaCompletion prepends the beginning token itself, so it gets the prompt without it.
      const input = this.#bos === null ? prompt.tokens : prompt.tokens.slice(1);
      const greedy = options.temperature === 0;
      const { response, metadata } = await completion.generateCompletionWithMeta(input, {
        maxTokens: options.maxTokens,
        temperature: options.temperature,
        ...(greedy
          ? {}
          : {
              topP: options.topP,
              topK: options.topK,
              ...(options.seed === undefined ? {} : { seed: options.seed }),
            }),
        // llama.cpp's default: no repetition penalty (node-llama-cpp's LlamaCompletion would apply 1.1).
        repeatPenalty: false,
        ...(options.grammar === undefined ? {} : { grammar: options.grammar }),
        customStopTriggers: options.grammar === undefined ? [...prompt.stopTriggers, ...options.stop] : [],
        // Stop at the end of the context instead of silently dropping the start of the prompt.
        disableContextShift: true,
        signal,
        stopOnAbortSignal: true,
        onToken: (tokens) => {
          completionTokens += tokens.length;
          firstTokenMs ??= performance.now() - started;
        },
        ...(onText === undefined ? {} : { onTextChunk: onText }),
      });
      const finishReason: FinishReason =
        metadata.stopReason === "maxTokens" ? "length" : metadata.stopReason === "abort" ? "abort" : "stop";
      return {
        text: response,
        finish_reason: finishReason,
        prompt_tokens: prompt.tokens.length,
        completion_tokens: completionTokens,
        total_tokens: prompt.tokens.length + completionTokens,
        queued_ms: 0,
        first_token_ms: firstTokenMs,
        generation_ms: performance.now() - started,
      };
    } catch (error) {
      if (signal.aborted) {
        return {
          text: "",
          finish_reason: "abort",
          prompt_tokens: prompt.tokens.length,
          completion_tokens: 0,
          total_tokens: prompt.tokens.length,
          queued_ms: 0,
          first_token_ms: null,
          generation_ms: performance.now() - started,
        };
      }
      throw new GenerationFailedError(`generation failed: ${(error as Error).message}`, error);
    } finally {
      completion.dispose({ disposeSequence: false });
    }
  }
}
