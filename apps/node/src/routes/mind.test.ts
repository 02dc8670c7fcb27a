/**
 * Proves the mind's HTTP API on a real node with the real stories260K model (greedy, `general` chat
 * format): before init every mind route answers 409; init defaults the harness's route to the loaded
 * model; a benchmark measures it; an improvement cycle through the rewrite optimiser is kept and shows in
 * state, stats, versions, the diff and the cycle list; an agent may read but not improve (403) and may
 * not be named `mind`; the gate takes a policy for the `mind` spender; bad bodies are 400; and after the
 * node restarts on the same home, the harness lineage, cycles and stats are the same.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../../test/fixture.js";

let t: TestNode;
let model: string;

beforeAll(async () => {
  t = await createTestNode({ model: true });
  model = t.node.engine?.manifest.id as string;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const response = await t.node.http.app.request(`/v1/tirami/mind${path}`, {
    method,
    headers: { ...t.auth(token), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("the mind's API", () => {
  it("answers 409 before init, then inits on the local model and benchmarks it", async () => {
    expect(await call("GET", "/state")).toMatchObject({
      status: 409,
      body: { error: { code: "MIND_NOT_INITIALISED" } },
    });
    expect((await call("POST", "/improve", { n_cycles: 1 })).status).toBe(409);
    expect((await call("POST", "/init", { system_prompt: "x", optimiser: { kind: "nope" } })).status).toBe(
      400,
    );
    expect((await call("POST", "/init", { system_prompt: "x", tasks: [{ prompt: "a" }] })).status).toBe(400);
    const init = await call("POST", "/init", {
      system_prompt: "You are a helpful assistant.",
      budget: { max_trm_per_cycle: 100 },
    });
    expect(init).toMatchObject({
      status: 201,
      body: {
        ok: true,
        harness_version: 1,
        task_set: { name: "stories", task_count: 6 },
        optimiser: { kind: "rewrite" },
      },
    });
    expect((await call("GET", "/harness")).body).toMatchObject({
      version: 1,
      parent_version: null,
      model_routes: { default: model },
    });
    expect((await call("POST", "/init", { system_prompt: "again" })).status).toBe(409);
    const bench = await call("POST", "/bench", {});
    expect(bench).toMatchObject({ status: 200, body: { score: 0, sample_count: 6, cost_trm: 0 } });
    const custom = await call("POST", "/bench", {
      tasks_jsonl: '{"prompt":"Tell me a story.","max_tokens":24,"check":{"type":"regex","pattern":"\\""}}\n',
    });
    expect(custom.body).toMatchObject({ task_set: "custom", sample_count: 1, score: 1 });
  });

  it("runs a kept cycle and shows it in state, stats, versions, diff and cycles", async () => {
    const run = await call("POST", "/improve", { n_cycles: 1 });
    expect(run).toMatchObject({
      status: 200,
      body: {
        cycles_executed: 1,
        harness_version: 2,
        stopped: null,
        cycles: [{ decision: "keep", candidate_score: 0.333333 }],
      },
    });
    expect((await call("GET", "/state")).body).toMatchObject({
      harness_version: 2,
      cycle_history_len: 1,
      budget_cycles_today: 1,
    });
    expect((await call("GET", "/stats")).body).toMatchObject({
      cycle_count: 1,
      kept: 1,
      reverted: 0,
      deferred: 0,
      total_trm_invested: 0,
      first_score: 0,
      latest_score: 0.333333,
      score_delta: 0.333333,
    });
    expect(
      (await call("GET", "/harness/versions")).body.versions.map((v: { version: number }) => v.version),
    ).toEqual([2, 1]);
    const diff = await call("GET", "/harness/2/diff");
    expect(diff.body).toMatchObject({ from: 1, to: 2, changes: [{ field: "system_prompt" }] });
    expect((await call("GET", "/harness/9")).status).toBe(404);
    expect((await call("GET", "/cycles")).body.cycles).toHaveLength(1);
    expect((await call("GET", "/cycles/1")).body).toMatchObject({
      decision: "keep",
      proposal: { proposer: "rewrite:require_words" },
    });
    expect((await call("POST", "/budget", { max_cycles_per_day: 1 })).body).toMatchObject({
      ok: true,
      max_cycles_per_day: 1,
    });
    const none = await call("POST", "/improve", { n_cycles: 2, optimiser: { kind: "echo" } });
    expect(none.body).toMatchObject({ cycles_executed: 0, stopped: { code: "CYCLES_PER_DAY_REACHED" } });
    expect((await call("POST", "/improve", { n_cycles: 101 })).status).toBe(400);
  });

  it("lets an agent read but not spend, reserves the name, and takes a gate policy for the mind", async () => {
    const created = await t.node.http.app.request("/v1/tirami/agents", {
      method: "POST",
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ name: "reader" }),
    });
    const agentToken = ((await created.json()) as { token: string }).token;
    expect((await call("GET", "/stats", undefined, agentToken)).status).toBe(200);
    expect((await call("POST", "/improve", { n_cycles: 1 }, agentToken)).status).toBe(403);
    const named = await t.node.http.app.request("/v1/tirami/agents", {
      method: "POST",
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ name: "mind" }),
    });
    expect(named.status).toBe(400);
    const policy = await t.node.http.app.request("/v1/tirami/policy", {
      method: "PUT",
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ spender: "mind", hourly_max_trm: 500 }),
    });
    expect(policy.status).toBe(200);
    expect(t.node.ledger.safety.getPolicy("mind").hourly_max_trm).toBe(500);
  });

  it("keeps the lineage, cycles and stats across a restart", async () => {
    const before = {
      stats: (await call("GET", "/stats")).body,
      versions: (await call("GET", "/harness/versions")).body,
    };
    const home = t.home;
    await t.node.stop();
    const restarted = await createTestNode({ model: true, flags: { home } });
    const first = t;
    t = restarted;
    try {
      expect({
        stats: (await call("GET", "/stats")).body,
        versions: (await call("GET", "/harness/versions")).body,
      }).toEqual(before);
    } finally {
      await restarted.close(); // stops the node on `home` (its own temporary home is unused)
      rmSync(first.home, { recursive: true, force: true });
    }
  });
});
