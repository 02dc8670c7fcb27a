/**
 * Proves the mind on this node's own model (stories260K through `@tirami/infer`, greedy, the `general`
 * chat format), with a real ledger's safety gate and a real SQLite store: the built-in task set's score
 * depends on the system prompt (0 of 6 for a plain assistant prompt, 2 of 6 once it asks for the
 * missing words); an echo cycle is reverted, a rule-based rewrite that scores better is kept and an
 * operator's worse prompt is reverted, each proposal a new version whose parent is the current one;
 * harness lineage, cycles and stats survive reopening the store; the day's cycle count stops a run
 * before it records anything; and `stop()` and the kill switch each stop a cycle mid-way, recorded as
 * deferred.
 */
import { join } from "node:path";
import { createSigner, generateSeed, systemClock } from "@tirami/core";
import { createEngine, type Engine } from "@tirami/infer";
import { type Ledger, openLedger } from "@tirami/ledger";
import { suiteTempDir, testModelPath } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_TASK_SETS } from "./builtin-tasks.js";
import type { MindEngine } from "./inference.js";
import { createMind, type Mind } from "./mind.js";
import { type MindStore, openMindStore } from "./store.js";

const dir = suiteTempDir("tirami-mind-");
let engine: Engine;
let ledger: Ledger;
let store: MindStore;
let model: string;
const PLAIN = "You are a helpful assistant.";
const me = createSigner(generateSeed()).accountId;

function mindOn(s: MindStore, e: MindEngine = engine): Mind {
  return createMind({ store: s, account: me, clock: systemClock, safety: ledger.safety, engine: () => e });
}

beforeAll(async () => {
  engine = await createEngine({
    modelPath: testModelPath(),
    threads: 1,
    contextSize: 512,
    chatWrapper: "general",
  });
  model = engine.manifest.id;
  ledger = openLedger({ path: join(dir, "ledger.db"), localAccount: me });
  store = openMindStore({ path: join(dir, "mind.db"), clock: systemClock });
});

afterAll(async () => {
  store?.close();
  ledger?.close();
  await engine?.close();
});

