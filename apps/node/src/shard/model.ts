/**
 * The planner's view of a model, from `@tirami/infer`'s manifest: `@tirami/shard` sits beside infer in
 * the layers and never reads GGUF itself, so the node maps one to the other here, once.
 * @module
 */
import type { ModelManifest } from "@tirami/infer";
import type { ShardModel } from "@tirami/shard";

/** Bytes of one element of the hidden state passed between stages (f32, as llama.cpp keeps activations). */
const ACTIVATION_ELEMENT_BYTES = 4;

/** The shape `planShards` needs, from a manifest. */
export function shardModelOf(manifest: ModelManifest): ShardModel {
  return {
    model_id: manifest.id,
    layer_weight_bytes: manifest.layer_weight_bytes,
    input_weight_bytes: manifest.input_weight_bytes,
    output_weight_bytes: manifest.output_weight_bytes,
    kv_bytes_per_token_per_layer: manifest.kv_bytes_per_token_per_layer,
    activation_bytes_per_token: manifest.embedding_length * ACTIVATION_ELEMENT_BYTES,
  };
}
