/**
 * Proves the mind's store on a real SQLite file: versions keep their lineage and the current pointer
 * across reopening; a cycle left `running` by a process that died is closed on reopen as deferred
 * (`INTERRUPTED`) with exactly the spends it had recorded, and its trades; closing a cycle twice fails
 * and changes nothing; keep moves the current version in the same transaction, revert does not; the day
 * window counts only its own spends and cycles and restarts a day later, at the first run (a read starts
 * no window).
 */
import { join } from "node:path";
import { createManualClock } from "@tirami/core";
import { tempDir } from "@tirami/test-kit";
import { describe, expect, it } from "vitest";
import { DAY_WINDOW_MS } from "./constants.js";
import { harnessSpec } from "./harness.js";
import { type CycleClose, openMindStore } from "./store.js";

const spec = (prompt: string) => harnessSpec({ system_prompt: prompt, model_routes: { default: "m" } });
const closing = (over: Partial<CycleClose> = {}): CycleClose => ({
  candidate_version: null,
  decision: "revert",
  stop_code: null,
  stop_message: null,
  baseline: null,
  candidate: null,
  proposal: null,
  delta: 0,
  return_trm: 0,
  roi: null,
  ...over,
});
const spend = (cycle_id: number | null, amount_trm: number, trade_id: string) => ({
  cycle_id,
  purpose: "benchmark t",
  request_id: `mind-c${cycle_id}-x-${trade_id}`,
  trade_id,
  amount_trm,
  model_id: "m",
  provider: "p",
});

describe("the mind's store", () => {
  it("closes a cycle left running by a dead process as INTERRUPTED with the spends it recorded", () => {
    const path = join(tempDir("tirami-mind-store-"), "mind.db");
    const clock = createManualClock(1_000);
    const first = openMindStore({ path, clock });
    const root = first.addVersion(spec("a"), null, { makeCurrent: true });
    const child = first.addVersion(spec("b"), root.version);
    const cycle = first.beginCycle({ optimiser: "paid", baseline_version: root.version });
    first.recordSpend(spend(cycle, 7, "t1"));
    first.recordSpend(spend(cycle, 5, "t2"));
    first.close(); // the process dies here: nothing closed the cycle

    const second = openMindStore({ path, clock });
    expect(second.cycle(cycle)).toMatchObject({
      status: "done",
      decision: "defer",
      stop_code: "INTERRUPTED",
      invested_trm: 12,
      trade_ids: ["t1", "t2"],
    });
    expect(second.current()?.version).toBe(root.version);
    expect(second.versions().map((v) => [v.version, v.parent_version, v.system_prompt])).toEqual([
      [child.version, root.version, "b"],
      [root.version, null, "a"],
    ]);
    expect(second.stats()).toMatchObject({ cycle_count: 1, deferred: 1, total_trm_invested: 12 });
    second.close();
  });

  it("moves the current version on keep only, in the cycle's own transaction, and closes a cycle once", () => {
    const clock = createManualClock(1_000);
    const store = openMindStore({ path: join(tempDir("tirami-mind-store-"), "mind.db"), clock });
    const root = store.addVersion(spec("a"), null, { makeCurrent: true });
    const reverted = store.addVersion(spec("b"), root.version);
    const one = store.beginCycle({ optimiser: "fixed", baseline_version: root.version });
    store.closeCycle(one, closing({ candidate_version: reverted.version, decision: "revert" }));
    expect(store.current()?.version).toBe(root.version);
    expect(() =>
      store.closeCycle(one, closing({ candidate_version: reverted.version, decision: "keep" })),
    ).toThrow(/not running/);
    expect(store.current()?.version).toBe(root.version);
    const kept = store.addVersion(spec("c"), root.version);
    const two = store.beginCycle({ optimiser: "rewrite", baseline_version: root.version });
    store.closeCycle(two, closing({ candidate_version: kept.version, decision: "keep" }));
    expect(store.current()?.version).toBe(kept.version);
    expect(store.stats()).toMatchObject({ cycle_count: 2, kept: 1, reverted: 1 });
    store.close();
  });

  it("counts the day window's own spends and cycles, and restarts it a day later", () => {
    const clock = createManualClock(1_000);
    const store = openMindStore({ path: join(tempDir("tirami-mind-store-"), "mind.db"), clock });
    const root = store.addVersion(spec("a"), null, { makeCurrent: true });
    expect(store.dayUsage(clock.nowMs(), { start: true })).toEqual({
      spent_trm: 0,
      cycles: 0,
      day_started_ms: 1_000,
    });
    const cycle = store.beginCycle({ optimiser: "echo", baseline_version: root.version });
    store.recordSpend(spend(cycle, 30, "t1"));
    store.recordSpend(spend(null, 4, "t2")); // a standalone benchmark counts toward the day
    store.closeCycle(cycle, closing());
    clock.advanceMs(DAY_WINDOW_MS - 1);
    expect(store.dayUsage(clock.nowMs())).toEqual({ spent_trm: 34, cycles: 1, day_started_ms: 1_000 });
    clock.advanceMs(1);
    expect(store.dayUsage(clock.nowMs())).toEqual({
      spent_trm: 0,
      cycles: 0,
      day_started_ms: 1_000 + DAY_WINDOW_MS,
    });
    store.close();
  });
});
