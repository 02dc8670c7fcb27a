/**
 * Proves how the topology picks the planner's candidates from real signed offers: an offer without
 * capacity (as older nodes send) is listed as NO_CAPACITY, one without throughput as NO_THROUGHPUT, and
 * past the planner's limit the fastest are kept and the rest listed as PEERS_MAX; the plan is made on
 * stories260K's real manifest and names only candidates.
 */
import { createSigner, generateSeed } from "@tirami/core";
import { readModelManifest } from "@tirami/infer";
import { type OfferCapacity, PROTOCOL_VERSION, type ProviderOffer, signProviderOffer } from "@tirami/proto";
import { PLAN_PEERS_MAX } from "@tirami/shard";
import { testModelPath } from "@tirami/test-kit";
import { describe, expect, it } from "vitest";
import { planTopology } from "./topology.js";

function offer(capacity: OfferCapacity | undefined): ProviderOffer {
  const signer = createSigner(generateSeed());
  return signProviderOffer(
    {
      account: signer.accountId,
      models: [],
      free_capacity: 0,
      protocol_version: PROTOCOL_VERSION,
      merkle_root: "00".repeat(32),
      trade_count: 0,
      timestamp_ms: 1_764_000_000_000,
      ...(capacity === undefined ? {} : { capacity }),
    },
    signer,
  );
}

describe("planTopology", () => {
  it("lists who cannot be planned on and why, keeping the fastest candidates", async () => {
    const manifest = await readModelManifest(testModelPath());
    const self = createSigner(generateSeed()).accountId;
    const old = offer(undefined);
    const memoryOnly = offer({ memory_bytes: 1_000_000_000 });
    const planned = Array.from({ length: PLAN_PEERS_MAX + 1 }, (_, index) =>
      offer({ memory_bytes: 1_000_000_000, throughput_bytes_per_s: 1_000 + index }),
    );
    const view = planTopology({
      manifest,
      self: { account: self, capacity: { memory_bytes: 1_000_000_000, throughput_bytes_per_s: 10 } },
      offers: [old, memoryOnly, ...planned],
      assumptions: {
        context_tokens: 512,
        stage_overhead_bytes: 0,
        hop_latency_ms: 2,
        link_bytes_per_s: 1_000_000,
      },
    });
    // Self (10 B/s) and the slowest offer (1,000 B/s) are the two slowest of 15; 12 are kept.
    expect(view.excluded).toEqual([
      { account: old.account, reason: "NO_CAPACITY" },
      { account: memoryOnly.account, reason: "NO_THROUGHPUT" },
      { account: planned[0]?.account, reason: "PEERS_MAX" },
      { account: self, reason: "PEERS_MAX" },
    ]);
    expect(view.candidates).toHaveLength(PLAN_PEERS_MAX);
    expect(view.candidates[0]?.id).toBe(planned[PLAN_PEERS_MAX]?.account);
    expect(view.plan.feasible).toBe(true);
    if (!view.plan.feasible) return;
    const ids = new Set<string>(view.candidates.map((candidate) => candidate.id));
    for (const stage of view.plan.stages) expect(ids.has(stage.peer_id)).toBe(true);
    expect(view.layer_count).toBe(5);
  });
});
