/**
 * `tirami peers` and `tirami providers`: who this node is connected to in the mesh (with each peer's
 * Merkle root and whether it agrees with ours), and the providers in its offer book (models, price,
 * capacity, rank).
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { short } from "../format.js";
import { list, pick } from "../values.js";

/** `models` of an offer as `id@price` strings (offers carry `{ model_id, price_trm_per_token }`). */
export function offeredModels(provider: Record<string, unknown>): string[] {
  return list(provider, "models").map(
    (m) => `${String(pick(m, "model_id"))} @ ${String(pick(m, "price_trm_per_token"))} TRM/token`,
  );
}

export function peersCommand(deps: CliDeps): Command {
  return new Command("peers")
    .description("list the mesh peers this node knows, with their Merkle roots")
    .action(
      defineAction(deps, async (ctx) => {
        const response = await ctx.client().api.peers();
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "peers"), [
            { header: "node", value: (p) => short(pick(p, "account")) },
            { header: "connected", value: (p) => pick(p, "connected") },
            { header: "latency ms", value: (p) => pick(p, "latency_ms"), align: "right" },
            { header: "models", value: (p) => pick(p, "models") },
            { header: "trades", value: (p) => pick(p, "trade_count"), align: "right" },
            { header: "root agrees", value: (p) => pick(p, "root_agrees") },
            { header: "reputation", value: (p) => pick(p, "reputation"), align: "right" },
          ]),
        );
      }),
    );
}

export function providersCommand(deps: CliDeps): Command {
  return new Command("providers")
    .description("list providers offering models in the mesh, best first")
    .option("--model <id>", "only providers of this model")
    .option("--preference <p>", "ranking: cost, quality or balanced", "balanced")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = await ctx.client().api.providers({
          model: options["model"] as string | undefined,
          preference: options["preference"] as "cost" | "quality" | "balanced",
        });
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "providers"), [
            { header: "provider", value: (p) => short(pick(p, "account")) },
            { header: "models", value: (p) => offeredModels(p).join(", ") },
            { header: "free", value: (p) => pick(p, "free_capacity"), align: "right" },
            { header: "trades", value: (p) => pick(p, "trade_count"), align: "right" },
            {
              header: "rank",
              value: (p) =>
                list(p, "ranking")
                  .map((r) => pick(r, "rank"))
                  .join(","),
              align: "right",
            },
          ]),
        );
      }),
    );
}
