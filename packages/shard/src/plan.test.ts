/**
 * Proves the planner's invariants on random small inputs with fast-check: a feasible plan assigns every
 * layer exactly once in contiguous non-empty ranges, uses each peer at most once, keeps every stage within
 * its peer's memory and reports its slowest stage as the bottleneck; its bottleneck and stage count equal
 * the best an exhaustive search over every plan finds, and it is infeasible exactly when that search finds
 * nothing. Also: invalid input is refused naming the field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exhaustiveBest } from "../test/exhaustive.js";
import { PLAN_PEERS_MAX, planShards, type ShardPlanInput } from "./index.js";

const bytes = (max: number) => fc.integer({ min: 0, max });

const inputArbitrary: fc.Arbitrary<ShardPlanInput> = fc.record({
  model: fc.record({
    model_id: fc.constant("m"),
    layer_weight_bytes: fc.array(bytes(1_000), { minLength: 1, maxLength: 6 }),
    input_weight_bytes: bytes(500),
    output_weight_bytes: bytes(500),
    kv_bytes_per_token_per_layer: bytes(8),
    activation_bytes_per_token: bytes(64),
  }),
  peers: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom("a", "b", "c", "d"),
      memory_bytes: bytes(4_000),
      throughput_bytes_per_s: fc.integer({ min: 1, max: 10_000 }),
    }),
    { maxLength: 4, selector: (peer) => peer.id },
  ),
  options: fc.record({
    context_tokens: bytes(32),
    stage_overhead_bytes: bytes(200),
    hop_latency_ms: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 500, noNaN: true })),
    link_bytes_per_s: fc.integer({ min: 1, max: 100_000 }),
  }),
});

describe("planShards", () => {
  it("assigns every layer once, contiguously, within memory, each peer at most once", () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const plan = planShards(input);
        if (!plan.feasible) return;
        const layerCount = input.model.layer_weight_bytes.length;
        let next = 0;
        for (const stage of plan.stages) {
          expect(stage.layer_start).toBe(next);
          expect(stage.layer_end).toBeGreaterThan(stage.layer_start);
          const peer = input.peers.find((candidate) => candidate.id === stage.peer_id);
          expect(stage.memory_bytes).toBeLessThanOrEqual(peer?.memory_bytes ?? -1);
          next = stage.layer_end;
        }
        expect(next).toBe(layerCount);
        expect(new Set(plan.stages.map((stage) => stage.peer_id)).size).toBe(plan.stages.length);
        expect(plan.bottleneck_ms_per_token).toBe(
          Math.max(...plan.stages.map((stage) => stage.stage_ms_per_token)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("finds the optimal bottleneck with the fewest stages, as an exhaustive search does", () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const plan = planShards(input);
        const best = exhaustiveBest(input);
        if (best === null) {
          expect(plan.feasible).toBe(false);
          return;
        }
        expect(plan.feasible).toBe(true);
        if (!plan.feasible) return;
        expect(plan.bottleneck_ms_per_token).toBe(best.bottleneckMs);
        expect(plan.stages.length).toBe(best.stageCount);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses invalid input naming the field", () => {
    const base: ShardPlanInput = {
      model: {
        model_id: "m",
        layer_weight_bytes: [1, 2],
        input_weight_bytes: 0,
        output_weight_bytes: 0,
        kv_bytes_per_token_per_layer: 0,
        activation_bytes_per_token: 0,
      },
      peers: [{ id: "a", memory_bytes: 10, throughput_bytes_per_s: 1 }],
      options: { context_tokens: 0, stage_overhead_bytes: 0, hop_latency_ms: 0, link_bytes_per_s: 1 },
    };
    expect(() => planShards({ ...base, model: { ...base.model, layer_weight_bytes: [1, -1] } })).toThrow(
      /model\.layer_weight_bytes\[1\]/,
    );
    expect(() => planShards({ ...base, peers: [base.peers[0]!, { ...base.peers[0]! }] })).toThrow(
      /peers\[1\]\.id/,
    );
    expect(() =>
      planShards({ ...base, peers: [{ id: "a", memory_bytes: 10, throughput_bytes_per_s: 0 }] }),
    ).toThrow(/throughput_bytes_per_s/);
    const many = Array.from({ length: PLAN_PEERS_MAX + 1 }, (_, index) => ({
      id: `p${index}`,
      memory_bytes: 10,
      throughput_bytes_per_s: 1,
    }));
    expect(() => planShards({ ...base, peers: many })).toThrow(/at most 12 peers/);
    expect(() => planShards({ ...base, options: { ...base.options, link_bytes_per_s: 0 } })).toThrow(
      /options\.link_bytes_per_s/,
    );
  });
});
