/**
 * Proves embeddings on the real tiny model (stories260K, 1 thread): identical input gives the identical
 * vector, in a batch and across calls; different inputs give different vectors; vectors are unit length
 * with the model's embedding width; prompt tokens count BOS/EOS as evaluated; empty, oversized and
 * too-long inputs are refused; and a closed engine refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "./engine.js";
import { STORIES_260K } from "../test/models.js";

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    modelPath: STORIES_260K,
    threads: 1,
    contextSize: 256,
    flashAttention: false,
  });
});
afterAll(async () => {
  await engine?.close();
});

const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

describe("embed", () => {
  it("gives identical vectors for identical input, unit length, the model's width", async () => {
    const batch = await engine.embed(["Once upon a time", "a red ball", "Once upon a time"]);
    expect(batch.dimensions).toBe(engine.manifest.embedding_length);
    expect(batch.vectors).toHaveLength(3);
    expect(batch.vectors[2]).toEqual(batch.vectors[0]);
    expect(batch.vectors[1]).not.toEqual(batch.vectors[0]);
    for (const vector of batch.vectors) {
      expect(vector).toHaveLength(64);
      expect(norm(vector)).toBeCloseTo(1, 6);
    }
    const again = await engine.embed(["Once upon a time"]);
    expect(again.vectors[0]).toEqual(batch.vectors[0]);
    // Each input is its text's tokens plus what the model's vocabulary adds (BOS for llama).
    const single = engine.tokenizePrompt("Once upon a time").length;
    expect(again.prompt_tokens).toBeGreaterThanOrEqual(single);
    expect(batch.prompt_tokens).toBe(
      again.prompt_tokens * 2 + (await engine.embed(["a red ball"])).prompt_tokens,
    );
  });

  it("refuses empty, too many and too long inputs", async () => {
    await expect(engine.embed([""])).rejects.toMatchObject({ code: "INVALID_GENERATION_OPTIONS" });
    await expect(engine.embed([])).rejects.toMatchObject({ code: "INVALID_GENERATION_OPTIONS" });
    await expect(engine.embed(Array.from({ length: 2_049 }, () => "x"))).rejects.toMatchObject({
      code: "INVALID_GENERATION_OPTIONS",
    });
    await expect(engine.embed(["word ".repeat(400)])).rejects.toMatchObject({
      code: "CONTEXT_LENGTH_EXCEEDED",
    });
  });

  it("refuses after close", async () => {
    const other = await createEngine({
      modelPath: STORIES_260K,
      threads: 1,
      contextSize: 256,
      flashAttention: false,
    });
    await other.embed(["warm up"]);
    await other.close();
    await expect(other.embed(["x"])).rejects.toMatchObject({ code: "ENGINE_CLOSED" });
  });
});
