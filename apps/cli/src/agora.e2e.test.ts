/**
 * Proves `tirami agora` as a user drives it, against a real `tirami node` in the mesh (no model): an agent
 * registered with `agora register` is listed by `agora agents`, found by `agora find` with a glob and a
 * price cap, and its node rated by `agora reputation` and `agora collusion`; `agora stats`, `agora nostr`
 * and `agora nostr --publish --dry-run` answer, every command with `--json` printing the node's JSON and
 * without it a readable line or table; `agora withdraw` removes the agent, and a bad account or an
 * unreachable A2A provider (`agora task`) exits non-zero with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, json, type NodeUnderTest, runCli, startNode } from "../test/e2e-harness.js";

let node: NodeUnderTest;
let at: string[];

beforeAll(async () => {
  assertBuilt();
  node = await startNode({ model: false, extra: ["--p2p-port", "0"] });
  at = ["--url", node.url, "--home", node.home];
}, 90_000);

afterAll(async () => {
  await node?.stop();
});

describe("tirami agora", () => {
  it("registers, lists, finds, rates and withdraws an agent", async () => {
    const registered = await runCli([
      ...at,
      "agora",
      "register",
      "--json",
      "--agent",
      "summarizer",
      "--model",
      "qwen2.5-0.5b-instruct-q4_k_m",
      "--price",
      "2",
      "--capability",
      "chat",
      "--description",
      "short summaries",
    ]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(json(registered)).toMatchObject({ agent_id: "summarizer", node: node.nodeId, tier: "small" });

    const agents = json<{ agents: Array<{ agent_id: string }> }>(
      await runCli([...at, "agora", "agents", "--json"]),
    );
    expect(agents.agents.map((a) => a.agent_id)).toContain("summarizer");
    const found = json<{ matches: Array<{ agent_id: string; composite_score: number }> }>(
      await runCli([...at, "agora", "find", "--json", "--max-price", "4", "qwen2.5-*"]),
    );
    expect(found.matches.map((m) => m.agent_id)).toEqual(["summarizer"]);
    const table = await runCli([...at, "agora", "find", "qwen*"]);
    expect(table.stdout).toMatch(/summarizer/);
    const reputation = await runCli([...at, "agora", "reputation", node.nodeId]);
    expect(reputation.stdout).toMatch(/^reputation 0\.300 /);
    const collusion = json(await runCli([...at, "agora", "collusion", "--json", node.nodeId]));
    expect(collusion).toMatchObject({ subject: node.nodeId, trust_penalty: 0 });
    const stats = await runCli([...at, "agora", "stats"]);
    expect(stats.stdout).toMatch(/1 agents/);
    const nostr = json<{ pubkey: string }>(await runCli([...at, "agora", "nostr", "--json"]));
    expect(nostr.pubkey).toMatch(/^[0-9a-f]{64}$/);
    const dryRun = json<{ events: unknown[]; dry_run: boolean }>(
      await runCli([...at, "agora", "nostr", "--publish", "--dry-run", "--json"]),
    );
    expect(dryRun).toMatchObject({ dry_run: true });
    expect(dryRun.events).toHaveLength(1);

    const withdrawn = await runCli([...at, "agora", "withdraw", "summarizer"]);
    expect(withdrawn.stdout).toMatch(/withdrew summarizer/);
    const after = json<{ agents: unknown[] }>(await runCli([...at, "agora", "agents", "--json"]));
    expect(after.agents).toEqual([]);
    const bad = await runCli([...at, "agora", "reputation", "not-an-account"]);
    expect(bad.code).not.toBe(0);
    const unreachable = await runCli([...at, "agora", "task", "http://127.0.0.1:1", "Once", "upon"]);
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toMatch(/could not be reached/);
  });
});
