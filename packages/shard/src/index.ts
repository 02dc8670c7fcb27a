/**
 * @tirami/shard (L0) — the layer-assignment planner for splitting one model across peers: contiguous layer
 * ranges that fit each peer's memory, chosen so the slowest pipeline stage (compute plus the hop to the
 * next stage) is as fast as possible. It plans; running a split model needs an engine that can (see README).
 * @packageDocumentation
 */

/** The planner. */
export { planShards } from "./plan.js";

/** The cost model it optimises, for callers that want to price a stage themselves. */
export {
  layerPrefixSums,
  stageCost,
  type StageCostContext,
  stageMemoryBytes,
  stageMsPerToken,
} from "./cost.js";

/** Input and output. */
export type {
  FeasibleShardPlan,
  InfeasibleShardPlan,
  ShardModel,
  ShardPeer,
  ShardPlan,
  ShardPlanInput,
  ShardPlanOptions,
  ShardStage,
  StageCost,
} from "./types.js";

/** Limits. */
export { PLAN_LAYERS_MAX, PLAN_PEERS_MAX, PLAN_PROBES_MAX } from "./constants.js";
