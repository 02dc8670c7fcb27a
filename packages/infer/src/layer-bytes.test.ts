/**
 * Proves the manifest's split of weight bytes from the real GGUF tensor tables (no weights loaded): for
 * stories260K (5 F32 blocks, a separate output head) each block's bytes, the embedding and the head sum to
 * exactly the tensor data of the file, with every value worked out from the shapes by hand; for the
 * llama-2 tiny model (F16, its head the last tensor in the file) the same accounting holds; and the KV
 * bytes per token per layer follow head_count_kv × (key + value length) × 2 bytes. On synthetic tensor
 * tables: a head tied to the embedding counts the embedding for the last stage too, and the last tensor of
 * a later file part is estimated at the file's mean bytes per element.
 */
import { describe, expect, it } from "vitest";
import type { GgufTensorInfo } from "node-llama-cpp";
import { layerWeightBytesOf } from "./layer-bytes.js";
import { readModelManifest } from "./manifest.js";
import { LLAMA2_TINY_RANDOM, STORIES_260K } from "../test/models.js";

describe("layer weight bytes", () => {
  it("stories260K: five blocks of 181,760 bytes, embedding and head of 131,072 + 256", async () => {
    const manifest = await readModelManifest(STORIES_260K);
    // Per block, F32 (4 bytes): q 64×64, k 64×32, v 64×32, o 64×64, 3 FFN 64×172, two norms of 64.
    const block = 4 * (64 * 64 * 2 + 64 * 32 * 2 + 64 * 172 * 3 + 64 * 2);
    expect(block).toBe(181_760);
    expect(manifest.layer_weight_bytes).toEqual([block, block, block, block, block]);
    expect(manifest.input_weight_bytes).toBe(4 * 64 * 512); // token_embd
    expect(manifest.output_weight_bytes).toBe(4 * 64 + 4 * 64 * 512); // output_norm + output
    const tensorData = 5 * block + manifest.input_weight_bytes + manifest.output_weight_bytes;
    expect(manifest.file_size_bytes - tensorData).toBe(14_176); // the header, before the tensor data
    // 4 KV heads × (8 + 8) dims × 2 bytes (f16): head length = 64 ÷ 8 heads.
    expect(manifest.kv_bytes_per_token_per_layer).toBe(4 * 16 * 2);
  });

  it("llama-2 tiny: one F16 block, the rest split between embedding and head", async () => {
    const manifest = await readModelManifest(LLAMA2_TINY_RANDOM);
    expect(manifest.layer_weight_bytes).toHaveLength(1);
    // F16 matrices 4×8×8 + 3×8×32 elements; two F32 norms of 8 (32 bytes each).
    expect(manifest.layer_weight_bytes[0]).toBe(2 * (4 * 8 * 8 + 3 * 8 * 32) + 32 + 32);
    expect(manifest.input_weight_bytes).toBe(2 * 8 * 32_000);
    expect(manifest.output_weight_bytes).toBe(32 + 2 * 8 * 32_000);
    expect(manifest.kv_bytes_per_token_per_layer).toBe(2 * (4 + 4) * 2);
  });
});

function tensor(name: string, fileOffset: number, elements: number, filePart = 1): GgufTensorInfo {
  return { name, dimensions: [elements], ggmlType: 0, offset: fileOffset, fileOffset, filePart };
}

describe("layerWeightBytesOf", () => {
  it("counts a tied embedding for the last stage too", () => {
    const tensors = [
      tensor("token_embd.weight", 100, 10),
      tensor("blk.0.w", 140, 5),
      tensor("output_norm.weight", 160, 1),
    ];
    expect(layerWeightBytesOf(tensors, 1, 168)).toEqual({
      layer_weight_bytes: [20],
      input_weight_bytes: 40,
      output_weight_bytes: 8 + 40,
    });
  });

  it("estimates the last tensor of a later part at the mean bytes per element", () => {
    const tensors = [
      tensor("token_embd.weight", 0, 10),
      tensor("output.weight", 40, 10),
      tensor("blk.0.w", 80, 5),
      tensor("blk.1.w", 0, 5, 2),
      tensor("blk.1.v", 20, 5, 2),
    ];
    // Measured from offsets: 40 + 40 + 20 bytes over 25 elements = 4 bytes each; the last of each part
    // (blk.0.w, blk.1.v: sizes of the parts unknown) are estimated at 5 × 4.
    const bytes = layerWeightBytesOf(tensors, 2, 1_000);
    expect(bytes.input_weight_bytes).toBe(40);
    expect(bytes.output_weight_bytes).toBe(40);
    expect(bytes.layer_weight_bytes).toEqual([20, 20 + 20]);
  });
});
