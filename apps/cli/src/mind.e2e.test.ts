/**
 * Proves `tirami mind` as a user drives it: the real bin against a real node (`tirami node` with
 * stories260K in a temporary home). `init` starts the mind on the node's model; `bench` measures it;
 * `improve -n 2` prints a line per cycle as each closes (a kept rewrite, then a reverted one) and its
 * `--json` totals match `stats`; `budget` shows and changes the budget; `versions` and `diff` show the
 * lineage; and a bad flag is a usage error naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, json, type NodeUnderTest, runCli, startNode } from "../test/e2e-harness.js";

let node: NodeUnderTest;
let at: string[];

beforeAll(async () => {
  assertBuilt();
  node = await startNode();
  at = ["--url", node.url, "--home", node.home];
});

afterAll(async () => {
  await node?.stop();
});

describe("tirami mind", () => {
  it("inits, benches, improves with a line per cycle, and reports state, stats, budget and lineage", async () => {
    const init = await runCli([
      ...at,
      "mind",
      "init",
      "--system-prompt",
      "You are a helpful assistant.",
      "--json",
    ]);
    expect(init.code).toBe(0);
    expect(json(init)).toMatchObject({
      ok: true,
      harness_version: 1,
      task_set: { name: "stories", task_count: 6 },
    });

    const bench = await runCli([...at, "mind", "bench"]);
    expect(bench.code).toBe(0);
    expect(bench.stdout).toContain("score 0.000 (0 of 6) on v1, 0 TRM");

    const improve = await runCli([...at, "mind", "improve", "-n", "2", "--optimiser", "rewrite"]);
    expect(improve.code).toBe(0);
    const lines = improve.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^cycle 1: keep {2}baseline 0\.000 → candidate 0\.333 {2}\(Δ \+0\.333\) {2}v1→v2 {2}0 TRM in 0 trades$/,
    );
    expect(lines[1]).toMatch(/^cycle 2: revert {2}baseline 0\.333 → candidate /);
    expect(lines[2]).toBe("2 cycles, harness v2");

    const stats = json(await runCli([...at, "mind", "stats", "--json"]));
    expect(stats).toMatchObject({
      harness_version: 2,
      cycle_count: 2,
      kept: 1,
      reverted: 1,
      first_score: 0,
      latest_score: 0.333333,
    });
    const state = json(await runCli([...at, "mind", "state", "--json"]));
    expect(state).toMatchObject({
      harness_version: 2,
      budget_cycles_today: 2,
      optimiser: { kind: "rewrite" },
    });

    const set = json(
      await runCli([...at, "mind", "budget", "--max-trm-per-cycle", "300", "--min-roi", "2", "--json"]),
    );
    expect(set).toMatchObject({ ok: true, max_trm_per_cycle: 300, min_roi: 2, max_cycles_per_day: 20 });
    expect(json(await runCli([...at, "mind", "budget", "--json"]))).toMatchObject({ max_trm_per_cycle: 300 });

    const versions = json<{ versions: Array<{ version: number; parent_version: number | null }> }>(
      await runCli([...at, "mind", "versions", "--json"]),
    );
    expect(versions.versions.map((v) => [v.version, v.parent_version])).toEqual([
      [3, 2],
      [2, 1],
      [1, null],
    ]);
    const diff = await runCli([...at, "mind", "diff", "2"]);
    expect(diff.stdout).toContain("v1 → v2");
    expect(diff.stdout).toContain("system_prompt:");
  });

  it("refuses a bad flag, naming it", async () => {
    const run = await runCli([...at, "mind", "improve", "--optimiser", "magic"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--optimiser must be one of echo, rewrite, fixed, paid");
  });
});
