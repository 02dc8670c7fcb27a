/**
 * `tirami agora register|withdraw|agents|find|reputation|collusion|stats|snapshot|task|nostr`: the marketplace
 * of agents and providers (docs/agora.md) through the node's `/v1/tirami/agora/*` routes. Every command
 * prints a table or a line, or the node's JSON with `--json`.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { integerArg, list, numberArg, pick, record } from "../values.js";

/** The agora's node API paths. */
export const AGORA_PATHS = {
  register: "/v1/tirami/agora/register",
  agent: (agentId: string) => `/v1/tirami/agora/agents/${encodeURIComponent(agentId)}`,
  agents: "/v1/tirami/agora/agents",
  find: "/v1/tirami/agora/find",
  reputation: (account: string) => `/v1/tirami/agora/reputation/${encodeURIComponent(account)}`,
  collusion: (account: string) => `/v1/tirami/collusion/${encodeURIComponent(account)}`,
  stats: "/v1/tirami/agora/stats",
  snapshot: "/v1/tirami/agora/snapshot",
  nostr: "/v1/tirami/agora/nostr",
  nostrPublish: "/v1/tirami/agora/nostr/publish",
  task: "/v1/tirami/agora/a2a/task",
} as const;

const PRICE_MAX = 1_000_000;
const score = (value: unknown): string => Number(value).toFixed(3);

function registerCommand(deps: CliDeps): Command {
  return new Command("register")
    .description("register (or update) one of this node's agents, signed with the node key and gossiped")
    .requiredOption("--agent <id>", "the agent's id on this node")
    .requiredOption("--model <id...>", "models it serves")
    .requiredOption("--price <trm>", "TRM per token", numberArg("--price", 0, PRICE_MAX))
    .option("--tier <tier>", "small, medium, large or frontier", "small")
    .option("--capability <name...>", "capabilities, e.g. chat a2a")
    .option("--endpoint <url...>", "where to reach it")
    .option("--description <text>", "what it does", "")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const profile = record(
          await ctx.client().post(AGORA_PATHS.register, {
            agent_id: options["agent"],
            models: options["model"],
            price_trm_per_token: options["price"],
            tier: options["tier"],
            capabilities: options["capability"] ?? [],
            endpoints: options["endpoint"] ?? [],
            description: options["description"],
          }),
        );
        ctx.out.result(profile, () =>
          ctx.out.line(
            `registered ${String(pick(profile, "agent_id"))} on ${String(pick(profile, "node")).slice(0, 16)}… (${(pick(profile, "models") as string[]).join(", ")} at ${String(pick(profile, "price_trm_per_token"))} TRM/token)`,
          ),
        );
      }),
    );
}

function findCommand(deps: CliDeps): Command {
  return new Command("find")
    .description("agents and providers matching model globs, ranked by reputation and price")
    .argument("[patterns...]", "globs over model ids, e.g. 'qwen2.5-*' (none: any)")
    .option("--max-price <trm>", "highest TRM per token", numberArg("--max-price", 0, PRICE_MAX))
    .option("--tier <tier>", "small, medium, large or frontier")
    .option("--min-reputation <score>", "lowest reputation, 0 to 1", numberArg("--min-reputation", 0, 1))
    .option("--capability <name...>", "capabilities every match must list")
    .option("--limit <n>", "matches shown (≤ 100)", integerArg("--limit", 1, 100), 20)
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const response = await ctx.client().post(AGORA_PATHS.find, {
          model_patterns: (args[0] as string[] | undefined) ?? [],
          ...(options["maxPrice"] === undefined ? {} : { max_trm_per_token: options["maxPrice"] }),
          ...(options["tier"] === undefined ? {} : { tier: options["tier"] }),
          ...(options["minReputation"] === undefined ? {} : { min_reputation: options["minReputation"] }),
          ...(options["capability"] === undefined ? {} : { capabilities: options["capability"] }),
          limit: options["limit"],
        });
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "matches"), [
            { header: "node", value: (m) => String(pick(m, "node")).slice(0, 16) },
            { header: "agent", value: (m) => pick(m, "agent_id") },
            { header: "model", value: (m) => pick(m, "matched_model") },
            { header: "TRM/token", value: (m) => pick(m, "price_trm_per_token"), align: "right" },
            { header: "reputation", value: (m) => score(pick(m, "reputation")), align: "right" },
            { header: "score", value: (m) => score(pick(m, "composite_score")), align: "right" },
          ]),
        );
      }),
    );
}

