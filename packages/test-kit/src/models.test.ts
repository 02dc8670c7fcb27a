/**
 * Proves where the test models are looked for: `TIRAMI_TEST_MODELS_DIR` when set (relative paths resolved),
 * else `../shared/models` beside the repository — the same place the tests that need models always used —
 * and an empty variable counts as unset.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STORIES_260K_FILE, TEST_MODELS_DIR_ENV, testModelPath, testModelsDir } from "./models.js";

const repoRoot = resolve(fileURLToPath(new URL("../../../", import.meta.url)));

describe("testModelsDir", () => {
  it("defaults to ../shared/models beside the repository", () => {
    expect(existsSync(join(repoRoot, "pnpm-workspace.yaml"))).toBe(true);
    expect(testModelsDir({})).toBe(resolve(repoRoot, "..", "shared", "models"));
    expect(testModelsDir({ [TEST_MODELS_DIR_ENV]: "" })).toBe(testModelsDir({}));
  });

  it("follows TIRAMI_TEST_MODELS_DIR", () => {
    expect(TEST_MODELS_DIR_ENV).toBe("TIRAMI_TEST_MODELS_DIR");
    expect(testModelsDir({ TIRAMI_TEST_MODELS_DIR: "/srv/models" })).toBe("/srv/models");
    expect(testModelsDir({ TIRAMI_TEST_MODELS_DIR: "models" })).toBe(resolve("models"));
  });

  it("names a model file inside it (stories260K.gguf by default)", () => {
    expect(testModelPath(undefined, { TIRAMI_TEST_MODELS_DIR: "/srv/models" })).toBe(
      join("/srv/models", STORIES_260K_FILE),
    );
    expect(testModelPath("llama-2-tiny-random.gguf", {})).toBe(
      join(testModelsDir({}), "llama-2-tiny-random.gguf"),
    );
  });
});
