/**
 * Proves `tirami demo` runs to completion with the tiny model: the real bin starts a three-node mesh,
 * buys answers through the consumers, and its `--json` summary shows every trade on all three nodes, one
 * common Merkle root, a verified inclusion proof and the spends denied by the agent's budget and the
 * kill switch. The demo stops its own nodes and removes its temporary homes.
 */
import { isHex32 } from "@tirami/core";
import { isTradeId } from "@tirami/proto";
import { testModelPath } from "@tirami/test-kit";
import { expect, it } from "vitest";
import { assertBuilt, json, runCli, tempDir } from "../test/e2e-harness.js";
import { cleanEnv } from "../test/e2e-harness.js";

interface DemoSummary {
  nodes: { node: string; trades: number; has_all: boolean; merkle_root: string; balance_trm: number }[];
  purchases: { via: string; spender: string; cost_trm: number; trade_id: string }[];
  merkle_roots_agree: boolean;
  merkle_root: string;
  inclusion_proof: { ok: boolean };
  denied: { over_budget: { code: string } | null; kill_switch: { code: string; status: number } | null };
}

it("runs a real three-node mesh end to end", async () => {
  assertBuilt();
  const run = await runCli(["demo", "--json", "--model", testModelPath(), "--home", tempDir()], {
    env: cleanEnv(),
    timeoutMs: 90_000,
  });
  expect(run.code, run.stderr).toBe(0);
  const summary = json<DemoSummary>(run);

  // Four paid inferences, each a trade with a positive cost.
  expect(summary.purchases).toHaveLength(4);
  for (const purchase of summary.purchases) {
    expect(purchase.cost_trm).toBeGreaterThan(0);
    expect(purchase.trade_id).toSatisfy(isTradeId);
  }
  expect(summary.purchases.map((p) => p.spender)).toEqual([
    "operator",
    "operator",
    "researcher",
    "researcher",
  ]);

  // Every trade on all three nodes, one Merkle root.
  expect(summary.nodes.map((n) => n.node)).toEqual(["provider", "alice", "bob"]);
  for (const node of summary.nodes)
    expect(node).toMatchObject({ trades: 4, has_all: true, merkle_root: summary.merkle_root });
  expect(summary.merkle_roots_agree).toBe(true);
  expect(summary.merkle_root).toSatisfy(isHex32);

  // Money moved from the consumers to the provider and is conserved.
  const spent = summary.purchases.reduce((sum, p) => sum + p.cost_trm, 0);
  const [provider, alice, bob] = summary.nodes;
  expect(provider?.balance_trm).toBe(1_000 + spent);
  expect((alice?.balance_trm ?? 0) + (bob?.balance_trm ?? 0)).toBe(2_000 - spent);

  expect(summary.inclusion_proof.ok).toBe(true);
  expect(summary.denied.over_budget?.code).toBe("EXCEEDS_REQUEST_LIMIT");
  expect(summary.denied.kill_switch).toMatchObject({ code: "KILL_SWITCH_ACTIVE", status: 403 });

  // The human narrative went to stderr; it ends with a clean shutdown.
  expect(run.stderr).toContain("all three nodes compute the same Merkle root");
  expect(run.stderr).toContain("3 node(s) stopped");
});
