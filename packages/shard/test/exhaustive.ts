/**
 * The planner's reference: every ordered choice of distinct peers times every split of the layers into
 * that many non-empty contiguous ranges, costed with the same cost model. Exponential; small inputs only.
 * @module
 */
import {
  layerPrefixSums,
  type ShardPeer,
  type ShardPlanInput,
  type StageCostContext,
  stageMemoryBytes,
  stageMsPerToken,
} from "../src/index.js";

/** The best plan found by trying everything: its bottleneck and stage count, or null when none fits. */
export interface ExhaustiveBest {
  bottleneckMs: number;
  /** Fewest stages among plans with that bottleneck. */
  stageCount: number;
}

function* orderedSubsets(peers: readonly ShardPeer[], taken: ShardPeer[]): Generator<ShardPeer[]> {
  if (taken.length > 0) yield taken;
  for (const peer of peers) {
    if (taken.includes(peer)) continue;
    yield* orderedSubsets(peers, [...taken, peer]);
  }
}

function* splits(start: number, layerCount: number, parts: number): Generator<number[]> {
  if (parts === 1) {
    yield [layerCount];
    return;
  }
  for (let end = start + 1; end <= layerCount - parts + 1; end++)
    for (const rest of splits(end, layerCount, parts - 1)) yield [end, ...rest];
}

/** Tries every plan. */
export function exhaustiveBest(input: ShardPlanInput): ExhaustiveBest | null {
  const context: StageCostContext = {
    model: input.model,
    options: input.options,
    sums: layerPrefixSums(input.model),
  };
  const layerCount = input.model.layer_weight_bytes.length;
  let best: ExhaustiveBest | null = null;
  for (const order of orderedSubsets(input.peers, [])) {
    if (order.length > layerCount) continue;
    for (const ends of splits(0, layerCount, order.length)) {
      let start = 0;
      let slowest = 0;
      let fits = true;
      order.forEach((peer, index) => {
        const end = ends[index] as number;
        if (stageMemoryBytes(context, start, end) > peer.memory_bytes) fits = false;
        slowest = Math.max(slowest, stageMsPerToken(context, peer, start, end));
        start = end;
      });
      if (!fits) continue;
      const better =
        best === null ||
        slowest < best.bottleneckMs ||
        (slowest === best.bottleneckMs && order.length < best.stageCount);
      if (better) best = { bottleneckMs: slowest, stageCount: order.length };
    }
  }
  return best;
}
