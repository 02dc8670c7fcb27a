/**
 * Where tests and benches find the tiny GGUF models: `TIRAMI_TEST_MODELS_DIR`, else `<repo>/../shared/models`.
 * @module
 */
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

/** Directory holding `stories260K.gguf` and `llama-2-tiny-random.gguf`. */
export const TEST_MODELS_DIR =
  process.env["TIRAMI_TEST_MODELS_DIR"] ??
  resolve(fileURLToPath(new URL("../../../", import.meta.url)), "../shared/models");

/** Karpathy's TinyStories 260K-parameter model (5 blocks, vocab 512, no chat template). */
export const STORIES_260K = join(TEST_MODELS_DIR, "stories260K.gguf");
/** Random-weight Llama-2 shape (1 block, vocab 32,000, no chat template). */
export const LLAMA2_TINY_RANDOM = join(TEST_MODELS_DIR, "llama-2-tiny-random.gguf");

/** The greedy continuation of "Once upon a time" documented in the models README. */
export const STORIES_GREEDY_PREFIX = ", there was a little girl named Lily";
