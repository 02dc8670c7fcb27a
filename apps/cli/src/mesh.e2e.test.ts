/**
 * Proves the upstream mesh aliases work as a user drives them: `tirami seed -m <model>` serves the tiny
 * model with a mesh address, `tirami worker --seed <multiaddr>` joins it with a model-less node and
 * answers questions piped on stdin, paying per answer; the seed then lists the trade, its peers and its
 * providers, and `tirami proof` verifies the trade's inclusion against the seed's root. A consumer node
 * (`tirami node --bootstrap`) then shows the safety gate through the CLI: an agent's spend above its
 * approval threshold waits (`chat --wait-approval`) until `tirami approvals approve` lets it through, and
 * with the kill switch on the next spend exits 5. `tirami topology` on the seed then plans its model
 * across the seed and the consumer from the capacity both advertise, and says the plan is not executed.
 * `tirami mcp` serves the consumer's tools over stdio to the MCP SDK's own client: a chat paid through
 * the mesh, then denied by the kill switch, and invalid input refused with the field named.
 */
import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { testModelPath, waitFor, waitForValue } from "@tirami/test-kit";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  assertBuilt,
  BIN,
  cleanEnv,
  json,
  type NodeUnderTest,
  runCli,
  startNode,
  tempDir,
} from "../test/e2e-harness.js";

interface Seed {
  url: string;
  home: string;
  multiaddr: string;
  stop(): Promise<number | null>;
}

let seed: Seed;
let consumer: NodeUnderTest | undefined;

/** Runs `tirami seed --json` and waits for its banner. */
function startSeed(): Promise<Seed> {
  const home = tempDir();
  const child = spawn(
    process.execPath,
    [
      BIN,
      "seed",
      "--json",
      "-m",
      testModelPath(),
      "--home",
      home,
      "--port",
      "0",
      "--p2p-port",
      "0",
      "--log-level",
      "warn",
      "--offer-interval-ms",
      "1000",
    ],
    {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`tirami seed exited with ${String(code)}:\n${stderr}`)));
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      if (!stdout.includes("\n")) return;
      const banner = JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as {
        api_url: string;
        multiaddrs: string[];
      };
      resolve({
        url: banner.api_url,
        home,
        multiaddr: banner.multiaddrs[0] ?? "",
        async stop() {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
  });
}

beforeAll(async () => {
  assertBuilt();
  seed = await startSeed();
});

afterAll(async () => {
  await consumer?.stop();
  const code = await seed?.stop();
  expect(code).toBe(0);
});

it("a worker joins the seed, buys answers, and the seed can prove the trade", async () => {
  expect(seed.multiaddr).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
  const worker = await runCli(["worker", "--seed", seed.multiaddr, "--home", tempDir(), "-n", "6"], {
    input: "Once upon a time\nexit\n",
    timeoutMs: 90_000,
  });
  expect(worker.code, worker.stderr).toBe(0);
  expect(worker.stdout.trim().length).toBeGreaterThan(0);
  expect(worker.stderr).toContain("the mesh offers stories260K");
  expect(worker.stderr).toMatch(
    /— cost [1-9]\d* TRM · balance \d+ TRM · \d+ tokens · [\d.]+ tok\/s · provider/,
  );

  const at = ["--url", seed.url, "--home", seed.home];
  const trades = json<{ trades: { trade_id: string; trade: { amount_trm: number } }[] }>(
    await runCli([...at, "trades", "--json"]),
  );
  expect(trades.trades).toHaveLength(1);
  const tradeId = trades.trades[0]?.trade_id ?? "";
  const balance = json<{ effective_balance_trm: number }>(await runCli([...at, "balance", "--json"]));
  expect(balance.effective_balance_trm).toBe(1_000 + (trades.trades[0]?.trade.amount_trm ?? 0));

  const status = json<{ network: { merkle_root: string } }>(await runCli([...at, "status", "--json"]));
  const proof = await runCli([...at, "proof", tradeId, "--root", status.network.merkle_root, "--json"]);
  expect(proof.code).toBe(0);
  expect(json<{ verified: boolean }>(proof).verified).toBe(true);
  const wrong = await runCli([...at, "proof", tradeId, "--root", "0".repeat(64)]);
  expect(wrong.code).toBe(6);
  expect(wrong.stderr).toContain("does not verify");

  // The worker has left: the seed still remembers it as a peer, with the same trade count.
  const peers = json<{ peers: { trade_count: number | null }[] }>(await runCli([...at, "peers", "--json"]));
  expect(peers.peers.length).toBeGreaterThanOrEqual(1);
});

