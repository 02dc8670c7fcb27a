/**
 * Where a GGUF model's weight bytes sit, by transformer block — what a planner needs to split a model
 * into contiguous layer ranges (`@tirami/shard`), read from the tensor table without loading weights.
 *
 * A tensor's bytes are the distance from its data offset to the next tensor's in the same file part, and
 * the last one's runs to the end of the file; this includes the alignment padding, which is what the
 * loaded tensor occupies. Tensors named `blk.N.*` belong to block N; `output.*` and `output_norm.*` are the
 * output head (the last stage's); everything else (the token embedding, rope tables) is input (the first
 * stage's). When the output head is tied to the token embedding (no `output.weight`), the last stage needs
 * the embedding too, so its bytes count for both.
 * @module
 */
import type { GgufTensorInfo } from "node-llama-cpp";

/** Weight bytes of a model by where a pipeline stage needs them. */
export interface LayerWeightBytes {
  /** Bytes of each block's tensors (`blk.N.*`), index N. */
  layer_weight_bytes: number[];
  /** Token embedding and other tensors outside blocks and the output head. */
  input_weight_bytes: number;
  /** Final norm and output head (the token embedding when tied). */
  output_weight_bytes: number;
}

const BLOCK_RE = /^blk\.(\d+)\./;
const OUTPUT_RE = /^output(_norm)?\./;
const TOKEN_EMBEDDING = "token_embd.weight";

function elementsOf(tensor: GgufTensorInfo): number {
  return tensor.dimensions.reduce<number>((product, d) => product * Number(d), 1);
}

/**
 * Bytes of every tensor. The last tensor of a part other than the first cannot be measured from offsets
 * (the other parts' sizes are unknown here), so it is estimated at the file's mean bytes per element.
 */
function tensorBytes(tensors: readonly GgufTensorInfo[], fileSizeBytes: number): Map<GgufTensorInfo, number> {
  const sizes = new Map<GgufTensorInfo, number>();
  const parts = new Map<number, GgufTensorInfo[]>();
  for (const tensor of tensors) parts.set(tensor.filePart, [...(parts.get(tensor.filePart) ?? []), tensor]);
  const unmeasured: GgufTensorInfo[] = [];
  for (const [part, members] of parts) {
    members.sort((a, b) => Number(a.fileOffset) - Number(b.fileOffset));
    members.forEach((tensor, index) => {
      const next = members[index + 1];
      if (next !== undefined) sizes.set(tensor, Number(next.fileOffset) - Number(tensor.fileOffset));
      else if (part === 1 && parts.size === 1) sizes.set(tensor, fileSizeBytes - Number(tensor.fileOffset));
      else unmeasured.push(tensor);
    });
  }
  let bytes = 0;
  let elements = 0;
  for (const [tensor, size] of sizes) {
    bytes += size;
    elements += elementsOf(tensor);
  }
  const bytesPerElement = elements > 0 ? bytes / elements : 0;
  for (const tensor of unmeasured) sizes.set(tensor, Math.ceil(elementsOf(tensor) * bytesPerElement));
  return sizes;
}

/** Splits a model's tensor bytes by block, input and output (see the module comment). */
export function layerWeightBytesOf(
  tensors: readonly GgufTensorInfo[],
  blockCount: number,
  fileSizeBytes: number,
): LayerWeightBytes {
  const sizes = tensorBytes(tensors, fileSizeBytes);
  const layers = new Array<number>(blockCount).fill(0);
  let input = 0;
  let output = 0;
  let tied = true;
  for (const [tensor, size] of sizes) {
    const block = BLOCK_RE.exec(tensor.name);
    if (block !== null && Number(block[1]) < blockCount) {
      const index = Number(block[1]);
      layers[index] = (layers[index] as number) + size;
    } else if (OUTPUT_RE.test(tensor.name)) {
      output += size;
      if (tensor.name === "output.weight") tied = false;
    } else input += size;
  }
  const embedding = tensors.find((tensor) => tensor.name === TOKEN_EMBEDDING);
  if (tied && embedding !== undefined) output += sizes.get(embedding) ?? 0;
  return { layer_weight_bytes: layers, input_weight_bytes: input, output_weight_bytes: output };
}
