/** Runs the README's example through the public entry, so the documented code compiles and says the truth. */
import { expect, it } from "vitest";
import { planShards } from "./index.js";

it("the README example plans what it says", () => {
  const plan = planShards({
    model: {
      model_id: "toy-4",
      layer_weight_bytes: [100, 100, 100, 100],
      input_weight_bytes: 10, // token embedding: first stage only
      output_weight_bytes: 10, // final norm + output head: last stage only
      kv_bytes_per_token_per_layer: 1,
      activation_bytes_per_token: 8,
    },
    peers: [
      { id: "a", memory_bytes: 300, throughput_bytes_per_s: 1000 },
      { id: "b", memory_bytes: 300, throughput_bytes_per_s: 1000 },
    ],
    options: { context_tokens: 10, stage_overhead_bytes: 5, hop_latency_ms: 1, link_bytes_per_s: 1000 },
  });
  expect(plan.feasible).toBe(true);
  if (!plan.feasible) return;
  expect(plan.stages.map((stage) => [stage.peer_id, stage.layer_start, stage.layer_end])).toEqual([
    ["a", 0, 2],
    ["b", 2, 4],
  ]);
  expect(plan.bottleneck_ms_per_token).toBe(210);
});
