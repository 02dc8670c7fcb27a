/**
 * The parts of `tirami demo` that talk to the three nodes: starting them with the injected launcher,
 * waiting for the mesh to converge, buying answers through a node's OpenAI endpoint, reading each node's
 * view of the ledger, and checking one node's inclusion proof against another node's root.
 * @module
 */
import { join } from "node:path";
import { fromHex } from "@tirami/core";
import { createClient, type NodeClient } from "./client.js";
import type { CommandContext } from "./context.js";
import type { RunningNode } from "./deps.js";
import { CliError, ExitCode, toCliError } from "./errors.js";
import { list, num, pick, record } from "./values.js";

/** How long the demo waits for offers and trades to cross the mesh (ms): gossip takes about a second. */
export const MESH_WAIT_MS = 30_000;
const POLL_MS = 200;
/** Tokens per demo answer: enough to see text, few enough to stay fast on a CPU. */
export const DEMO_MAX_TOKENS = 12;
/** The agent's budget (TRM): roomy enough for its answers, with a per-request cap the demo then exceeds. */
export const AGENT_BUDGET = {
  per_request_max_trm: 40,
  per_request_hard_max_trm: 40,
  hourly_max_trm: 200,
  lifetime_max_trm: 1_000,
  approval_threshold_trm: null,
};
export const PROMPTS = ["Once upon a time", "The little dog", "In the garden", "A tiny robot"];

export interface DemoNode {
  name: string;
  node: RunningNode;
  operator: NodeClient;
}

export interface Purchase {
  via: string;
  spender: string;
  cost_trm: number | undefined;
  provider: string | undefined;
  trade_id: string | undefined;
  text: string;
}

export function clientFor(node: RunningNode, token: string, timeoutMs: number): NodeClient {
  return createClient({
    url: node.apiUrl,
    token: { value: token, source: "flag", filePath: node.tokenPath },
    timeoutMs,
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
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

export async function buy(
  client: NodeClient,
  via: string,
  spender: string,
  prompt: string,
  model: string,
  maxTokens = DEMO_MAX_TOKENS,
): Promise<Purchase> {
  const response = record(
    await client.api.chatCompletions({
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

/** Progress lines: on stdout for people, on stderr with `--json` so stdout stays one document. */
export function say(ctx: CommandContext, text: string): void {
  if (ctx.out.json) ctx.out.note(text);
  else ctx.out.line(text);
}

/**
 * The demo's nodes take their settings from the demo alone: a `TIRAMI_MODEL` meant for the demo's
 * provider must not also give the consumers a model (they would answer themselves and pay nothing).
 */
function isolatedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("TIRAMI_")));
}

export async function startMesh(
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
      env: isolatedEnv(ctx.deps.env),
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

/** Runs a purchase that should be refused; returns the refusal's code and status, or null if it went through. */
export async function denial(
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

export function describeDenial(
  ctx: CommandContext,
  denied: { code: string; status: number | undefined } | null,
): string {
  return denied === null
    ? ctx.out.color.yellow("allowed (not denied)")
    : `${ctx.out.color.red("DENIED")} ${denied.status ?? ""} ${denied.code}`;
}

/** One node's view after the purchases: its trades, root and balance. */
export interface NodeView {
  node: string;
  account: string;
  trades: number;
  has_all: boolean;
  merkle_root: string;
  balance_trm: number | undefined;
}

/** Waits until every node holds every trade in `tradeIds`; returns each node's view. */
export function awaitTrades(nodes: readonly DemoNode[], tradeIds: readonly string[]): Promise<NodeView[]> {
  return waitFor("every node to hold every trade", async () => {
    const seen = await Promise.all(
      nodes.map(async (n): Promise<NodeView> => {
        const trades = list(await n.operator.api.trades({ limit: 100 }), "trades").map((t) => t["trade_id"]);
        const network = record(await n.operator.api.network());
        const balance = record(await n.operator.api.balance());
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
}

/** Fetches `tradeId`'s inclusion proof from `from` and verifies it here against `rootHex` (another node's root). */
export async function proofHolds(
  ctx: CommandContext,
  from: DemoNode,
  tradeId: string,
  rootHex: string,
): Promise<boolean> {
  const [proof, signed] = await Promise.all([
    from.operator.api.proof({ trade_id: tradeId }).then(record),
    from.operator.api.trade({ trade_id: tradeId }),
  ]);
  // The leaf comes from the signed trade itself (signatures checked), not from the node's word.
  const leaf = await ctx.deps.ledger.tradeLeaf(signed);
  if (!leaf.ok) return false;
  return ctx.deps.ledger.verifyInclusion({
    leafHash: leaf.leafHash,
    index: num(proof, "leaf_index") ?? -1,
    treeSize: num(proof, "tree_size") ?? 0,
    proof: (Array.isArray(proof["proof"]) ? (proof["proof"] as unknown[]) : []).map((p) =>
      fromHex(String(p)),
    ),
    root: fromHex(rootHex),
  });
}
