/**
 * Checks the planner's input at its edge (programmer errors: the caller maps and bounds what peers sent).
 * Each check names the field, what was expected and what was received, and tests the success path first.
 * @module
 */
import { PLAN_LAYERS_MAX, PLAN_PEERS_MAX } from "./constants.js";
import type { ShardPlanInput } from "./types.js";

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value);
}

function byteCount(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new RangeError(`"${field}" expected a safe integer ≥ 0, got ${show(value)}`);
}

function positiveFinite(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  throw new RangeError(`"${field}" expected a finite number > 0, got ${show(value)}`);
}

function nonNegativeFinite(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  throw new RangeError(`"${field}" expected a finite number ≥ 0, got ${show(value)}`);
}

function checkModel(model: ShardPlanInput["model"]): void {
  if (typeof model.model_id !== "string" || model.model_id.length === 0)
    throw new RangeError(`"model.model_id" expected a non-empty string, got ${show(model.model_id)}`);
  const layers = model.layer_weight_bytes;
  if (!Array.isArray(layers) || layers.length < 1 || layers.length > PLAN_LAYERS_MAX)
    throw new RangeError(`"model.layer_weight_bytes" expected 1 to ${PLAN_LAYERS_MAX} layers`);
  let total = byteCount(model.input_weight_bytes, "model.input_weight_bytes");
  total += byteCount(model.output_weight_bytes, "model.output_weight_bytes");
  layers.forEach((bytes, index) => (total += byteCount(bytes, `model.layer_weight_bytes[${index}]`)));
  if (!Number.isSafeInteger(total)) throw new RangeError(`"model" weights exceed 2^53 bytes in total`);
  const kvBytes = byteCount(model.kv_bytes_per_token_per_layer, "model.kv_bytes_per_token_per_layer");
  if (!Number.isSafeInteger(kvBytes * layers.length))
    throw new RangeError(`"model.kv_bytes_per_token_per_layer" is too large`);
  byteCount(model.activation_bytes_per_token, "model.activation_bytes_per_token");
}

function checkPeers(peers: ShardPlanInput["peers"]): void {
  if (!Array.isArray(peers) || peers.length > PLAN_PEERS_MAX)
    throw new RangeError(`"peers" expected a list of at most ${PLAN_PEERS_MAX} peers`);
  const seen = new Set<string>();
  peers.forEach((peer, index) => {
    if (typeof peer.id !== "string" || peer.id.length === 0 || seen.has(peer.id))
      throw new RangeError(`"peers[${index}].id" expected a non-empty id not listed before`);
    seen.add(peer.id);
    byteCount(peer.memory_bytes, `peers[${index}].memory_bytes`);
    if (byteCount(peer.throughput_bytes_per_s, `peers[${index}].throughput_bytes_per_s`) < 1)
      throw new RangeError(`"peers[${index}].throughput_bytes_per_s" expected ≥ 1, got 0`);
  });
}

/** Throws `RangeError` naming the first invalid field of `input`. */
export function checkPlanInput(input: ShardPlanInput): void {
  checkModel(input.model);
  checkPeers(input.peers);
  const options = input.options;
  const context = byteCount(options.context_tokens, "options.context_tokens");
  const kvTotal = context * input.model.kv_bytes_per_token_per_layer * input.model.layer_weight_bytes.length;
  if (!Number.isSafeInteger(kvTotal))
    throw new RangeError(`"options.context_tokens" makes the KV cache exceed 2^53 bytes`);
  byteCount(options.stage_overhead_bytes, "options.stage_overhead_bytes");
  nonNegativeFinite(options.hop_latency_ms, "options.hop_latency_ms");
  positiveFinite(options.link_bytes_per_s, "options.link_bytes_per_s");
}
