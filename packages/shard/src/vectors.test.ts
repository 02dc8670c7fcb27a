/**
 * Proves the planner returns the expected plan for each published vector (vectors/plan-v1.json: toy
 * models whose answers were worked out by hand, and a realistic model), and that each expected bottleneck
 * is also what an exhaustive search over every plan finds.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exhaustiveBest } from "../test/exhaustive.js";
import { planShards, type ShardPlanInput } from "./index.js";

interface Vector {
  name: string;
  input: ShardPlanInput;
  expected:
    | {
        feasible: true;
        stages: { peer_id: string; layer_start: number; layer_end: number }[];
        bottleneck_ms_per_token: number;
        memory_bytes?: number[];
      }
    | {
        feasible: false;
        reason: string;
        memory_bytes_available: number;
        memory_bytes_needed_min: number;
      };
}

const vectors = (
  JSON.parse(readFileSync(new URL("../vectors/plan-v1.json", import.meta.url), "utf8")) as {
    vectors: Vector[];
  }
).vectors;

describe("plan vectors", () => {
  it("has vectors", () => expect(vectors.length).toBeGreaterThanOrEqual(7));

  for (const vector of vectors) {
    it(vector.name, () => {
      const plan = planShards(vector.input);
      const expected = vector.expected;
      expect(plan.feasible).toBe(expected.feasible);
      const best = exhaustiveBest(vector.input);
      if (!plan.feasible || !expected.feasible) {
        expect(plan).toMatchObject(expected);
        expect(best).toBeNull();
        return;
      }
      const stages = plan.stages.map(({ peer_id, layer_start, layer_end }) => ({
        peer_id,
        layer_start,
        layer_end,
      }));
      expect(stages).toEqual(expected.stages);
      expect(plan.bottleneck_ms_per_token).toBe(expected.bottleneck_ms_per_token);
      if (expected.memory_bytes !== undefined)
        expect(plan.stages.map((stage) => stage.memory_bytes)).toEqual(expected.memory_bytes);
      expect(best).toEqual({
        bottleneckMs: expected.bottleneck_ms_per_token,
        stageCount: expected.stages.length,
      });
    });
  }
});
