/**
 * Proves the `tirami` command works as a user drives it: the real bin is spawned against a real node
 * (itself run by `tirami node` on 127.0.0.1 port 0 with the tiny model in a temporary home), and every
 * answer is checked through `--json` or the exact exit code and message — chat with cost and balance,
 * agents with budgets, the kill switch, settlement to a file, ledger verify, and the error paths: a
 * second node on a busy home, bad flags named as typed, and a reader that closes early.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { costTrm, isHex32, parseAccountId } from "@tirami/core";
import { openLedger } from "@tirami/ledger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  closedPort,
  cleanEnv,
  json,
  type NodeUnderTest,
  runCli,
  runCliIntoClosedReader,
  startNode,
  tempDir,
} from "../test/e2e-harness.js";

let node: NodeUnderTest;
/** `--url` and `--home` of the node under test: the operator token is read from its home. */
let at: string[];

beforeAll(async () => {
  assertBuilt();
  node = await startNode();
  at = ["--url", node.url, "--home", node.home];
});

afterAll(async () => {
  await node?.stop();
});

// Tests run concurrently against the one node (each CLI process mostly waits on module loading); none
// depends on another's effects.
describe.concurrent("a running node", () => {
  it("reports its status as JSON", async () => {
    const run = await runCli([...at, "status", "--json"]);
    expect(run.code).toBe(0);
    const status = json<{
      health: { status: string };
      models: string[];
      balance: { account_id: string };
      network: { merkle_root: string };
    }>(run);
    expect(status.health.status).toBe("ok");
    expect(status.models).toEqual(["stories260K"]);
    expect(status.balance.account_id).toBe(node.nodeId);
    expect(status.network.merkle_root).toSatisfy(isHex32);
  });

  it("streams a chat answer and prints its cost and the balance", async () => {
    const run = await runCli([...at, "chat", "-n", "8", "--temperature", "0", "Once upon a time"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
    // Self-use of the node's own model moves no TRM (docs/architecture.md §2): cost 0, balance the free tier.
    expect(run.stderr).toMatch(/cost 0 TRM · balance 1000 TRM · 8 tokens · [\d.]+ tok\/s/);
    const balance = json<{ effective_balance_trm: number; spender: string; usage: { requests: number } }>(
      await runCli([...at, "balance", "--json"]),
    );
    expect(balance.effective_balance_trm).toBe(1_000);
    expect(balance.spender).toBe("operator");
    expect(balance.usage.requests).toBeGreaterThanOrEqual(1);
  });

  it("answers a REPL fed on stdin, one question per line", async () => {
    const run = await runCli([...at, "chat", "-n", "4"], { input: "Hello\nOnce upon a time\nexit\n" });
    expect(run.code).toBe(0);
    expect(run.stderr.match(/— cost 0 TRM/g)).toHaveLength(2);
    // With --json the REPL prints one compact response per line (NDJSON).
    const ndjson = await runCli([...at, "chat", "--json", "-n", "3"], { input: "Hello\nHi\n" });
    expect(ndjson.code).toBe(0);
    const lines = ndjson.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect((JSON.parse(line) as { object: string }).object).toBe("chat.completion");
  });

  it("prints the whole OpenAI response with --json", async () => {
    const run = await runCli([...at, "chat", "--json", "-n", "5", "Hi"]);
    expect(run.code).toBe(0);
    const response = json<{
      model: string;
      usage: { completion_tokens: number };
      x_tirami: { trm_cost: number; provider: string };
    }>(run);
    expect(response.model).toBe("stories260K");
    expect(response.usage.completion_tokens).toBeLessThanOrEqual(5);
    expect(response.x_tirami).toMatchObject({ trm_cost: 0, provider: node.nodeId });
  });

  it("creates an agent with a budget; the agent spends with its own token until frozen and revoked", async () => {
    const created = await runCli([
      ...at,
      "agent",
      "create",
      "bot",
      "--hourly",
      "500",
      "--per-request",
      "50",
      "--json",
    ]);
    expect(created.code).toBe(0);
    const { token, policy } = json<{
      token: string;
      policy: { hourly_max_trm: number; per_request_max_trm: number };
    }>(created);
    expect(policy).toMatchObject({ hourly_max_trm: 500, per_request_max_trm: 50 });

    const asAgent = ["--url", node.url, "--api-token", token];
    const answer = await runCli([...asAgent, "chat", "-n", "4", "Hi"]);
    expect(answer.code).toBe(0);
    const own = json<{ spender: string; usage: { requests: number } }>(
      await runCli([...asAgent, "balance", "--json"]),
    );
    expect(own).toMatchObject({ spender: "bot", usage: { requests: 1 } });

    const budget = json<{ policy: { hourly_max_trm: number } }>(
      await runCli([...at, "agent", "budget", "bot", "--json"]),
    );
    expect(budget.policy.hourly_max_trm).toBe(500);
    const raised = await runCli([...at, "agent", "budget", "bot", "--hourly", "700", "--json"]);
    expect(json<{ policy: { hourly_max_trm: number } }>(raised).policy.hourly_max_trm).toBe(700);

    const listed = json<{ agents: { name: string; status: string; usage: { requests: number } }[] }>(
      await runCli([...at, "agent", "list", "--json"]),
    );
    expect(listed.agents).toContainEqual(
      expect.objectContaining({
        name: "bot",
        status: "active",
        usage: expect.objectContaining({ requests: 1 }),
      }),
    );

    // An agent cannot pull the kill switch: operator only, 403 → exit 5.
    const notAllowed = await runCli([...asAgent, "kill"]);
    expect(notAllowed.code).toBe(5);
    expect(notAllowed.stderr).toContain("OPERATOR_ONLY");

    expect((await runCli([...at, "agent", "freeze", "bot"])).code).toBe(0);
    const frozen = await runCli([...asAgent, "chat", "-n", "4", "Hi"]);
    expect(frozen.code).toBe(5);
    expect(frozen.stderr).toContain("denied (AGENT_FROZEN)");
    expect(frozen.stderr).toContain("tirami agent unfreeze");

    expect((await runCli([...at, "agent", "unfreeze", "bot"])).code).toBe(0);
    expect((await runCli([...asAgent, "chat", "-n", "2", "Hi"])).code).toBe(0);

    expect((await runCli([...at, "agent", "revoke", "bot"])).code).toBe(0);
    const revoked = await runCli([...asAgent, "balance"]);
    expect(revoked.code).toBe(4);
    expect(revoked.stderr).toContain("refused the token from --api-token");
  });

  it("turns the kill switch on and off", async () => {
    const killed = await runCli([...at, "kill", "--reason", "e2e test", "--json"]);
    expect(killed.code).toBe(0);
    expect(json<{ kill_switch: { active: boolean; reason: string } }>(killed).kill_switch).toMatchObject({
      active: true,
      reason: "e2e test",
    });
    const status = json<{ safety: { kill_switch: { active: boolean } } }>(
      await runCli([...at, "status", "--json"]),
    );
    expect(status.safety.kill_switch.active).toBe(true);
    const human = await runCli([...at, "status"]);
    expect(human.stdout).toMatch(/kill switch\s+ACTIVE/);

    const resumed = await runCli([...at, "resume", "--json"]);
    expect(resumed.code).toBe(0);
    expect(json<{ kill_switch: { active: boolean } }>(resumed).kill_switch.active).toBe(false);
  });

  it("sets and shows the operator policy", async () => {
    const set = await runCli([
      ...at,
      "policy",
      "set",
      "--lifetime",
      "123456",
      "--approval-above",
      "none",
      "--json",
    ]);
    expect(set.code).toBe(0);
    expect(json<{ policy: Record<string, unknown> }>(set).policy).toMatchObject({
      lifetime_max_trm: 123_456,
      approval_threshold_trm: null,
    });
    const shown = json<{ spender: string; policy: { lifetime_max_trm: number } }>(
      await runCli([...at, "policy", "show", "--json"]),
    );
    expect(shown).toMatchObject({ spender: "operator", policy: { lifetime_max_trm: 123_456 } });
  });

  it("writes a settlement statement to a file", async () => {
    const out = join(tempDir(), "statement.json");
    const run = await runCli([...at, "settle", "--hours", "2", "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`settlement statement written to ${out}`);
    const statement = JSON.parse(readFileSync(out, "utf8")) as {
      window_end_ms: number;
      window_start_ms: number;
      merkle_root: string;
      accounts: unknown[];
    };
    expect(statement.window_end_ms - statement.window_start_ms).toBe(2 * 3_600_000);
    expect(statement.merkle_root).toSatisfy(isHex32);
    expect(Array.isArray(statement.accounts)).toBe(true);
  });

  it("will not audit the ledger while the node holds it, and says which process to stop", async () => {
    const run = await runCli(["--home", node.home, "ledger", "verify"]);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain(`locked by a running node (pid ${String(node.child.pid)})`);
    expect(run.stderr).toContain(`stop it (kill ${String(node.child.pid)})`);
  });

  it("refuses a second node on the same home at once, naming the running one's pid", async () => {
    // Not a model: had the second node got as far as loading it, it would fail with a model error.
    const notAModel = join(tempDir(), "not-a-model.gguf");
    writeFileSync(notAModel, "this is not a GGUF file");
    const args = ["node", "--home", node.home, "--port", "0", "--model", notAModel];
    const run = await runCli(args);
    const pid = String(node.child.pid);
    expect(run.code, run.stderr).toBe(8);
    expect(run.stderr).toContain(`${node.home} is in use by another node (pid ${pid}, started `);
    expect(run.stderr).toContain(`hint: stop it (kill ${pid}) or pass --home <other dir>`);
    expect(run.stderr).not.toMatch(/database is locked|GGUF|model/i);
    const asJson = await runCli([...args, "--json"]);
    expect(json<{ error: { code: string; exit_code: number } }>(asJson).error).toMatchObject({
      code: "HOME_IN_USE",
      exit_code: 8,
    });
    // The running node is unharmed.
    expect((await runCli([...at, "balance", "--json"])).code).toBe(0);
  });

  it("goes quiet when its reader closes after the first chunk (`tirami chat | head -1`)", async () => {
    // The second question is sent only after stdout is closed, so its answer (streamed text, then a
    // newline, always) is written into a closed pipe; its cost line on stderr shows it was answered.
    const run = await runCliIntoClosedReader([...at, "chat", "-n", "2"], {
      closeAt: "first-chunk",
      input: "Hello\n",
      inputAfterClose: "Once upon a time\n",
    });
    expect(run.stdout.length).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(run.stderr.match(/— cost 0 TRM/g)).toHaveLength(2);
    expect(run.code).toBe(0);
  });

  it("shows the price the node quotes", async () => {
    const run = await runCli([...at, "pricing", "--json"]);
    expect(run.code).toBe(0);
    const pricing = json<{ price_trm_per_token: number; estimated_cost_100_tokens_trm: number }>(run);
    // The price is live: the chats running beside this test raise demand, so it is near 1, not exactly 1.
    expect(pricing.price_trm_per_token).toBeGreaterThan(0.5);
    expect(pricing.price_trm_per_token).toBeLessThan(3);
    expect(pricing.estimated_cost_100_tokens_trm).toBe(costTrm(100, pricing.price_trm_per_token));
    const human = await runCli([...at, "pricing"]);
    expect(human.stdout).toMatch(/price_trm_per_token\s+\d+(\.\d+)?\n/);
  });

  it("lists the catalog and the node's model", async () => {
    const run = await runCli([...at, "models", "--json"]);
    expect(run.code).toBe(0);
    const models = json<{ catalog: { name: string; default: boolean }[]; node: { id: string }[] }>(run);
    expect(models.catalog.some((m) => m.default)).toBe(true);
    expect(models.node.map((m) => m.id)).toEqual(["stories260K"]);
  });
});

describe.concurrent("errors say what to do and exit with their documented code", () => {
  it("exits 3 with a start hint when no node is running", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(["--url", dead, "--home", tempDir(), "balance"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`no node is reachable at ${dead} (ECONNREFUSED)`);
    expect(run.stderr).toContain("start it with `tirami node`");
  });

  it("prints a JSON error object with --json", async () => {
    const run = await runCli([
      "--url",
      `http://127.0.0.1:${await closedPort()}`,
      "--home",
      tempDir(),
      "balance",
      "--json",
    ]);
    expect(run.code).toBe(3);
    expect(json<{ error: { code: string; exit_code: number } }>(run).error).toMatchObject({
      code: "NODE_UNREACHABLE",
      exit_code: 3,
    });
  });

  it("exits 4 and names the token file when no token is found", async () => {
    const home = tempDir();
    const run = await runCli(["--url", node.url, "--home", home, "balance"]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("none was found");
    expect(run.stderr).toContain(join(home, "api.token"));
  });

  it("exits 4 on a wrong token", async () => {
    const run = await runCli(["--url", node.url, "balance"], {
      env: cleanEnv({ TIRAMI_API_TOKEN: "not-the-right-token-at-all" }),
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("refused the token from $TIRAMI_API_TOKEN");
  });

  it("exits 2 on bad arguments, before any request", async () => {
    const cases = [
      ["trades", "--limit", "0"],
      ["settle", "--hours", "abc"],
      ["proof", "nothex"],
      ["frobnicate"],
      ["policy", "set"],
    ];
    const runs = await Promise.all(cases.map((args) => runCli(["--url", "http://127.0.0.1:1", ...args])));
    expect(runs.map((run) => run.code)).toEqual(cases.map(() => 2));
    for (const run of runs) expect(run.stderr).toMatch(/error:/);
  });

  it("goes quiet, with its own exit code, when stdout is closed before it writes", async () => {
    const help = await runCliIntoClosedReader(["node", "--help"], { closeAt: "start" });
    expect(help.stderr).toBe("");
    expect(help.code).toBe(0);
    // A failing command keeps its code; only the closed-pipe noise is gone.
    const failing = await runCliIntoClosedReader(
      ["--url", `http://127.0.0.1:${await closedPort()}`, "--home", tempDir(), "balance", "--json"],
      { closeAt: "start" },
    );
    expect(failing.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(failing.stderr).toContain("no node is reachable");
    expect(failing.code).toBe(3);
  });

  it("exits 2 naming the flag as typed, before creating the home", async () => {
    const home = join(tempDir(), "never-created");
    const cases: [string[], string[]][] = [
      [["node", "--port", "abc"], ['api_port = "abc" (from flag --port)']],
      [["start", "-p", "abc"], ['api_port = "abc" (from flag -p)']],
      [["start", "--bootstrap", "garbage"], ['(from flag --bootstrap): "garbage" is not a multiaddr']],
      [
        ["worker", "--seed", "/ip4/127.0.0.1/tcp/1/p2p/x", "--port=70000"],
        ['(from flag --seed): "/ip4/127.0.0.1/tcp/1/p2p/x" ends in /p2p/x', "(from flag --port)"],
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(["--home", home, ...args])));
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(2);
      for (const text of cases[i]?.[1] ?? []) expect(run.stderr).toContain(text);
      expect(run.stderr).not.toContain("--api-port");
    }
    const fromEnv = await runCli(["--home", home, "node"], {
      env: cleanEnv({ TIRAMI_BOOTSTRAP: "/ip4/127.0.0.1/tcp/1,nope" }),
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('(from env TIRAMI_BOOTSTRAP): "nope" is not a multiaddr');
    expect(existsSync(home)).toBe(false);
  });

  it("exits 7 for a trade the node does not have", async () => {
    const run = await runCli([...at, "proof", "ab".repeat(32)]);
    expect(run.code).toBe(7);
    expect(run.stderr).toContain("TRADE_NOT_FOUND");
  });

  it("exits 7 when there is no ledger to verify", async () => {
    const home = tempDir();
    const run = await runCli(["--home", home, "ledger", "verify"]);
    expect(run.code).toBe(7);
    expect(run.stderr).toContain(`no ledger database at ${join(home, "ledger.db")}`);
  });
});

describe("after the node stops", () => {
  it("stops cleanly on SIGTERM, and its ledger verifies", async () => {
    const before = json<{ network: { merkle_root: string } }>(await runCli([...at, "status", "--json"]));
    expect(await node.stop()).toBe(0);
    expect(node.stderr()).toContain("node stopped");

    const run = await runCli(["--home", node.home, "ledger", "verify", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = json<{ ok: boolean; issue_count: number; root: string; path: string }>(run);
    expect(report).toMatchObject({ ok: true, issue_count: 0, path: join(node.home, "ledger.db") });
    expect(report.root).toBe(before.network.merkle_root);
  });

  it("exits 6 when the ledger was tampered with", async () => {
    const path = join(tempDir(), "tampered.db");
    const ledger = openLedger({ path });
    ledger.grant({ account: parseAccountId(node.nodeId), amountTrm: 5, reason: "test grant" });
    ledger.sqlite.prepare("UPDATE accounts SET balance_trm = balance_trm + 1").run();
    ledger.close();
    const run = await runCli(["ledger", "verify", "--db", path]);
    expect(run.code).toBe(6);
    expect(run.stdout).toContain("balance_mismatch");
    expect(run.stderr).toContain("ledger verification found");
  });
});