describe("a mind on the local model", () => {
  it("scores the built-in task set by what the system prompt makes the model write", async () => {
    const mind = mindOn(store);
    mind.init({ harness: { system_prompt: PLAIN, model_routes: { default: model } } });
    const plain = await mind.bench();
    expect([plain.score, plain.sample_count, plain.cost_trm]).toEqual([0, 6, 0]);
    expect(plain.completion_tokens).toBeGreaterThan(0);
    const asked = await mind.bench({
      tasks: { name: "stories", tasks: BUILTIN_TASK_SETS.stories?.tasks ?? [] },
      version: 1,
    });
    expect(asked.score).toBe(0); // the same harness again: the same score (greedy)
    const stored = store.addVersion(
      { ...store.version(1), system_prompt: `${PLAIN} Use these words: Lily, dog, ball, cat, tree, toy.` },
      1,
    );
    const better = await mind.bench({ version: stored.version });
    expect([better.passed, better.score]).toEqual([2, 0.333333]);
    expect(better.details.filter((d) => d.passed).map((d) => d.id)).toEqual(["lily", "ball"]);
  });

  it("reverts echo, keeps a better rewrite, reverts a worse fixed prompt; each proposal is a child version", async () => {
    const mind = mindOn(store);
    const seen: number[] = [];
    const echo = await mind.improve({
      cycles: 1,
      optimiser: { kind: "echo" },
      onCycle: (c) => seen.push(c.cycle_id),
    });
    expect(echo.cycles[0]).toMatchObject({
      decision: "revert",
      delta: 0,
      invested_trm: 0,
      baseline_version: 1,
      candidate_version: 3,
    });
    const rewrite = await mind.improve({ cycles: 1, optimiser: { kind: "rewrite" } });
    const kept = rewrite.cycles[0];
    expect(kept).toMatchObject({
      decision: "keep",
      baseline_score: 0,
      candidate_score: 0.333333,
      delta: 0.333333,
      invested_trm: 0,
    });
    expect(kept?.proposal?.proposer).toBe("rewrite:require_words");
    expect(mind.version(kept?.candidate_version as number).system_prompt).toBe(
      `${PLAIN} Use these words: Lily, dog, ball, cat, tree, toy.`,
    );
    expect(rewrite.harness_version).toBe(kept?.candidate_version);
    const fixed = await mind.improve({
      cycles: 1,
      optimiser: { kind: "fixed", system_prompt: "Once upon a time" },
    });
    expect(fixed.cycles[0]).toMatchObject({
      decision: "revert",
      baseline_score: 0.333333,
      candidate_score: 0,
      delta: -0.333333,
    });
    expect(mind.state().harness_version).toBe(kept?.candidate_version);
    expect(seen).toEqual([echo.cycles[0]?.cycle_id]);
    const lineage = mind.versions().map((v) => [v.version, v.parent_version]);
    expect(lineage).toEqual([
      [5, 4],
      [4, 1],
      [3, 1],
      [2, 1],
      [1, null],
    ]);
    expect(mind.diff(1, 4)).toEqual([
      {
        field: "system_prompt",
        before: PLAIN,
        after: `${PLAIN} Use these words: Lily, dog, ball, cat, tree, toy.`,
      },
    ]);
    expect(mind.stats()).toMatchObject({
      harness_version: 4,
      cycle_count: 3,
      kept: 1,
      reverted: 2,
      deferred: 0,
      total_trm_invested: 0,
      first_score: 0,
      latest_score: 0.333333,
      score_delta: 0.333333,
    });
  });

  it("keeps lineage, cycles and stats across a restart", () => {
    const before = { stats: mindOn(store).stats(), versions: store.versions(), cycles: store.cycles() };
    store.close();
    store = openMindStore({ path: join(dir, "mind.db"), clock: systemClock });
    const mind = mindOn(store);
    expect({ stats: mind.stats(), versions: store.versions(), cycles: store.cycles() }).toEqual(before);
    expect(mind.state()).toMatchObject({ harness_version: 4, cycle_history_len: 3, budget_cycles_today: 3 });
  });

  it("starts no cycle once the day's cycles are used up, and records none", async () => {
    const mind = mindOn(store);
    mind.setBudget({ max_cycles_per_day: 3 });
    const run = await mind.improve({ cycles: 2, optimiser: { kind: "echo" } });
    expect(run).toMatchObject({ cycles_executed: 0, stopped: { code: "CYCLES_PER_DAY_REACHED" } });
    expect(mind.stats().cycle_count).toBe(3);
    mind.setBudget({ max_cycles_per_day: 20 });
  });

  it("stops a run mid-way on stop(), the cycle deferred as ABORTED, and is free to run again", async () => {
    let calls = 0;
    let stopping: Promise<void> | undefined;
    const watched: MindEngine = {
      manifest: engine.manifest,
      chat: async (messages, options) => {
        const result = await engine.chat(messages, options);
        calls += 1;
        if (calls === 2) stopping = mind.stop();
        return result;
      },
    };
    const mind = mindOn(store, watched);
    const run = await mind.improve({ cycles: 2, optimiser: { kind: "echo" } });
    await stopping;
    expect(run).toMatchObject({ cycles_executed: 1, stopped: { code: "ABORTED" } });
    expect(run.cycles[0]).toMatchObject({ decision: "defer", stop_code: "ABORTED" });
    expect(mind.running()).toBe(false);
    expect((await mind.bench()).sample_count).toBe(6);
  });

  it("stops a cycle mid-way at the kill switch and records it as deferred", async () => {
    let calls = 0;
    const watched: MindEngine = {
      manifest: engine.manifest,
      chat: async (messages, options) => {
        const result = await engine.chat(messages, options);
        calls += 1;
        if (calls === 3) ledger.safety.activateKill("test: stop the mind", "operator");
        return result;
      },
    };
    const mind = mindOn(store, watched);
    try {
      const run = await mind.improve({ cycles: 3, optimiser: { kind: "rewrite" } });
      expect(calls).toBe(3);
      expect(run).toMatchObject({
        cycles_executed: 1,
        stopped: { code: "KILL_SWITCH_ACTIVE" },
        harness_version: 4,
      });
      expect(run.cycles[0]).toMatchObject({
        decision: "defer",
        stop_code: "KILL_SWITCH_ACTIVE",
        baseline: null,
        candidate_version: null,
      });
      const again = await mind.improve({ cycles: 1 });
      expect(again).toMatchObject({ cycles_executed: 0, stopped: { code: "KILL_SWITCH_ACTIVE" } });
      expect(mind.stats()).toMatchObject({ cycle_count: 5, deferred: 2 });
    } finally {
      ledger.safety.resume("operator");
    }
  });
});
