/**
 * The planner's input and output. Field names are snake_case because plans leave the process (the node's
 * `GET /v1/tirami/topology`); byte and time fields carry their unit.
 * @module
 */

/** What the planner needs to know about a model: its shape in bytes, not its file format. */
export interface ShardModel {
  model_id: string;
  /** Weight bytes of each transformer block, in order (block 0 first). */
  layer_weight_bytes: readonly number[];
  /** Weights only the first stage holds: the token embedding (one row of it is read per token). */
  input_weight_bytes: number;
  /** Weights only the last stage holds and reads for every token: the final norm and the output head. */
  output_weight_bytes: number;
  /** KV-cache bytes one layer needs per token of context. */
  kv_bytes_per_token_per_layer: number;
  /** Bytes one stage sends the next per token (the hidden state). */
  activation_bytes_per_token: number;
}

/** A peer that could run a stage, with what it advertised. */
export interface ShardPeer {
  /** The peer's account (any unique id; plans name stages by it). */
  id: string;
  /** Memory it offers for weights, KV cache and buffers. */
  memory_bytes: number;
  /** Weight bytes it reads per second while decoding (decoding is memory-bandwidth bound), ≥ 1. */
  throughput_bytes_per_s: number;
}

/** Assumptions the planner cannot read from the model or the peers. */
export interface ShardPlanOptions {
  /** Tokens of KV cache each stage reserves for its layers. */
  context_tokens: number;
  /** Fixed memory each stage needs besides weights and KV (compute buffers, runtime). */
  stage_overhead_bytes: number;
  /** Latency of one hop between consecutive stages, per token. */
  hop_latency_ms: number;
  /** Bandwidth of one hop. */
  link_bytes_per_s: number;
}

export interface ShardPlanInput {
  model: ShardModel;
  /** Candidate peers, in order of preference (ties go to earlier peers); at most `PLAN_PEERS_MAX`. */
  peers: readonly ShardPeer[];
  options: ShardPlanOptions;
}

/** What one stage costs: the memory it needs and its time per generated token. */
export interface StageCost {
  /** Weights held: its layers, plus the input weights when first and the output weights when last. */
  weight_bytes: number;
  kv_bytes: number;
  /** weight + KV + the stage overhead: what must fit in the peer's `memory_bytes`. */
  memory_bytes: number;
  /** Weight bytes read per token ÷ throughput. */
  compute_ms_per_token: number;
  /** Sending the activation to the next stage; 0 for the last stage. */
  transfer_ms_per_token: number;
  /** compute + transfer: the stage's share of the pipeline. */
  stage_ms_per_token: number;
}

/** One stage of a plan: a peer and the layers it runs, `[layer_start, layer_end)`. */
export interface ShardStage extends StageCost {
  peer_id: string;
  layer_start: number;
  /** Exclusive. */
  layer_end: number;
}

/** A plan that fits. */
export interface FeasibleShardPlan {
  feasible: true;
  model_id: string;
  layer_count: number;
  /** In pipeline order: stage i ends where stage i + 1 starts; the first starts at 0, the last ends at `layer_count`. */
  stages: ShardStage[];
  /** The slowest stage: what the plan minimises. */
  bottleneck_ms_per_token: number;
  /** 1,000 ÷ bottleneck: the pipeline's steady-state rate with enough requests in flight (null at 0 ms). */
  tokens_per_s: number | null;
  /** Sum of all stages: one token's trip through the pipeline. */
  latency_ms_per_token: number;
}

/** No assignment of the layers fits in the peers' memory. */
export interface InfeasibleShardPlan {
  feasible: false;
  model_id: string;
  layer_count: number;
  reason: "NO_PEERS" | "INSUFFICIENT_MEMORY";
  /** Memory of all peers together. */
  memory_bytes_available: number;
  /** Least memory any plan needs: the whole model in one stage (more stages need more overhead). */
  memory_bytes_needed_min: number;
}

export type ShardPlan = FeasibleShardPlan | InfeasibleShardPlan;
