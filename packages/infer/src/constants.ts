/**
 * Limits and defaults of the inference layer. Everything that comes from outside (prompt sizes, token
 * counts, queue lengths, download sizes and timeouts) is bounded here, with its unit in its name.
 * @module
 */

/** Default context window per sequence, in tokens. */
export const CONTEXT_SIZE_DEFAULT_TOKENS = 2048;
/** Largest context window we accept, in tokens. */
export const CONTEXT_SIZE_MAX_TOKENS = 131_072;
/** Default number of requests generated at once (context sequences). */
export const PARALLELISM_DEFAULT = 1;
/**
 * Most sequences `parallelism: "auto"` picks. Measured on a 2-core machine: 8 concurrent requests gave
 * 2.2× the single-stream rate with 8 sequences (batched decoding) and 1.5× with 1.
 */
export const PARALLELISM_AUTO_MAX = 8;
/** Share of free memory `parallelism: "auto"` lets the KV caches take. */
export const PARALLELISM_AUTO_MEMORY_SHARE = 0.25;
/** Most sequences per engine: each one costs a full KV cache. */
export const PARALLELISM_MAX = 64;
/** Default number of requests that may wait for a free sequence. */
export const QUEUE_DEFAULT = 16;
/** Largest wait queue we accept. */
export const QUEUE_MAX = 4096;
/** Most CPU threads we pass to llama.cpp. */
export const THREADS_MAX = 256;
/** Retry-after hint carried by `EngineBusyError`, in milliseconds. */
export const BUSY_RETRY_AFTER_DEFAULT_MS = 1_000;

/** Default `max_tokens` when a request names none (the upstream OpenAI endpoint's default). */
export const MAX_TOKENS_DEFAULT = 256;
/** Hard ceiling on `max_tokens`. */
export const MAX_TOKENS_MAX = 131_072;
/** Most stop strings per request (OpenAI allows 4; we allow a few more). */
export const STOP_STRINGS_MAX = 16;
/** Longest stop string, in UTF-16 code units. */
export const STOP_STRING_MAX_CHARS = 256;
/** Longest prompt text we tokenize, in UTF-16 code units (tokens are bounded by the context anyway). */
export const PROMPT_MAX_CHARS = 1_000_000;
/** Most chat messages per request. */
export const MESSAGES_MAX = 4096;
/** Sampling temperature range. */
export const TEMPERATURE_MAX = 2;
/** Default temperature (OpenAI's default is 1; the upstream node used 0.7). */
export const TEMPERATURE_DEFAULT = 0.7;
/** Largest `top_k`. */
export const TOP_K_MAX = 1_000_000;

/** Largest model file we download, in bytes (the catalog's biggest is ~20 GB). */
export const DOWNLOAD_SIZE_MAX_BYTES = 256 * 1024 ** 3;
/** A download that receives no bytes for this long is aborted, in milliseconds. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;
/** How many times one `resolveModel` call resumes a dropped download before giving up. */
export const DOWNLOAD_RETRIES_DEFAULT = 3;
/** Upper bound for the `retries` option. */
export const DOWNLOAD_RETRIES_MAX = 20;
/** Pause between download attempts, in milliseconds. */
export const DOWNLOAD_RETRY_DELAY_MS = 250;
/** Base URL of the Hugging Face hub. */
export const HF_BASE_URL_DEFAULT = "https://huggingface.co";
/** Suffix of partially downloaded files. */
export const PART_SUFFIX = ".part";
/** Most directory entries scanned when looking a model up by name in the models directory. */
export const MODELS_DIR_SCAN_MAX = 10_000;

/** Inputs one embeddings request may carry (the OpenAI API's own limit). */
export const EMBED_INPUTS_MAX = 2_048;
/** Compiled output grammars kept per engine (a tool set or schema used again skips compiling). */
export const GRAMMAR_CACHE_MAX = 64;
/** Most tool calls in one answer when parallel calls are allowed. */
export const TOOL_CALLS_MAX = 8;
/** Most tools one request may declare. */
export const TOOLS_MAX = 128;
