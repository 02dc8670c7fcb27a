/**
 * `tirami demo`: a real three-node mesh on 127.0.0.1 in temporary homes — one provider serving the model,
 * two model-less consumers, one of which runs an agent with a budget. It makes real paid inferences
 * through the consumers' OpenAI endpoints, waits for the signed trades to reach all three ledgers, shows
 * the balances and the common Merkle root, verifies an inclusion proof locally against another node's
 * root, trips the kill switch and shows the agent's next spend denied, then stops everything.
 * Nothing is simulated: every step is an HTTP call to a real node. Exits 6 if the nodes disagree.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex } from "@tirami/core";
import { Command } from "commander";
import { createClient, type NodeClient } from "../client.js";
import { defineAction } from "../command-kit.js";
import { STOP_TIMEOUT_MS } from "../constants.js";
import type { CommandContext } from "../context.js";
import type { CliDeps, RunningNode } from "../deps.js";
import { CliError, CliErrorCode, ExitCode, toCliError } from "../errors.js";
import { short } from "../format.js";
import { hasMesh } from "../node-flags.js";
import { PATHS } from "../paths.js";
import { prepareModel, stopWithin } from "../run-node.js";
import { integerArg, list, num, pick, record } from "../values.js";

/** How long the demo waits for offers and trades to cross the mesh (ms): gossip takes about a second. */
const MESH_WAIT_MS = 30_000;
const POLL_MS = 200;
/** Tokens per demo answer: enough to see text, few enough to stay fast on a CPU. */
const DEMO_MAX_TOKENS = 12;
/** The agent's budget (TRM): roomy enough for its answers, with a per-request cap the demo then exceeds. */
const AGENT_BUDGET = {
  per_request_max_trm: 40,
  per_request_hard_max_trm: 40,
  hourly_max_trm: 200,
  lifetime_max_trm: 1_000,
  approval_threshold_trm: null,
};
const PROMPTS = ["Once upon a time", "The little dog", "In the garden", "A tiny robot"];

interface DemoNode {
  name: string;
  node: RunningNode;
  operator: NodeClient;
}

interface Purchase {
  via: string;
  spender: string;
  cost_trm: number | undefined;
  provider: string | undefined;
  trade_id: string | undefined;
  text: string;
}

function clientFor(node: RunningNode, token: string, timeoutMs: number): NodeClient {
  return createClient({
    url: node.apiUrl,
    token: { value: token, source: "flag", filePath: node.tokenPath },
    timeoutMs,
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + MESH_WAIT_MS;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new CliError("DEMO_TIMEOUT", ExitCode.FAILURE, `the demo waited ${MESH_WAIT_MS} ms for ${what}`, {
        hint: "the mesh did not converge on 127.0.0.1; run with TIRAMI_DEBUG=1 and check the node logs",
      });
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function buy(
  client: NodeClient,
  via: string,
  spender: string,
  prompt: string,
  model: string,
  maxTokens = DEMO_MAX_TOKENS,
): Promise<Purchase> {
  const response = record(
    await client.post(PATHS.chat, {
      model,
      messages: [{ role: "user", content: prompt }],
      max_tokens: maxTokens,
      temperature: 0,
    }),
  );
  const x = record(response["x_tirami"]);
  const content = pick(record(list(response, "choices")[0]?.["message"]), "content");
  const provider = pick(x, "provider");
  const tradeId = pick(x, "trade_id");
  return {
    via,
    spender,
    cost_trm: num(x, "trm_cost"),
    provider: typeof provider === "string" ? provider : undefined,
    trade_id: typeof tradeId === "string" ? tradeId : undefined,
    text: typeof content === "string" ? content : "",
  };
}

export function demoCommand(deps: CliDeps): Command {
  return new Command("demo")
    .description(
      "run a real three-node mesh on 127.0.0.1: paid inferences, trades on every node, Merkle root, proof, kill switch",
    )
    .option("-m, --model <model>", "model for the provider (default $TIRAMI_MODEL, else the catalog default)")
    .option("-t, --threads <n>", "CPU threads for inference", integerArg("--threads", 1, 256), 1)
    .option("--keep", "keep the temporary node homes (their path is printed)")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        if (!hasMesh(deps.nodes.configTable))
          throw new CliError(
            "MESH_UNAVAILABLE",
            ExitCode.FAILURE,
            "this build of the node has no mesh (no `p2p_port`/`bootstrap` options)",
            {
              hint: "update @tirami/node; the single-node commands work without it",
            },
          );
        const base = mkdtempSync(join(tmpdir(), "tirami-demo-"));
        const started: DemoNode[] = [];
        try {
          await runDemo(ctx, {
            base,
            started,
            model: await chooseModel(ctx, options),
            threads: options["threads"] as number,
          });
        } finally {
          say(ctx, "\n6. shutting down");
          await Promise.all(started.map(({ node }) => stopWithin(node, STOP_TIMEOUT_MS)));
          if (options["keep"] === true) say(ctx, `   node homes kept in ${base}`);
          else rmSync(base, { recursive: true, force: true });
          say(ctx, `   ${started.length} node(s) stopped`);
        }
      }),
    );
}

