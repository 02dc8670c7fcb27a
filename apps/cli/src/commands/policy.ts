/**
 * `tirami policy show|set`: the operator's budget and circuit-breaker policy in the safety gate
 * (docs/architecture.md §6). Agents have their own (`tirami agent budget`).
 * @module
 */
import type { PolicyUpdate } from "@tirami/client";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { usageError } from "../errors.js";
import { addPolicyFlags, policyFromFlags } from "../policy-flags.js";
import { record } from "../values.js";

export function policyCommand(deps: CliDeps): Command {
  const policy = new Command("policy").description("show or change the operator's budget and breaker policy");
  policy
    .command("show")
    .description("show the policy and current spend")
    .option("--spender <name>", "a named agent instead of the operator")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const spender = options["spender"] as string | undefined;
        const response = record(await ctx.client().api.policy({ spender }));
        ctx.out.result(response, () => printPolicy(ctx.out.fields, response));
      }),
    );
  addPolicyFlags(
    policy.command("set").description("change limits (budgets in integer TRM, breaker settings as counts)"),
  )
    .option("--spender <name>", "a named agent instead of the operator")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const partial = policyFromFlags(options);
        if (Object.keys(partial).length === 0)
          throw usageError("policy set needs at least one limit", "e.g. `tirami policy set --hourly 5000`");
        const spender = options["spender"] as string | undefined;
        const response = record(
          await ctx
            .client()
            .api.setPolicy({ ...(spender === undefined ? {} : { spender }), ...(partial as PolicyUpdate) }),
        );
        ctx.out.result(response, () => printPolicy(ctx.out.fields, response));
      }),
    );
  return policy;
}

/** Prints a policy response: the policy fields first, then anything else. */
export function printPolicy(
  fields: (entries: readonly (readonly [string, unknown])[]) => void,
  response: Record<string, unknown>,
): void {
  const inner = record(response["policy"]);
  const rest = Object.entries(response).filter(([key]) => key !== "policy");
  fields([...Object.entries(inner), ...rest]);
}
