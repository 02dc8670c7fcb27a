/**
 * The tiny GGUF models infer's tests and benches use, found where @tirami/test-kit says
 * (`TIRAMI_TEST_MODELS_DIR`, else `<repo>/../shared/models`), and what the greedy one is known to write.
 * @module
 */
import { LLAMA2_TINY_RANDOM_FILE, STORIES_260K_FILE, testModelPath, testModelsDir } from "@tirami/test-kit";

/** Directory holding `stories260K.gguf` and `llama-2-tiny-random.gguf`. */
export const TEST_MODELS_DIR = testModelsDir();

/** Karpathy's TinyStories 260K-parameter model (5 blocks, vocab 512, no chat template). */
export const STORIES_260K = testModelPath(STORIES_260K_FILE);
/** Random-weight Llama-2 shape (1 block, vocab 32,000, no chat template). */
export const LLAMA2_TINY_RANDOM = testModelPath(LLAMA2_TINY_RANDOM_FILE);

/** The greedy continuation of "Once upon a time" documented in the models README. */
export const STORIES_GREEDY_PREFIX = ", there was a little girl named Lily";
