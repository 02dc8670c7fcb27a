/**
 * Proves `parallelism: "auto"`: it picks `PARALLELISM_AUTO_MAX` sequences when their KV caches fit a
 * quarter of free memory, fewer when they would not (computed from the GGUF header's shape), never
 * fewer than one; and a real engine created with it has that many sequences.
 */
import { freemem } from "node:os";
import { describe, expect, it } from "vitest";
import { autoParallelism, createEngine, kvCacheBytesPerSequence } from "./engine.js";
import { PARALLELISM_AUTO_MAX } from "./constants.js";
import type { ModelManifest } from "./manifest.js";
import { STORIES_260K } from "../test/models.js";

// A Llama-2-7B-shaped header: 32 layers, 4096 wide, 32 KV heads: 2 × 2 B × 32 × 2,048 × 4,096 = 1 GiB per sequence.
const llama7b = {
  block_count: 32,
  embedding_length: 4096,
  head_count: 32,
  head_count_kv: 32,
} as ModelManifest;
const GiB = 1024 ** 3;

describe("autoParallelism", () => {
  it("sizes the KV cache from the header", () => {
    expect(kvCacheBytesPerSequence(llama7b, 2048)).toBe(GiB);
  });
  it.each([
    [64 * GiB, PARALLELISM_AUTO_MAX],
    [12 * GiB, 3],
    [2 * GiB, 1],
    [0, 1],
  ])("with %d free bytes picks %d sequences", (free, expected) => {
    expect(autoParallelism(llama7b, 2048, free)).toBe(expected);
  });
  it("gives a real engine that many sequences", async () => {
    const engine = await createEngine({
      modelPath: STORIES_260K,
      threads: 1,
      contextSize: 256,
      parallelism: "auto",
    });
    try {
      expect(engine.settings.parallelism).toBe(autoParallelism(engine.manifest, 256, freemem()));
      expect(engine.settings.parallelism).toBe(PARALLELISM_AUTO_MAX);
    } finally {
      await engine.close();
    }
  });
});