function readCommands(deps: CliDeps): Command[] {
  const agents = new Command("agents").description("every agent and provider this node knows").action(
    defineAction(deps, async (ctx) => {
      const response = await ctx.client().get(AGORA_PATHS.agents);
      ctx.out.result(response, () =>
        ctx.out.table(list(response, "agents"), [
          { header: "node", value: (a) => String(pick(a, "node")).slice(0, 16) },
          { header: "agent", value: (a) => pick(a, "agent_id") },
          { header: "source", value: (a) => pick(a, "source") },
          {
            header: "models",
            value: (a) =>
              (pick(a, "models") as Array<string | { model_id: string }>)
                .map((m) => (typeof m === "string" ? m : m.model_id))
                .join(","),
          },
        ]),
      );
    }),
  );
  const reputation = new Command("reputation")
    .description(
      "an account's reputation: aggregate over its trades, capped by the ledger's minus the collusion penalty",
    )
    .argument("<account>", "64 hex")
    .action(
      defineAction(deps, async (ctx, args) => {
        const response = record(await ctx.client().get(AGORA_PATHS.reputation(String(args[0]))));
        ctx.out.result(response, () =>
          ctx.out.line(
            `reputation ${score(pick(response, "overall"))} (volume ${score(pick(response, "volume"))}, recency ${score(pick(response, "recency"))}, diversity ${score(pick(response, "diversity"))}, consistency ${score(pick(response, "consistency"))}; ledger ${score(pick(response, "ledger_reputation"))}, penalty ${score(pick(response, "trust_penalty"))}; ${String(pick(response, "trade_count"))} trades)`,
          ),
        );
      }),
    );
  const collusion = new Command("collusion")
    .description("the collusion detector's view of an account over the last 24 h")
    .argument("<account>", "64 hex")
    .action(
      defineAction(deps, async (ctx, args) => {
        const response = record(await ctx.client().get(AGORA_PATHS.collusion(String(args[0]))));
        ctx.out.result(response, () => {
          ctx.out.line(
            `trust penalty ${score(pick(response, "trust_penalty"))} over ${String(pick(response, "trades_in_window"))} trades (cluster ${score(pick(response, "tight_cluster_score"))}, volume ${score(pick(response, "volume_spike_score"))}, ring ${score(pick(response, "round_robin_score"))})`,
          );
          for (const flag of pick(response, "flags") as string[]) ctx.out.line(`  ${flag}`);
        });
      }),
    );
  const stats = new Command("stats").description("counts of agents, providers and profile gossip").action(
    defineAction(deps, async (ctx) => {
      const response = record(await ctx.client().get(AGORA_PATHS.stats));
      ctx.out.result(response, () =>
        ctx.out.line(
          `${String(pick(response, "agent_count"))} agents, ${String(pick(response, "provider_count"))} providers on ${String(pick(response, "node_count"))} nodes; ${String(pick(response, "own_profiles"))} profiles of this node; ${String(pick(response, "trade_count"))} trades`,
        ),
      );
    }),
  );
  const snapshot = new Command("snapshot").description("every live signed profile and offer (JSON)").action(
    defineAction(deps, async (ctx) => {
      const response = await ctx.client().get(AGORA_PATHS.snapshot);
      ctx.out.result(response, () => ctx.out.line(JSON.stringify(response, null, 2)));
    }),
  );
  return [agents, reputation, collusion, stats, snapshot];
}

function taskCommand(deps: CliDeps): Command {
  return new Command("task")
    .description(
      "buy one A2A task from another node (its agent card URL or base URL), paid as a dual-signed trade",
    )
    .argument("<url>", "the provider's agent card URL or base URL")
    .argument("<prompt...>", "what to ask")
    .option("--model <id>", "model (default: the first the card prices)")
    .option(
      "--max-tokens <n>",
      "most completion tokens paid for (≤ 4,096)",
      integerArg("--max-tokens", 1, 4_096),
      64,
    )
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const response = record(
          await ctx.client().post(AGORA_PATHS.task, {
            url: String(args[0]),
            prompt: (args[1] as string[]).join(" "),
            ...(options["model"] === undefined ? {} : { model: options["model"] }),
            max_tokens: options["maxTokens"],
          }),
        );
        ctx.out.result(response, () => {
          ctx.out.line(String(pick(response, "text")));
          ctx.out.line(
            `paid ${String(pick(response, "amount_trm"))} TRM to ${String(pick(response, "provider")).slice(0, 16)}… (trade ${String(pick(response, "trade_id") ?? "none")})`,
          );
        });
      }),
    );
}

function nostrCommand(deps: CliDeps): Command {
  return new Command("nostr")
    .description("this node's Nostr identity; --publish sends its NIP-89 advertisements to its relays")
    .option("--publish", "publish the advertisements now")
    .option("--dry-run", "with --publish: build and show them, send nothing")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        if (options["publish"] !== true) {
          const response = record(await ctx.client().get(AGORA_PATHS.nostr));
          ctx.out.result(response, () =>
            ctx.out.line(
              `nostr pubkey ${String(pick(response, "pubkey"))}; relays: ${(pick(response, "relays") as string[]).join(", ") || "none"}`,
            ),
          );
          return;
        }
        const response = record(
          await ctx.client().post(AGORA_PATHS.nostrPublish, { dry_run: options["dryRun"] === true }),
        );
        ctx.out.result(response, () => {
          ctx.out.line(`${list(response, "events").length} advertisements`);
          for (const result of list(response, "results"))
            ctx.out.line(
              `  ${String(pick(result, "relay"))}: ${pick(result, "ok") === true ? "ok" : String(pick(result, "message"))}`,
            );
        });
      }),
    );
}

export function agoraCommand(deps: CliDeps): Command {
  const agora = new Command("agora").description("the marketplace of agents and providers");
  agora.addCommand(registerCommand(deps));
  agora.addCommand(
    new Command("withdraw")
      .description("stop advertising one of this node's agents")
      .argument("<agent-id>")
      .action(
        defineAction(deps, async (ctx, args) => {
          const response = record(await ctx.client().delete(AGORA_PATHS.agent(String(args[0]))));
          ctx.out.result(response, () => ctx.out.line(`withdrew ${String(pick(response, "withdrawn"))}`));
        }),
      ),
  );
  agora.addCommand(findCommand(deps));
  for (const command of readCommands(deps)) agora.addCommand(command);
  agora.addCommand(taskCommand(deps));
  agora.addCommand(nostrCommand(deps));
  return agora;
}
