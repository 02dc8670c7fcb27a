/**
 * Typed errors of `@tirami/infer`, each with a stable code the node maps to an HTTP status.
 * @module
 */
import { TiramiError, type TiramiErrorOptions } from "@tirami/core";

/** Stable error codes thrown by this package. */
export const InferErrorCode = {
  ENGINE_BUSY: "ENGINE_BUSY",
  ENGINE_CLOSED: "ENGINE_CLOSED",
  MODEL_NOT_FOUND: "MODEL_NOT_FOUND",
  MODEL_DOWNLOAD_FAILED: "MODEL_DOWNLOAD_FAILED",
  MODEL_LOAD_FAILED: "MODEL_LOAD_FAILED",
  INVALID_GENERATION_OPTIONS: "INVALID_GENERATION_OPTIONS",
  CONTEXT_LENGTH_EXCEEDED: "CONTEXT_LENGTH_EXCEEDED",
  GENERATION_FAILED: "GENERATION_FAILED",
} as const;
export type InferErrorCode = (typeof InferErrorCode)[keyof typeof InferErrorCode];

/** Thrown when every sequence is busy and the wait queue is full. Answer 503/429 with `Retry-After`. */
export class EngineBusyError extends TiramiError {
  override name = "EngineBusyError";
  /** Suggested wait before retrying, in milliseconds. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, details: Record<string, unknown>) {
    super(
      InferErrorCode.ENGINE_BUSY,
      `inference engine busy: all sequences in use and the queue is full; retry in ${retryAfterMs} ms`,
      {
        details: { ...details, retry_after_ms: retryAfterMs },
      },
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** Thrown when a request reaches an engine that has been closed. */
export class EngineClosedError extends TiramiError {
  override name = "EngineClosedError";
  constructor() {
    super(InferErrorCode.ENGINE_CLOSED, "inference engine is closed");
  }
}

/** Thrown when a model name, path or URI resolves to nothing. */
export class ModelNotFoundError extends TiramiError {
  override name = "ModelNotFoundError";
  constructor(message: string, options?: TiramiErrorOptions) {
    super(InferErrorCode.MODEL_NOT_FOUND, message, options);
  }
}

/** Thrown when a model download fails (network unreachable, HTTP error, size mismatch, dropped transfer). */
export class ModelDownloadError extends TiramiError {
  override name = "ModelDownloadError";
  constructor(message: string, options?: TiramiErrorOptions) {
    super(InferErrorCode.MODEL_DOWNLOAD_FAILED, message, options);
  }
}

/** Thrown when llama.cpp cannot load a model file or create its context. */
export class ModelLoadError extends TiramiError {
  override name = "ModelLoadError";
  constructor(message: string, options?: TiramiErrorOptions) {
    super(InferErrorCode.MODEL_LOAD_FAILED, message, options);
  }
}

/** Thrown when a request's sampling or limit options are out of range (HTTP 400). */
export class InvalidGenerationOptionsError extends TiramiError {
  override name = "InvalidGenerationOptionsError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(InferErrorCode.INVALID_GENERATION_OPTIONS, message, details === undefined ? {} : { details });
  }
}

/** Thrown when the prompt does not leave room for a single generated token in the context (HTTP 400). */
export class ContextLengthExceededError extends TiramiError {
  override name = "ContextLengthExceededError";
  constructor(promptTokens: number, contextSizeTokens: number) {
    super(
      InferErrorCode.CONTEXT_LENGTH_EXCEEDED,
      `prompt is ${promptTokens} tokens but the context holds ${contextSizeTokens}; shorten the prompt or raise the context size`,
      { details: { prompt_tokens: promptTokens, context_size_tokens: contextSizeTokens } },
    );
  }
}

/** Thrown when llama.cpp fails during generation for a reason other than an abort. */
export class GenerationFailedError extends TiramiError {
  override name = "GenerationFailedError";
  constructor(message: string, cause: unknown) {
    super(InferErrorCode.GENERATION_FAILED, message, { cause });
  }
}
