/**
 * The layer-assignment planner: splits one model's layers into contiguous ranges, one per peer, so that
 * every range fits its peer's memory and the slowest stage (compute plus the hop to the next stage) is as
 * fast as possible — the pipeline's rate is set by its slowest stage.
 *
 * The algorithm is exact, in two parts:
 * 1. **Feasibility of a bottleneck `B`** — a DP over subsets of peers: `reach[S]` is the longest prefix of
 *    layers that the peers in `S`, each running one non-empty stage in some order, can cover with every
 *    stage ≤ `B` and within memory. Covering a longer prefix with the same peers is never worse (a stage
 *    that starts later holds a sub-range, so needs less memory and time), so each transition extends
 *    greedily: the next peer takes the furthest end that still fits (a binary search, stage cost being
 *    monotone in the end), or all the rest as the last stage. `B` is feasible iff some `reach[S]` is the
 *    layer count. Cost per probe: O(2^P · P + L · P · log L), the extension cached per (start, peer).
 * 2. **The least feasible `B`** — feasibility is monotone in `B`, and the optimum is the cost of some stage,
 *    a non-negative double. Non-negative doubles order like their bit patterns, so a binary search over
 *    the 63-bit patterns (≤ 64 probes, `PLAN_PROBES_MAX`) lands exactly on the optimal bottleneck as the
 *    cost model computes it — no tolerance, no candidate list.
 *
 * Among plans with the optimal bottleneck it returns the one with the fewest stages, then the one using
 * the earliest peers in input order; each stage but the last takes as many layers as fit. Total:
 * O(64 · (2^P · P + L · P · log L)) time, O(2^P + L · P) memory, P ≤ `PLAN_PEERS_MAX`.
 * @module
 */
import { assert } from "@tirami/core";
import { checkPlanInput } from "./check.js";
import { PLAN_PROBES_MAX } from "./constants.js";
import {
  layerPrefixSums,
  stageCost,
  type StageCostContext,
  stageMemoryBytes,
  stageMsPerToken,
} from "./cost.js";
import type { ShardPeer, ShardPlan, ShardPlanInput, ShardStage } from "./types.js";

const UNREACHED = -1;

/** The DP of one probe: `reach[S]` and the last step that reached it. */
interface Reach {
  reach: Int32Array;
  lastPeer: Int8Array;
}

function fits(
  context: StageCostContext,
  peer: ShardPeer,
  range: { start: number; end: number },
  limitMs: number,
): boolean {
  return (
    stageMemoryBytes(context, range.start, range.end) <= peer.memory_bytes &&
    stageMsPerToken(context, peer, range.start, range.end) <= limitMs
  );
}

/** The furthest end of a stage starting at `start` on `peer` within `limitMs`, or `UNREACHED`. */
function furthestEnd(context: StageCostContext, peer: ShardPeer, start: number, limitMs: number): number {
  const layerCount = context.model.layer_weight_bytes.length;
  if (fits(context, peer, { start, end: layerCount }, limitMs)) return layerCount;
  // A stage that is not last is monotone in its end: binary search the largest end < layerCount that fits.
  let low = start;
  let high = layerCount - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (fits(context, peer, { start, end: middle }, limitMs)) low = middle;
    else high = middle - 1;
  }
  return low === start ? UNREACHED : low;
}

/** Runs the subset DP for bottleneck `limitMs`. */
function reachWithin(context: StageCostContext, peers: readonly ShardPeer[], limitMs: number): Reach {
  const layerCount = context.model.layer_weight_bytes.length;
  const masks = 1 << peers.length;
  const reach = new Int32Array(masks).fill(UNREACHED);
  const lastPeer = new Int8Array(masks).fill(-1);
  const ends = new Int32Array((layerCount + 1) * peers.length).fill(-2); // -2: not computed yet
  reach[0] = 0;
  for (let mask = 0; mask < masks; mask++) {
    const start = reach[mask] as number;
    if (start === UNREACHED || start === layerCount) continue;
    for (let index = 0; index < peers.length; index++) {
      const bit = 1 << index;
      if ((mask & bit) !== 0) continue;
      const slot = start * peers.length + index;
      if (ends[slot] === -2) ends[slot] = furthestEnd(context, peers[index] as ShardPeer, start, limitMs);
      const end = ends[slot] as number;
      if (end > (reach[mask | bit] as number)) {
        reach[mask | bit] = end;
        lastPeer[mask | bit] = index;
      }
    }
  }
  return { reach, lastPeer };
}

