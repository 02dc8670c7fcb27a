/**
 * The plan for splitting one model across the current mesh (`GET /v1/tirami/topology`): this node and
 * every peer whose offer advertises a capacity, mapped to `@tirami/shard`'s input and planned. Peers that
 * cannot be planned on are listed with the reason (an offer without capacity — e.g. from an older node —,
 * a capacity without throughput, or more candidates than the planner takes: the fastest are kept).
 *
 * Planning only: no engine here can run a split model (see packages/shard/README.md), so the view says
 * `executable: false` rather than pretending.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { ModelManifest } from "@tirami/infer";
import type { OfferCapacity, ProviderOffer } from "@tirami/proto";
import {
  PLAN_PEERS_MAX,
  planShards,
  type ShardPeer,
  type ShardPlan,
  type ShardPlanOptions,
} from "@tirami/shard";
import { shardModelOf } from "./model.js";

/** Why a node is not among the planner's candidates. */
export type TopologyExclusion = "NO_CAPACITY" | "NO_THROUGHPUT" | "PEERS_MAX";

/** One node the planner was given. */
export interface TopologyCandidate extends ShardPeer {
  id: AccountId;
  /** True for this node. */
  self: boolean;
}

/** The topology view. */
export interface TopologyView {
  object: "tirami.topology";
  model: string;
  layer_count: number;
  /** Whether this node can run the plan: always false until an engine can run a split model. */
  executable: false;
  note: string;
  assumptions: ShardPlanOptions;
  candidates: TopologyCandidate[];
  excluded: { account: AccountId; reason: TopologyExclusion }[];
  plan: ShardPlan;
}

/** What a topology is planned from. */
export interface TopologyInput {
  manifest: ModelManifest;
  self: { account: AccountId; capacity: OfferCapacity | undefined };
  /** Live offers of the other nodes. */
  offers: readonly ProviderOffer[];
  assumptions: ShardPlanOptions;
}

const NOTE =
  "Planning only: running a split model needs an engine that supports it; node-llama-cpp does not expose llama.cpp's RPC backend, so inference still runs whole on one node (packages/shard/README.md).";

/** Faster first, then more memory, then by account, so the same mesh always gives the same plan. */
function byPreference(a: TopologyCandidate, b: TopologyCandidate): number {
  return (
    b.throughput_bytes_per_s - a.throughput_bytes_per_s ||
    b.memory_bytes - a.memory_bytes ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Plans `input.manifest` across this node and the offers (see the module comment). */
export function planTopology(input: TopologyInput): TopologyView {
  const excluded: TopologyView["excluded"] = [];
  const all: TopologyCandidate[] = [];
  const consider = (account: AccountId, capacity: OfferCapacity | undefined, self: boolean): void => {
    if (capacity === undefined) excluded.push({ account, reason: "NO_CAPACITY" });
    else if (capacity.throughput_bytes_per_s === undefined)
      excluded.push({ account, reason: "NO_THROUGHPUT" });
    else
      all.push({
        id: account,
        self,
        memory_bytes: capacity.memory_bytes,
        throughput_bytes_per_s: capacity.throughput_bytes_per_s,
      });
  };
  consider(input.self.account, input.self.capacity, true);
  for (const offer of input.offers)
    if (offer.account !== input.self.account) consider(offer.account, offer.capacity, false);
  all.sort(byPreference);
  const candidates = all.slice(0, PLAN_PEERS_MAX);
  for (const extra of all.slice(PLAN_PEERS_MAX)) excluded.push({ account: extra.id, reason: "PEERS_MAX" });
  const model = shardModelOf(input.manifest);
  const plan = planShards({
    model,
    peers: candidates.map(({ id, memory_bytes, throughput_bytes_per_s }) => ({
      id,
      memory_bytes,
      throughput_bytes_per_s,
    })),
    options: input.assumptions,
  });
  return {
    object: "tirami.topology",
    model: model.model_id,
    layer_count: model.layer_weight_bytes.length,
    executable: false,
    note: NOTE,
    assumptions: input.assumptions,
    candidates,
    excluded,
    plan,
  };
}