/** Progress lines: on stdout for people, on stderr with `--json` so stdout stays one document. */
function say(ctx: CommandContext, text: string): void {
  if (ctx.out.json) ctx.out.note(text);
  else ctx.out.line(text);
}

async function chooseModel(ctx: CommandContext, options: Record<string, unknown>): Promise<string> {
  const given = (options["model"] as string | undefined) ?? ctx.deps.env["TIRAMI_MODEL"];
  const model = given ?? (await ctx.deps.models.catalog()).defaultModel;
  const flags: Record<string, unknown> = { model, home: ctx.home };
  await prepareModel(ctx, flags); // downloads into <home>/models with a progress bar when needed
  return flags["model"] as string;
}

async function startMesh(
  ctx: CommandContext,
  plan: { base: string; started: DemoNode[]; model: string; threads: number },
): Promise<DemoNode[]> {
  const common = {
    api_port: 0,
    p2p_port: 0,
    threads: plan.threads,
    log_level: "error",
    offer_interval_ms: 1_000,
  };
  const table = ctx.deps.nodes.configTable;
  const flags = (extra: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries({ ...common, ...extra }).filter(([key]) => Object.hasOwn(table, key) || key === "home"),
    );
  const launch = async (name: string, extra: Record<string, unknown>): Promise<DemoNode> => {
    const node = await ctx.deps.nodes.start({
      flags: flags({ home: join(plan.base, name), ...extra }),
      env: ctx.deps.env,
    });
    const entry = { name, node, operator: clientFor(node, node.token, 120_000) };
    plan.started.push(entry);
    say(
      ctx,
      `   ${name.padEnd(8)} ${node.nodeId}  ${node.apiUrl}  ${node.model === undefined ? "consumer (no model)" : `serves ${node.model}`}`,
    );
    return entry;
  };
  const provider = await launch("provider", { model: plan.model });
  const seed = provider.node.multiaddrs[0];
  if (seed === undefined)
    throw new CliError("MESH_UNAVAILABLE", ExitCode.FAILURE, "the provider did not open a mesh address");
  const [alice, bob] = await Promise.all([
    launch("alice", { bootstrap: [seed] }),
    launch("bob", { bootstrap: [seed] }),
  ]);
  return [provider, alice as DemoNode, bob as DemoNode];
}

