/**
 * The model manifest: what a GGUF file is (architecture, shape, vocabulary, quantization, size), read
 * from its header without loading the weights (docs/upstream.md §8.5). The node advertises it in its offers.
 * @module
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { GgmlType, GgufFileType, readGgufFileInfo } from "node-llama-cpp";
import { ModelLoadError } from "./errors.js";
import { layerWeightBytesOf } from "./layer-bytes.js";

/** What a GGUF model is. Field names are snake_case because the manifest travels on the wire. */
export interface ModelManifest {
  /** Model id: the file name without `.gguf` (e.g. `qwen2.5-0.5b-instruct-q4_k_m`). */
  id: string;
  /** `general.architecture`, e.g. `llama`, `qwen2`. */
  architecture: string;
  /** `general.name` when present. */
  name: string | null;
  /** Transformer blocks (`<arch>.block_count`), i.e. layers. */
  block_count: number;
  /** Training context length in tokens (`<arch>.context_length`; 0 when absent). */
  context_length_tokens: number;
  /** Embedding width (`<arch>.embedding_length`). */
  embedding_length: number;
  /** Attention heads (`<arch>.attention.head_count`). */
  head_count: number;
  /** Key/value heads (`<arch>.attention.head_count_kv`; equals `head_count` when absent). */
  head_count_kv: number;
  /** Vocabulary size (`<arch>.vocab_size`, else the length of `tokenizer.ggml.tokens`). */
  vocab_size: number;
  /** Tokenizer model (`tokenizer.ggml.model`), e.g. `llama`, `gpt2`. */
  tokenizer_model: string | null;
  /** Whether the file carries a chat template (`tokenizer.chat_template`). */
  has_chat_template: boolean;
  /** `general.file_type` as stored, or null when the file does not say. */
  file_type: number | null;
  /** Quantization label: from `general.file_type` when present, else the dominant tensor type. */
  quantization: string;
  /** Total parameters, summed over the tensor shapes. */
  parameter_count: number;
  /** File size in bytes. */
  file_size_bytes: number;
  /** Weight bytes of each block, in order (`layer-bytes.ts`): what a split of the model moves. */
  layer_weight_bytes: number[];
  /** Weights outside blocks that the first stage holds: the token embedding and the like. */
  input_weight_bytes: number;
  /** Weights the last stage holds: final norm and output head (the token embedding when tied). */
  output_weight_bytes: number;
  /**
   * KV-cache bytes per token of context per layer at llama.cpp's default f16 cache:
   * `head_count_kv × (key_length + value_length) × 2`, the lengths defaulting to `embedding_length ÷ head_count`.
   */
  kv_bytes_per_token_per_layer: number;
}

/** Bytes of one f16 KV-cache element (llama.cpp's default cache type). */
const KV_ELEMENT_BYTES = 2;

/** Labels of `general.file_type` (llama.cpp `llama_ftype`), shortened from `GgufFileType` names. */
function fileTypeLabel(fileType: number): string {
  const name = GgufFileType[fileType];
  if (name === undefined) return "unknown";
  return name.replace(/^MOSTLY_/, "").replace(/^ALL_/, "");
}

function numberOrZero(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "bigint" && value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(value);
  return 0;
}

/**
 * Reads the manifest of a GGUF file from its header.
 * @throws {ModelLoadError} when the file is missing or not a readable GGUF file.
 */
export async function readModelManifest(modelPath: string): Promise<ModelManifest> {
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(modelPath)).size;
    info = await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false });
  } catch (error) {
    throw new ModelLoadError(`cannot read GGUF header of ${modelPath}: ${(error as Error).message}`, {
      cause: error,
      details: { path: modelPath },
    });
  }
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = metadata["general"] ?? {};
  const architecture = typeof general["architecture"] === "string" ? general["architecture"] : "unknown";
  const arch = (metadata[architecture] ?? {}) as Record<string, unknown>;
  const attention = (arch["attention"] ?? {}) as Record<string, unknown>;
  const tokenizer = (metadata["tokenizer"] ?? {}) as Record<string, unknown>;
  const ggml = (tokenizer["ggml"] ?? {}) as Record<string, unknown>;
  const tokens = ggml["tokens"];
  const headCount = numberOrZero(attention["head_count"]);
  const headCountKv = numberOrZero(attention["head_count_kv"]) || headCount;
  const embeddingLength = numberOrZero(arch["embedding_length"]);
  const headLength = headCount > 0 ? Math.floor(embeddingLength / headCount) : 0;
  const keyLength = numberOrZero(attention["key_length"]) || headLength;
  const valueLength = numberOrZero(attention["value_length"]) || headLength;
  const blockCount = numberOrZero(arch["block_count"]);
  const fileType = typeof general["file_type"] === "number" ? general["file_type"] : null;

  let parameterCount = 0;
  const elementsByType = new Map<number, number>();
  for (const tensor of info.fullTensorInfo ?? []) {
    const elements = tensor.dimensions.reduce<number>((product, d) => product * Number(d), 1);
    parameterCount += elements;
    elementsByType.set(tensor.ggmlType, (elementsByType.get(tensor.ggmlType) ?? 0) + elements);
  }
  let dominantType: number | undefined;
  for (const [type, elements] of elementsByType)
    if (dominantType === undefined || elements > (elementsByType.get(dominantType) ?? 0)) dominantType = type;

  return {
    id: basename(modelPath).replace(/\.gguf$/i, ""),
    architecture,
    name: typeof general["name"] === "string" ? general["name"] : null,
    block_count: blockCount,
    context_length_tokens: numberOrZero(arch["context_length"]),
    embedding_length: embeddingLength,
    head_count: headCount,
    head_count_kv: headCountKv,
    vocab_size: numberOrZero(arch["vocab_size"]) || (Array.isArray(tokens) ? tokens.length : 0),
    tokenizer_model: typeof ggml["model"] === "string" ? ggml["model"] : null,
    has_chat_template:
      typeof tokenizer["chat_template"] === "string" && tokenizer["chat_template"].length > 0,
    file_type: fileType,
    quantization:
      fileType !== null
        ? fileTypeLabel(fileType)
        : dominantType !== undefined
          ? (GgmlType[dominantType] ?? "unknown")
          : "unknown",
    parameter_count: parameterCount,
    file_size_bytes: sizeBytes,
    ...layerWeightBytesOf(info.fullTensorInfo ?? [], blockCount, sizeBytes),
    kv_bytes_per_token_per_layer: headCountKv * (keyLength + valueLength) * KV_ELEMENT_BYTES,
  };
}
