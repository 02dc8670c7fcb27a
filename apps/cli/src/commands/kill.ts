/**
 * `tirami kill` and `tirami resume`: the persisted kill switch that blocks every spend at once
 * (docs/architecture.md §6). Operator token only.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { record } from "../values.js";

const REASON_DEFAULT = "stopped from the tirami CLI";

export function killCommand(deps: CliDeps): Command {
  return new Command("kill")
    .description("activate the kill switch: every spend is denied until `tirami resume`")
    .option("--reason <text>", "why (recorded with the decision)", REASON_DEFAULT)
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = record(
          await ctx.client().api.kill({ activate: true, reason: options["reason"] as string }),
        );
        ctx.out.result(response, () =>
          ctx.out.line(
            `${ctx.out.color.red("kill switch ACTIVE")} — every spend is denied; lift it with \`tirami resume\``,
          ),
        );
      }),
    );
}

export function resumeCommand(deps: CliDeps): Command {
  return new Command("resume").description("deactivate the kill switch").action(
    defineAction(deps, async (ctx) => {
      const response = record(await ctx.client().api.kill({ activate: false }));
      ctx.out.result(response, () =>
        ctx.out.line(`${ctx.out.color.green("kill switch off")} — spends are allowed again`),
      );
    }),
  );
}
