/**
 * Where tests and benches find the tiny GGUF test models: the directory named by
 * `TIRAMI_TEST_MODELS_DIR`, else `../shared/models` beside the repository. Product code never reads this
 * location; only tests and benches do.
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The environment variable that overrides the test models' directory. */
export const TEST_MODELS_DIR_ENV = "TIRAMI_TEST_MODELS_DIR";
/** Karpathy's TinyStories model, 260K parameters (5 blocks, vocab 512, no chat template). */
export const STORIES_260K_FILE = "stories260K.gguf";
/** A random-weight Llama-2 shape (1 block, vocab 32,000, no chat template). */
export const LLAMA2_TINY_RANDOM_FILE = "llama-2-tiny-random.gguf";

/** The repository root: this file is `<repo>/packages/test-kit/src/models.ts`. */
const REPO_ROOT = resolve(fileURLToPath(new URL("../../../", import.meta.url)));

/** The test models' directory: `$TIRAMI_TEST_MODELS_DIR` when set and not empty, else `<repo>/../shared/models`. */
export function testModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[TEST_MODELS_DIR_ENV];
  return fromEnv !== undefined && fromEnv !== "" ? resolve(fromEnv) : resolve(REPO_ROOT, "../shared/models");
}

/** The path of one test model file (default: `stories260K.gguf`, the model most tests use). */
export function testModelPath(file = STORIES_260K_FILE, env: NodeJS.ProcessEnv = process.env): string {
  return join(testModelsDir(env), file);
}
