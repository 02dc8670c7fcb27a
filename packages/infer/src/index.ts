/**
 * @tirami/infer — layer L0: local LLM inference on node-llama-cpp. Loads a GGUF model once, serves
 * streaming raw and chat completions to concurrent requests through context sequences with a bounded
 * queue, reads the model manifest from the GGUF header, and resolves models from local paths, Hugging
 * Face URIs/URLs, a built-in catalog or a models directory (downloads resume and land atomically).
 * @packageDocumentation
 */

/** Engine. */
export {
  autoParallelism,
  type ChatMessage,
  createEngine,
  kvCacheBytesPerSequence,
  type Engine,
  type EngineOptions,
  type FinishReason,
  type GenerationResult,
} from "./engine.js";
export { type GenerationOptions } from "./options.js";
export { type EmbeddingResult, type EmbedOptions } from "./embed.js";
export { checkOutputFormat, type OutputFormat } from "./format.js";
export {
  checkTools,
  createResponseTextDecoder,
  parseToolAnswer,
  planToolCalls,
  renderToolHistory,
  type ToolAnswer,
  type ToolCall,
  type ToolChatMessage,
  type ToolChoice,
  type ToolFunction,
  type ToolMode,
  type ToolPlan,
  type ToolsRequest,
  toolCallFormat,
} from "./tools.js";
export { type TextStream } from "./stream.js";
export { type EngineStats } from "./slots.js";
export { CHAT_WRAPPER_NAMES, type ChatWrapperOption, type ChatWrapperSource } from "./chat-wrapper.js";

/** Model files. */
export { type ModelManifest, readModelManifest } from "./manifest.js";
export { type CatalogEntry, DEFAULT_MODEL, findCatalogEntry, MODEL_CATALOG } from "./catalog.js";
export {
  parseHfReference,
  type HfReference,
  resolveModel,
  type ResolvedModel,
  type ResolveModelOptions,
} from "./resolve.js";
export { downloadFile, type DownloadOptions, type DownloadProgress } from "./download.js";
export { createProgressBar, type ProgressBar } from "./progress.js";

/** Errors and limits. */
export {
  ContextLengthExceededError,
  EngineBusyError,
  EngineClosedError,
  GenerationFailedError,
  InferErrorCode,
  InvalidGenerationOptionsError,
  ModelDownloadError,
  ModelLoadError,
  ModelNotFoundError,
} from "./errors.js";
export * as inferLimits from "./constants.js";
