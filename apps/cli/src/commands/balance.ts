/**
 * `tirami balance`: the node account's (or, with an agent token, the agent's) TRM figures.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { record } from "../values.js";

export function balanceCommand(deps: CliDeps): Command {
  return new Command("balance").description("show the node's TRM balance").action(
    defineAction(deps, async (ctx) => {
      const balance = record(await ctx.client().api.balance());
      ctx.out.result(balance, () => ctx.out.fields(Object.entries(balance)));
    }),
  );
}
