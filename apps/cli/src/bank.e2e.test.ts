/**
 * Proves `tirami bank` as a user drives it: the real bin against a real node (`tirami node` on 127.0.0.1
 * port 0, no model, no mesh, in a temporary home), every answer checked through `--json`: the portfolio
 * is the node's balance, the strategy is set and shown, a dry-run tick plans and is in the history, the
 * risk assessment has upstream's fields, and a bad tolerance exits with the usage-error code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, json, type NodeUnderTest, runCli, startNode } from "../test/e2e-harness.js";

let node: NodeUnderTest;
let at: string[];

beforeAll(async () => {
  assertBuilt();
  node = await startNode({ model: false });
  at = ["--url", node.url, "--home", node.home];
});
afterAll(async () => {
  await node?.stop();
});

describe("tirami bank", () => {
  it("shows the portfolio, sets the strategy, plans a tick and lists it, assesses risk", async () => {
    const portfolio = json<{ cash_trm: number; lent_trm: number }>(
      await runCli([...at, "bank", "portfolio", "--json"]),
    );
    expect(portfolio).toMatchObject({ cash_trm: 1_000, lent_trm: 0 });
    const set = json<{ strategy: unknown }>(
      await runCli([...at, "bank", "strategy", "conservative", "--fraction", "0.2", "--json"]),
    );
    expect(set.strategy).toEqual({ kind: "conservative", max_commit_fraction: 0.2 });
    const tick = json<{ dry_run: boolean; decisions: unknown[] }>(
      await runCli([...at, "bank", "tick", "--dry-run", "--json"]),
    );
    expect(tick.dry_run).toBe(true);
    expect(tick.decisions).toMatchObject([{ action: "lend", amount_trm: 200, outcome: "planned" }]);
    const history = json<{ count: number }>(await runCli([...at, "bank", "decisions", "--json"]));
    expect(history.count).toBe(1);
    const risk = json<Record<string, number>>(await runCli([...at, "bank", "risk-assessment", "--json"]));
    expect(Object.keys(risk).sort()).toEqual([
      "concentration_ratio",
      "expected_loss_trm",
      "largest_single_exposure_trm",
      "portfolio_value_trm",
      "var_99_trm",
    ]);
    const policies = json<{ count: number }>(await runCli([...at, "bank", "insurance", "--json"]));
    expect(policies.count).toBe(0);
    expect(json<{ count: number }>(await runCli([...at, "bank", "futures", "--json"])).count).toBe(0);
    const bad = await runCli([...at, "bank", "risk", "reckless", "--json"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toMatch(/tolerance/);
  }, 60_000);
});
