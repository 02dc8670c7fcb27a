/**
 * `tirami peers` and `tirami providers`: who this node is connected to in the mesh, and the providers in
 * its offer book (models, price, reputation).
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { short } from "../format.js";
import { PATHS } from "../paths.js";
import { list, pick } from "../values.js";

export function peersCommand(deps: CliDeps): Command {
  return new Command("peers").description("list the mesh peers this node is connected to").action(
    defineAction(deps, async (ctx) => {
      const response = await ctx.client().get(PATHS.peers);
      ctx.out.result(response, () =>
        ctx.out.table(list(response, "peers", "data"), [
          { header: "node", value: (p) => short(pick(p, "account_id", "node_id", "peer_id")) },
          { header: "address", value: (p) => pick(p, "multiaddr", "address", "addrs") },
          { header: "status", value: (p) => pick(p, "status", "connected") },
          { header: "latency ms", value: (p) => pick(p, "latency_ms", "rtt_ms"), align: "right" },
        ]),
      );
    }),
  );
}

export function providersCommand(deps: CliDeps): Command {
  return new Command("providers").description("list providers offering models in the mesh").action(
    defineAction(deps, async (ctx) => {
      const response = await ctx.client().get(PATHS.providers);
      ctx.out.result(response, () =>
        ctx.out.table(list(response, "providers", "data"), [
          { header: "provider", value: (p) => short(pick(p, "provider", "account_id", "node_id")) },
          { header: "models", value: (p) => pick(p, "models", "model_ids", "model_id") },
          {
            header: "TRM/token",
            value: (p) => pick(p, "price_trm_per_token", "base_trm_per_token"),
            align: "right",
          },
          { header: "reputation", value: (p) => pick(p, "reputation"), align: "right" },
          { header: "free", value: (p) => pick(p, "free_capacity", "capacity"), align: "right" },
        ]),
      );
    }),
  );
}