it("an agent's spend above its approval threshold waits for an operator; the kill switch denies the next", async () => {
  consumer = await startNode({ model: false, extra: ["--p2p-port", "0", "--bootstrap", seed.multiaddr] });
  const at = ["--url", consumer.url, "--home", consumer.home];
  const created = await runCli([
    ...at,
    "agent",
    "create",
    "helper",
    "--per-request",
    "5",
    "--approval-above",
    "5",
    "--json",
  ]);
  const token = json<{ token: string }>(created).token;
  const asAgent = ["--url", consumer.url, "--api-token", token];

  const poll = { timeoutMs: 60_000, intervalMs: 500 };
  await waitFor(
    "the seed's offer to reach the consumer",
    async () =>
      json<{ models: { model_id: string }[] }>(await runCli([...at, "providers", "--json"])).models.length >
      0,
    poll,
  );

  // 12 tokens at 1 TRM/token is above the 5 TRM threshold: the chat waits for a human.
  const chat = runCli([...asAgent, "chat", "-n", "12", "--wait-approval", "Once upon a time"], {
    timeoutMs: 60_000,
  });
  const approvalId = await waitForValue(
    "the agent's pending approval",
    async () =>
      json<{ approvals: { approval_id: string; spender: string; amount_trm: number }[] }>(
        await runCli([...at, "approvals", "list", "--json"]),
      ).approvals.find((a) => a.spender === "helper")?.approval_id,
    poll,
  );
  expect(approvalId).toMatch(/^apr_[0-9a-f]{32}$/);
  const approved = await runCli([...at, "approvals", "approve", approvalId, "--json"]);
  expect(approved.code).toBe(0);
  const answered = await chat;
  expect(answered.code, answered.stderr).toBe(0);
  expect(answered.stderr).toContain(`tirami approvals approve ${approvalId}`);
  expect(answered.stderr).toMatch(/— cost [1-9]\d* TRM/);

  // Without --wait-approval the same kind of spend exits 5 with the command that would approve it.
  const refused = await runCli([...asAgent, "chat", "-n", "12", "Once upon a time"]);
  expect(refused.code).toBe(5);
  expect(refused.stderr).toContain("APPROVAL_REQUIRED");
  const refusedId = /tirami approvals approve (apr_[0-9a-f]{32})/.exec(refused.stderr)?.[1] ?? "";
  expect(refusedId).not.toBe("");
  // The operator denies it instead; the decision is on record.
  expect((await runCli([...at, "approvals", "deny", refusedId])).code).toBe(0);
  const all = json<{ approvals: { approval_id: string; status: string }[] }>(
    await runCli([...at, "approvals", "list", "--all", "--json"]),
  );
  expect(all.approvals.find((a) => a.approval_id === refusedId)?.status).toBe("denied");
  expect(all.approvals.find((a) => a.approval_id === approvalId)?.status).toMatch(/approved|consumed/);

  expect((await runCli([...at, "kill", "--reason", "test"])).code).toBe(0);
  const killed = await runCli([...at, "chat", "-n", "3", "Hi"]);
  expect(killed.code).toBe(5);
  expect(killed.stderr).toContain("denied (KILL_SWITCH_ACTIVE)");
  expect(killed.stderr).toContain("tirami resume");
  expect((await runCli([...at, "resume"])).code).toBe(0);
  const after = await runCli([...at, "chat", "-n", "3", "Hi"]);
  expect(after.code, after.stderr).toBe(0);
});