async function runDemo(
  ctx: CommandContext,
  plan: { base: string; started: DemoNode[]; model: string; threads: number },
): Promise<void> {
  const { out } = ctx;
  say(ctx, out.color.bold("1. starting three nodes on 127.0.0.1"));
  const [provider, alice, bob] = (await startMesh(ctx, plan)) as [DemoNode, DemoNode, DemoNode];
  const modelId = provider.node.model ?? "";
  for (const consumer of [alice, bob])
    await waitFor(`${consumer.name} to see the provider's offer`, async () => {
      const offers = list(await consumer.operator.get(PATHS.providers), "models");
      return offers.some((m) => m["model_id"] === modelId) ? true : undefined;
    });
  say(ctx, `   both consumers see the provider's offer of ${modelId}`);

  say(ctx, out.color.bold("\n2. bob creates an agent with a budget"));
  const created = record(await bob.operator.post(PATHS.agents, { name: "researcher", policy: AGENT_BUDGET }));
  const agentToken = String(created["token"]);
  const agent = clientFor(bob.node, agentToken, 120_000);
  say(
    ctx,
    `   agent "researcher": ${AGENT_BUDGET.per_request_max_trm} TRM per request, ${AGENT_BUDGET.hourly_max_trm} per hour, ${AGENT_BUDGET.lifetime_max_trm} lifetime`,
  );

  say(ctx, out.color.bold("\n3. paid inferences through the consumers' OpenAI endpoints"));
  const purchases: Purchase[] = [];
  const plans: [NodeClient, string, string][] = [
    [alice.operator, "alice", "operator"],
    [alice.operator, "alice", "operator"],
    [agent, "bob", "researcher"],
    [agent, "bob", "researcher"],
  ];
  for (const [index, [client, via, spender]] of plans.entries()) {
    const purchase = await buy(client, via, spender, PROMPTS[index] ?? "Hello", modelId);
    purchases.push(purchase);
    say(
      ctx,
      `   ${`${via}/${spender}`.padEnd(15)} paid ${String(purchase.cost_trm).padStart(3)} TRM to ${String(short(purchase.provider))}  trade ${String(short(purchase.trade_id))}  "${purchase.text.replace(/\s+/g, " ").trim().slice(0, 40)}"`,
    );
  }
  const tradeIds = purchases.map((p) => p.trade_id).filter((id): id is string => id !== undefined);

  say(ctx, out.color.bold("\n4. the trades arrive on all three nodes"));
  const views = await waitFor("every node to hold every trade", async () => {
    const seen = await Promise.all(
      [provider, alice, bob].map(async (n) => {
        const trades = list(await n.operator.get(PATHS.trades, { limit: 100 }), "trades").map(
          (t) => t["trade_id"],
        );
        const network = record(await n.operator.get(PATHS.network));
        const balance = record(await n.operator.get(PATHS.balance));
        return {
          node: n.name,
          account: n.node.nodeId,
          trades: trades.length,
          has_all: tradeIds.every((id) => trades.includes(id)),
          merkle_root: String(network["merkle_root"]),
          balance_trm: num(balance, "effective_balance_trm"),
        };
      }),
    );
    return seen.every((v) => v.has_all) ? seen : undefined;
  });
  if (!out.json)
    out.table(views, [
      { header: "node", value: (v) => v.node },
      { header: "account", value: (v) => short(v.account) },
      { header: "trades", value: (v) => v.trades, align: "right" },
      { header: "balance TRM", value: (v) => v.balance_trm, align: "right" },
      { header: "merkle root", value: (v) => v.merkle_root },
    ]);
  const roots = new Set(views.map((v) => v.merkle_root));
  const rootsAgree = roots.size === 1;
  say(
    ctx,
    rootsAgree
      ? `   ${out.color.green("✓")} all three nodes compute the same Merkle root`
      : `   ${out.color.red("✗")} the nodes disagree on the Merkle root`,
  );

  const proofTrade = tradeIds[0] ?? "";
  const proof = record(await alice.operator.get(PATHS.proof(proofTrade)));
  const bobRoot = views.find((v) => v.node === "bob")?.merkle_root ?? "";
  const proofOk = await ctx.deps.ledger.verifyInclusion({
    leafHash: fromHex(String(proof["leaf_hash"])),
    index: num(proof, "leaf_index") ?? -1,
    treeSize: num(proof, "tree_size") ?? 0,
    proof: (Array.isArray(proof["proof"]) ? (proof["proof"] as unknown[]) : []).map((p) =>
      fromHex(String(p)),
    ),
    root: fromHex(bobRoot),
  });
  say(
    ctx,
    `   inclusion proof of trade ${String(short(proofTrade))} from alice, verified here against bob's root: ${proofOk ? out.color.green("✓ included") : out.color.red("✗ not included")}`,
  );

  say(ctx, out.color.bold("\n5. safety: budgets and the kill switch"));
  const overBudget = await denial(() =>
    buy(agent, "bob", "researcher", "A long story", modelId, AGENT_BUDGET.per_request_max_trm * 2),
  );
  say(
    ctx,
    `   agent asks for ${AGENT_BUDGET.per_request_max_trm * 2} tokens (over its ${AGENT_BUDGET.per_request_max_trm} TRM per-request budget): ${describeDenial(ctx, overBudget)}`,
  );
  await bob.operator.post(PATHS.kill, { activate: true, reason: "demo: operator pulls the plug" });
  const killed = await denial(() => buy(agent, "bob", "researcher", "One more?", modelId));
  say(ctx, `   kill switch on at bob; the agent's next spend: ${describeDenial(ctx, killed)}`);
  await bob.operator.post(PATHS.kill, { activate: false });

  const summary = {
    model: modelId,
    nodes: views,
    purchases,
    merkle_roots_agree: rootsAgree,
    merkle_root: rootsAgree ? views[0]?.merkle_root : null,
    inclusion_proof: { trade_id: proofTrade, verified_against: "bob", ok: proofOk },
    denied: { over_budget: overBudget, kill_switch: killed },
  };
  if (out.json) out.raw(`${JSON.stringify(summary, null, 2)}\n`);
  if (!rootsAgree || !proofOk || killed === null)
    throw new CliError(
      CliErrorCode.VERIFY_FAILED,
      ExitCode.VERIFY_FAILED,
      "the demo's checks failed (see above)",
      {
        hint: "roots, proof or the kill switch did not behave; this is a bug worth reporting",
      },
    );
}

/** Runs a purchase that should be refused; returns the refusal's code and status, or null if it went through. */
async function denial(
  attempt: () => Promise<Purchase>,
): Promise<{ code: string; status: number | undefined; message: string } | null> {
  try {
    await attempt();
    return null;
  } catch (error) {
    const cliError = toCliError(error);
    if (cliError.exitCode !== ExitCode.DENIED) throw cliError;
    return { code: cliError.code, status: cliError.status, message: cliError.message };
  }
}

function describeDenial(
  ctx: CommandContext,
  denied: { code: string; status: number | undefined } | null,
): string {
  return denied === null
    ? ctx.out.color.yellow("allowed (not denied)")
    : `${ctx.out.color.red("DENIED")} ${denied.status ?? ""} ${denied.code}`;
}