function popCount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** The complete subset with the fewest peers (then the lowest mask), or `UNREACHED`. */
function bestCompleteMask(result: Reach, layerCount: number): number {
  let best = UNREACHED;
  for (let mask = 1; mask < result.reach.length; mask++) {
    if (result.reach[mask] !== layerCount) continue;
    if (best === UNREACHED || popCount(mask) < popCount(best)) best = mask;
  }
  return best;
}

const probeFloat = new Float64Array(1);
const probeBits = new BigUint64Array(probeFloat.buffer);

function doubleOfBits(bits: bigint): number {
  probeBits[0] = bits;
  return probeFloat[0] as number;
}

/** The least bottleneck (as a double) at which the peers can cover every layer; the search of part 2. */
function leastBottleneckMs(context: StageCostContext, peers: readonly ShardPeer[]): number {
  const layerCount = context.model.layer_weight_bytes.length;
  const complete = (limitMs: number): boolean =>
    bestCompleteMask(reachWithin(context, peers, limitMs), layerCount) !== UNREACHED;
  let low = 0n; // bits of +0
  let high = 0x7ff0_0000_0000_0000n; // bits of +Infinity: feasible, checked by the caller
  let probes = 0;
  while (low < high) {
    probes++;
    assert(probes <= PLAN_PROBES_MAX, "bottleneck search exceeded its probe bound");
    const middle = (low + high) >> 1n;
    if (complete(doubleOfBits(middle))) high = middle;
    else low = middle + 1n;
  }
  return doubleOfBits(high);
}

function stagesOf(context: StageCostContext, peers: readonly ShardPeer[], limitMs: number): ShardStage[] {
  const layerCount = context.model.layer_weight_bytes.length;
  const result = reachWithin(context, peers, limitMs);
  let mask = bestCompleteMask(result, layerCount);
  assert(mask !== UNREACHED, "the least bottleneck must be feasible");
  const stages: ShardStage[] = [];
  while (mask !== 0) {
    const index = result.lastPeer[mask] as number;
    const previous = mask & ~(1 << index);
    const peer = peers[index] as ShardPeer;
    const start = result.reach[previous] as number;
    const end = result.reach[mask] as number;
    stages.unshift({
      peer_id: peer.id,
      layer_start: start,
      layer_end: end,
      ...stageCost(context, peer, start, end),
    });
    mask = previous;
  }
  return stages;
}

function totalMemoryNeededMin(context: StageCostContext): number {
  return stageMemoryBytes(context, 0, context.model.layer_weight_bytes.length);
}

/**
 * Plans the split of `input.model` across `input.peers` (see the module comment for the algorithm).
 * @throws {RangeError} naming the field when the input is invalid (more than `PLAN_PEERS_MAX` peers,
 *   duplicate peer ids, a byte count that is not a safe integer, …).
 * @example
 * const plan = planShards({ model, peers, options });
 * if (plan.feasible) for (const s of plan.stages) console.log(s.peer_id, s.layer_start, s.layer_end);
 */
export function planShards(input: ShardPlanInput): ShardPlan {
  checkPlanInput(input);
  const { model, peers, options } = input;
  const context: StageCostContext = { model, options, sums: layerPrefixSums(model) };
  const layerCount = model.layer_weight_bytes.length;
  const head = { model_id: model.model_id, layer_count: layerCount };
  const infeasible = (reason: "NO_PEERS" | "INSUFFICIENT_MEMORY"): ShardPlan => ({
    feasible: false,
    ...head,
    reason,
    memory_bytes_available: peers.reduce((sum, peer) => sum + peer.memory_bytes, 0),
    memory_bytes_needed_min: totalMemoryNeededMin(context),
  });
  if (peers.length === 0) return infeasible("NO_PEERS");
  if (bestCompleteMask(reachWithin(context, peers, Infinity), layerCount) === UNREACHED)
    return infeasible("INSUFFICIENT_MEMORY");
  const bottleneckMs = leastBottleneckMs(context, peers);
  const stages = stagesOf(context, peers, bottleneckMs);
  const slowest = Math.max(...stages.map((stage) => stage.stage_ms_per_token));
  assert(slowest === bottleneckMs, "the plan's slowest stage is the bottleneck searched for");
  return {
    feasible: true,
    ...head,
    stages,
    bottleneck_ms_per_token: bottleneckMs,
    tokens_per_s: bottleneckMs > 0 ? 1000 / bottleneckMs : null,
    latency_ms_per_token: stages.reduce((sum, stage) => sum + stage.stage_ms_per_token, 0),
  };
}
