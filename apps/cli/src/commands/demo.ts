/**
 * `tirami demo`: a real three-node mesh on 127.0.0.1 in temporary homes — one provider serving the model,
 * two model-less consumers, one of which runs an agent with a budget. It makes real paid inferences
 * through the consumers' OpenAI endpoints, waits for the signed trades to reach all three ledgers, shows
 * the balances and the common Merkle root, verifies an inclusion proof locally against another node's
 * root, shows the agent's over-budget spend denied, trips the kill switch and shows the next spend
 * denied, then stops everything. Nothing is simulated: every step is an HTTP call to a real node.
 * Exits 6 if the nodes disagree, the proof fails or the kill switch does not deny.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import type { NodeClient } from "../client.js";
import { defineAction } from "../command-kit.js";
import { STOP_TIMEOUT_MS } from "../constants.js";
import type { CommandContext } from "../context.js";
import type { CliDeps } from "../deps.js";
import {
  AGENT_BUDGET,
  awaitTrades,
  buy,
  clientFor,
  type DemoNode,
  denial,
  describeDenial,
  type NodeView,
  PROMPTS,
  proofHolds,
  type Purchase,
  say,
  startMesh,
  waitFor,
} from "../demo-kit.js";
import { CliError, CliErrorCode, ExitCode } from "../errors.js";
import { short } from "../format.js";
import { hasMesh } from "../node-flags.js";
import { prepareModel, stopWithin } from "../run-node.js";
import { integerArg, list, record } from "../values.js";

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
          throw new CliError("MESH_UNAVAILABLE", ExitCode.FAILURE, "this build of the node has no mesh", {
            hint: "update @tirami/node; the single-node commands work without it",
          });
        const model = await chooseModel(ctx, options);
        const base = mkdtempSync(join(tmpdir(), "tirami-demo-"));
        const started: DemoNode[] = [];
        try {
          await runDemo(ctx, { base, started, model, threads: options["threads"] as number });
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

/** `--model`, else `$TIRAMI_MODEL`, else the catalog default — downloaded with a progress bar if needed. */
async function chooseModel(ctx: CommandContext, options: Record<string, unknown>): Promise<string> {
  const given = (options["model"] as string | undefined) ?? ctx.deps.env["TIRAMI_MODEL"];
  const model = given ?? (await ctx.deps.models.catalog()).defaultModel;
  const flags: Record<string, unknown> = { model, home: ctx.home };
  await prepareModel(ctx, flags);
  return flags["model"] as string;
}

async function runDemo(
  ctx: CommandContext,
  plan: { base: string; started: DemoNode[]; model: string; threads: number },
): Promise<void> {
  say(ctx, ctx.out.color.bold("1. starting three nodes on 127.0.0.1"));
  const [provider, alice, bob] = (await startMesh(ctx, plan)) as [DemoNode, DemoNode, DemoNode];
  const modelId = provider.node.model ?? "";
  await awaitOffers(ctx, [alice, bob], modelId);
  const agent = await createAgent(ctx, bob);
  const purchases = await makePurchases(ctx, modelId, [
    [alice.operator, "alice", "operator"],
    [alice.operator, "alice", "operator"],
    [agent, "bob", "researcher"],
    [agent, "bob", "researcher"],
  ]);
  const tradeIds = purchases.map((p) => p.trade_id).filter((id): id is string => id !== undefined);
  if (tradeIds.length !== purchases.length || purchases.some((p) => p.provider !== provider.node.nodeId)) {
    throw new CliError(
      CliErrorCode.VERIFY_FAILED,
      ExitCode.VERIFY_FAILED,
      "a consumer answered without buying from the provider",
      {
        hint: "the consumers must run without a model; unset TIRAMI_* settings that give them one",
      },
    );
  }
  const { views, rootsAgree, proofOk, proofTrade } = await showLedgers(ctx, [provider, alice, bob], tradeIds);
  const denied = await showSafety(ctx, bob, agent, modelId);
  const summary = {
    model: modelId,
    nodes: views,
    purchases,
    merkle_roots_agree: rootsAgree,
    merkle_root: rootsAgree ? views[0]?.merkle_root : null,
    inclusion_proof: { trade_id: proofTrade, from: "alice", verified_against: "bob", ok: proofOk },
    denied,
  };
  if (ctx.out.json) ctx.out.raw(`${JSON.stringify(summary, null, 2)}\n`);
  if (!rootsAgree || !proofOk || denied.kill_switch === null)
    throw new CliError(
      CliErrorCode.VERIFY_FAILED,
      ExitCode.VERIFY_FAILED,
      "the demo's checks failed (see above)",
      {
        hint: "roots, proof or the kill switch did not behave; this is a bug worth reporting",
      },
    );
}

