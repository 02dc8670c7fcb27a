/**
 * `tirami pricing`: the price this node quotes and the market inputs behind it (docs/architecture.md §4).
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { record } from "../values.js";

export function pricingCommand(deps: CliDeps): Command {
  return new Command("pricing").description("show the current price in TRM per token and its inputs").action(
    defineAction(deps, async (ctx) => {
      const pricing = record(await ctx.client().api.pricing());
      ctx.out.result(pricing, () => ctx.out.fields(Object.entries(pricing)));
    }),
  );
}
