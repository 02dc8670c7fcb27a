/**
 * Proves `GET /v1/tirami/topology` on a real three-node mesh (full nodes over libp2p on 127.0.0.1; one
 * serves stories260K, two serve nothing): each node's configured capacity reaches the others in its signed
 * offer, and the provider's route plans the model across all three — every layer once, contiguous, each
 * node within the memory it advertised — exactly as `planShards` plans the same inputs, saying the plan is
 * not executable here. Also: a model on disk but not served is planned from its header, an unknown model
 * is 404 MODEL_NOT_FOUND, a bad parameter 400, and peers that cannot be planned on are listed with why.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { readModelManifest } from "@tirami/infer";
import { planShards } from "@tirami/shard";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";
import { TOPOLOGY_STAGE_OVERHEAD_BYTES } from "./routes/topology.js";
import { shardModelOf } from "./shard/model.js";
import type { TopologyView } from "./shard/topology.js";

/** Room for two of stories260K's layers (with 512 tokens of KV) beside the stage overhead, not three. */
const MEMORY_BYTES = TOPOLOGY_STAGE_OVERHEAD_BYTES + 700_000;
const started: TestNode[] = [];
let provider: TestNode, b: TestNode, c: TestNode;
let providerUrl: string;

async function meshNode(options: { model: boolean; throughput: number; bootstrap: string[] }) {
  const t = await createTestNode({
    model: options.model,
    flags: {
      p2p_port: 0,
      offer_interval_ms: 1_000,
      bootstrap: options.bootstrap,
      shard_memory_bytes: MEMORY_BYTES,
      shard_throughput_bytes_per_s: options.throughput,
    },
  });
  started.push(t);
  const { url } = await t.node.start();
  return { t, url };
}

const addrOf = (t: TestNode) => t.node.mesh?.host.multiaddrs()[0] as string;

beforeAll(async () => {
  ({ t: provider, url: providerUrl } = await meshNode({
    model: true,
    throughput: 4_000_000_000,
    bootstrap: [],
  }));
  ({ t: b } = await meshNode({ model: false, throughput: 2_000_000_000, bootstrap: [addrOf(provider)] }));
  ({ t: c } = await meshNode({ model: false, throughput: 1_000_000_000, bootstrap: [addrOf(provider)] }));
  await waitFor("the provider holds both peers' offers with capacity", () =>
    [b, c].every((peer) =>
      provider.node.mesh?.offers().some((offer) => offer.account === peer.node.account && offer.capacity),
    ),
  );
}, 60_000);

afterAll(async () => {
  for (const t of started.reverse()) await t.close();
});

async function topology(
  query = "",
): Promise<{ status: number; body: TopologyView & { error?: { code: string } } }> {
  const response = await fetch(`${providerUrl}/v1/tirami/topology${query}`, { headers: provider.auth() });
  return {
    status: response.status,
    body: (await response.json()) as TopologyView & { error?: { code: string } },
  };
}

describe("topology on a three-node mesh", () => {
  it("plans the served model across all three nodes within their advertised memory", async () => {
    const { status, body } = await topology("?context_tokens=512");
    expect(status).toBe(200);
    expect(body.model).toBe("stories260K");
    expect(body.executable).toBe(false);
    expect(body.excluded).toEqual([]);
    const accounts = [provider, b, c].map((t) => t.node.account);
    expect(body.candidates.map((candidate) => candidate.id)).toEqual(accounts); // fastest first
    expect(body.candidates.map((candidate) => candidate.memory_bytes)).toEqual([
      MEMORY_BYTES,
      MEMORY_BYTES,
      MEMORY_BYTES,
    ]);
    expect(body.candidates[0]?.self).toBe(true);
    const plan = body.plan;
    if (!plan.feasible) throw new Error(`expected a feasible plan, got ${JSON.stringify(plan)}`);
    // Two layers at most fit per node, so five layers need all three.
    expect(plan.stages).toHaveLength(3);
    expect(new Set(plan.stages.map((stage) => stage.peer_id))).toEqual(new Set(accounts));
    let next = 0;
    for (const stage of plan.stages) {
      expect(stage.layer_start).toBe(next);
      expect(stage.memory_bytes).toBeLessThanOrEqual(MEMORY_BYTES);
      next = stage.layer_end;
    }
    expect(next).toBe(5);
    const manifest = await readModelManifest(testModelPath());
    const direct = planShards({
      model: shardModelOf(manifest),
      peers: body.candidates.map(({ id, memory_bytes, throughput_bytes_per_s }) => ({
        id,
        memory_bytes,
        throughput_bytes_per_s,
      })),
      options: body.assumptions,
    });
    expect(plan).toEqual(direct);
    expect(body.assumptions.context_tokens).toBe(512);
  });

  it("plans a model on disk that is not served, and refuses unknown models and bad parameters", async () => {
    const modelsDir = join(provider.home, "models");
    mkdirSync(modelsDir, { recursive: true });
    copyFileSync(testModelPath(), join(modelsDir, "stories-copy.gguf"));
    const onDisk = await topology("?model=stories-copy&context_tokens=0");
    expect(onDisk.status).toBe(200);
    expect(onDisk.body.model).toBe("stories-copy");
    expect(onDisk.body.plan.feasible).toBe(true);
    const unknown = await topology("?model=no-such-model");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("MODEL_NOT_FOUND");
    const escape = await topology(`?model=${encodeURIComponent("../models/stories-copy")}`);
    expect(escape.status).toBe(404);
    const bad = await topology("?link_bytes_per_s=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("INVALID_REQUEST");
  });
});