async function awaitOffers(ctx: CommandContext, consumers: DemoNode[], modelId: string): Promise<void> {
  for (const consumer of consumers)
    await waitFor(`${consumer.name} to see the provider's offer`, async () => {
      const offers = list(await consumer.operator.api.providers(), "models");
      return offers.some((m) => m["model_id"] === modelId) ? true : undefined;
    });
  say(ctx, `   both consumers see the provider's offer of ${modelId}`);
}

async function createAgent(ctx: CommandContext, bob: DemoNode): Promise<NodeClient> {
  say(ctx, ctx.out.color.bold("\n2. bob creates an agent with a budget"));
  const created = record(await bob.operator.api.createAgent({ name: "researcher", policy: AGENT_BUDGET }));
  const {
    per_request_max_trm: perRequest,
    hourly_max_trm: hourly,
    lifetime_max_trm: lifetime,
  } = AGENT_BUDGET;
  say(ctx, `   agent "researcher": ${perRequest} TRM per request, ${hourly} per hour, ${lifetime} lifetime`);
  return clientFor(bob.node, String(created["token"]), 120_000);
}

async function makePurchases(
  ctx: CommandContext,
  modelId: string,
  plans: [NodeClient, string, string][],
): Promise<Purchase[]> {
  say(ctx, ctx.out.color.bold("\n3. paid inferences through the consumers' OpenAI endpoints"));
  const purchases: Purchase[] = [];
  for (const [index, [client, via, spender]] of plans.entries()) {
    const purchase = await buy(client, via, spender, PROMPTS[index] ?? "Hello", modelId);
    purchases.push(purchase);
    const text = purchase.text.replace(/\s+/g, " ").trim().slice(0, 40);
    const who = `${via}/${spender}`.padEnd(15);
    const paid = `paid ${String(purchase.cost_trm).padStart(3)} TRM to ${String(short(purchase.provider))}`;
    say(ctx, `   ${who} ${paid}  trade ${String(short(purchase.trade_id))}  "${text}"`);
  }
  return purchases;
}

async function showLedgers(
  ctx: CommandContext,
  nodes: DemoNode[],
  tradeIds: string[],
): Promise<{ views: NodeView[]; rootsAgree: boolean; proofOk: boolean; proofTrade: string }> {
  const { out } = ctx;
  say(ctx, out.color.bold("\n4. the trades arrive on all three nodes"));
  const views = await awaitTrades(nodes, tradeIds);
  if (!out.json)
    out.table(views, [
      { header: "node", value: (v) => v.node },
      { header: "account", value: (v) => short(v.account) },
      { header: "trades", value: (v) => v.trades, align: "right" },
      { header: "balance TRM", value: (v) => v.balance_trm, align: "right" },
      { header: "merkle root", value: (v) => v.merkle_root },
    ]);
  const rootsAgree = new Set(views.map((v) => v.merkle_root)).size === 1;
  say(
    ctx,
    rootsAgree
      ? `   ${out.color.green("✓")} all three nodes compute the same Merkle root`
      : `   ${out.color.red("✗")} the nodes disagree on the Merkle root`,
  );
  const proofTrade = tradeIds[0] ?? "";
  const [alice, bob] = [nodes[1], nodes[2]] as [DemoNode, DemoNode];
  const bobRoot = views.find((v) => v.node === bob.name)?.merkle_root ?? "";
  const proofOk = await proofHolds(ctx, alice, proofTrade, bobRoot);
  const verdict = proofOk ? out.color.green("✓ included") : out.color.red("✗ not included");
  say(
    ctx,
    `   inclusion proof of trade ${String(short(proofTrade))} from alice, verified here against bob's root: ${verdict}`,
  );
  return { views, rootsAgree, proofOk, proofTrade };
}

async function showSafety(ctx: CommandContext, bob: DemoNode, agent: NodeClient, modelId: string) {
  say(ctx, ctx.out.color.bold("\n5. safety: budgets and the kill switch"));
  const askTokens = AGENT_BUDGET.per_request_max_trm * 2;
  const overBudget = await denial(() => buy(agent, "bob", "researcher", "A long story", modelId, askTokens));
  const budget = `over its ${AGENT_BUDGET.per_request_max_trm} TRM per-request budget`;
  say(ctx, `   agent asks for ${askTokens} tokens (${budget}): ${describeDenial(ctx, overBudget)}`);
  await bob.operator.api.kill({ activate: true, reason: "demo: operator pulls the plug" });
  const killed = await denial(() => buy(agent, "bob", "researcher", "One more?", modelId));
  say(ctx, `   kill switch on at bob; the agent's next spend: ${describeDenial(ctx, killed)}`);
  await bob.operator.api.kill({ activate: false });
  return { over_budget: overBudget, kill_switch: killed };
}