it("tirami topology plans the seed's model across the nodes advertising capacity", async () => {
  consumer ??= await startNode({
    model: false,
    extra: ["--p2p-port", "0", "--bootstrap", seed.multiaddr, "--offer-interval-ms", "1000"],
  });
  const at = ["--url", seed.url, "--home", seed.home];
  type View = {
    model: string;
    executable: boolean;
    candidates: { id: string }[];
    plan: { feasible: boolean; stages?: { layer_start: number; layer_end: number }[] };
  };
  const view = await waitForValue(
    "the consumer's capacity at the seed",
    async () => {
      const run = json<View>(await runCli([...at, "topology", "--json"]));
      return run.candidates.length >= 2 ? run : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(view.model).toBe("stories260K");
  expect(view.executable).toBe(false);
  expect(view.plan.feasible).toBe(true);
  expect(view.plan.stages?.[0]?.layer_start).toBe(0);
  expect(view.plan.stages?.at(-1)?.layer_end).toBe(5);
  const human = await runCli([...at, "topology", "--context-tokens", "512"]);
  expect(human.code, human.stderr).toBe(0);
  expect(human.stdout).toMatch(/model\s+stories260K/);
  expect(human.stdout).toMatch(/tokens\/s \(pipelined\)/);
  expect(human.stderr).toContain("Planning only");
  const unknown = await runCli([...at, "topology", "--model", "no-such-model"]);
  expect(unknown.code).toBe(7);
  expect(unknown.stderr).toContain("MODEL_NOT_FOUND");
});

it("tirami mcp serves the consumer's tools over stdio: balance, a chat paid through the mesh, the kill switch", async () => {
  consumer ??= await startNode({
    model: false,
    extra: ["--p2p-port", "0", "--bootstrap", seed.multiaddr, "--offer-interval-ms", "1000"],
  });
  const node = consumer;
  const mcp = new Client({ name: "tirami-e2e", version: "0.0.0" });
  await mcp.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp", "--url", node.url, "--home", node.home],
      env: cleanEnv() as Record<string, string>,
      stderr: "pipe",
    }),
  );
  try {
    const text = (answer: unknown) =>
      ((answer as { content: Array<{ text?: string }> }).content[0]?.text as string) ?? "";
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["tirami_balance", "tirami_chat"]));
    const balance = JSON.parse(text(await mcp.callTool({ name: "tirami_balance", arguments: {} }))) as {
      account_id: string;
    };
    expect(balance.account_id).toBe(node.nodeId);

    const messages = [{ role: "user", content: "Once upon a time" }];
    const answer = await waitForValue(
      "a chat bought from the seed",
      async () => {
        const result = await mcp.callTool({
          name: "tirami_chat",
          arguments: { model: "stories260K", max_tokens: 4, temperature: 0, messages },
        });
        return (result as { isError?: boolean }).isError === true ? undefined : result;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const paid = JSON.parse(text(answer)) as { x_tirami: { trade_id: string; trm_cost: number } };
    expect(paid.x_tirami.trm_cost).toBeGreaterThan(0);
    expect(paid.x_tirami.trade_id).toMatch(/^[0-9a-f]{64}$/);

    await mcp.callTool({ name: "tirami_kill_switch", arguments: { activate: true, reason: "e2e" } });
    const denied = await mcp.callTool({
      name: "tirami_chat",
      arguments: { model: "stories260K", max_tokens: 4, messages },
    });
    expect(text(denied)).toMatch(/^403 KILL_SWITCH_ACTIVE/);
    await mcp.callTool({ name: "tirami_kill_switch", arguments: { activate: false } });

    const invalid = await mcp
      .callTool({ name: "tirami_proof", arguments: { trade_id: 7 } })
      .catch((error: unknown) => ({ isError: true, content: [{ text: String(error) }] }));
    expect((invalid as { isError?: boolean }).isError).toBe(true);
    expect(text(invalid)).toMatch(/trade_id/);
  } finally {
    await mcp.close();
  }
}, 120_000);
