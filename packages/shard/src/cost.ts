/**
 * The cost model of one pipeline stage, the single source both the planner and its brute-force check use.
 *
 * Decoding one token on a stage reads every weight it holds once (decoding is memory-bandwidth bound), so
 * its compute time is those bytes over the peer's throughput. The token embedding is the exception: the
 * first stage reads one row of it, not all of it, so it counts toward memory but not time. A stage that
 * is not last then sends the hidden state to the next: one hop's latency plus the bytes over the link.
 * @module
 */
import type { ShardModel, ShardPeer, ShardPlanOptions, StageCost } from "./types.js";

/** Prefix sums of a model's layer bytes: `sums[j] - sums[i]` is the bytes of layers `[i, j)`. */
export function layerPrefixSums(model: ShardModel): Float64Array {
  const sums = new Float64Array(model.layer_weight_bytes.length + 1);
  model.layer_weight_bytes.forEach((bytes, index) => (sums[index + 1] = (sums[index] as number) + bytes));
  return sums;
}

/** Everything one stage needs to cost a range on a peer. */
export interface StageCostContext {
  model: ShardModel;
  options: ShardPlanOptions;
  /** From `layerPrefixSums(model)`. */
  sums: Float64Array;
}

function readBytesOf(context: StageCostContext, start: number, end: number): number {
  const { model, sums } = context;
  const last = end === model.layer_weight_bytes.length;
  return (sums[end] as number) - (sums[start] as number) + (last ? model.output_weight_bytes : 0);
}

function weightBytesOf(context: StageCostContext, start: number, end: number): number {
  return readBytesOf(context, start, end) + (start === 0 ? context.model.input_weight_bytes : 0);
}

function kvBytesOf(context: StageCostContext, start: number, end: number): number {
  return context.model.kv_bytes_per_token_per_layer * context.options.context_tokens * (end - start);
}

function computeMsOf(context: StageCostContext, peer: ShardPeer, start: number, end: number): number {
  return (readBytesOf(context, start, end) / peer.throughput_bytes_per_s) * 1000;
}

function transferMsOf(context: StageCostContext, end: number): number {
  const { model, options } = context;
  if (end === model.layer_weight_bytes.length) return 0;
  return options.hop_latency_ms + (model.activation_bytes_per_token / options.link_bytes_per_s) * 1000;
}

/** Memory layers `[start, end)` need on one peer: weights + KV + the stage overhead. */
export function stageMemoryBytes(context: StageCostContext, start: number, end: number): number {
  return (
    weightBytesOf(context, start, end) + kvBytesOf(context, start, end) + context.options.stage_overhead_bytes
  );
}

/** Time per token of layers `[start, end)` on `peer`: compute + transfer to the next stage. */
export function stageMsPerToken(
  context: StageCostContext,
  peer: ShardPeer,
  start: number,
  end: number,
): number {
  return computeMsOf(context, peer, start, end) + transferMsOf(context, end);
}

/**
 * The cost of running layers `[start, end)` on `peer` (`0 ≤ start < end ≤ layer count`), computed with the
 * same arithmetic as `stageMemoryBytes` and `stageMsPerToken`, so a plan reports exactly what was searched.
 * @example stageCost({ model, options, sums: layerPrefixSums(model) }, peer, 0, 12).memory_bytes
 */
export function stageCost(context: StageCostContext, peer: ShardPeer, start: number, end: number): StageCost {
  return {
    weight_bytes: weightBytesOf(context, start, end),
    kv_bytes: kvBytesOf(context, start, end),
    memory_bytes: stageMemoryBytes(context, start, end),
    compute_ms_per_token: computeMsOf(context, peer, start, end),
    transfer_ms_per_token: transferMsOf(context, end),
    stage_ms_per_token: stageMsPerToken(context, peer, start, end),
  };
}
