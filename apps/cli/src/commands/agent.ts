/**
 * `tirami agent create|list|budget|freeze|unfreeze|revoke`: local programs that spend the node's TRM with
 * their own scoped token under their own budget (docs/architecture.md §2). The token is shown once, at creation.
 * @module
 */
import type { PolicyUpdate } from "@tirami/client";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { usageError } from "../errors.js";
import { addPolicyFlags, policyFromFlags } from "../policy-flags.js";
import { list, pick, record } from "../values.js";
import { printPolicy } from "./policy.js";

export function agentCommand(deps: CliDeps): Command {
  const agent = new Command("agent").description("manage agents: scoped tokens with their own budgets");
  addPolicyFlags(
    agent.command("create <name>").description("create an agent and print its token (shown once)"),
  ).action(
    defineAction(deps, async (ctx, args, options) => {
      const name = String(args[0]);
      const policy = policyFromFlags(options);
      const client = ctx.client();
      const created = record(
        await client.api.createAgent({
          name,
          ...(Object.keys(policy).length === 0 ? {} : { policy: policy as PolicyUpdate }),
        }),
      );
      ctx.out.result(created, () => {
        const token = pick(created, "token", "api_token");
        ctx.out.fields([
          ["agent", pick(record(created["agent"]), "name") ?? name],
          ["token", token],
          ...Object.entries(record(created["policy"])),
        ]);
        ctx.out.note(
          ctx.out.color.dim(
            "the token is shown only now; give it to the agent as its bearer token (TIRAMI_API_TOKEN)",
          ),
        );
      });
    }),
  );
  agent
    .command("list")
    .description("list agents")
    .action(
      defineAction(deps, async (ctx) => {
        const response = await ctx.client().api.agents();
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "agents", "data"), [
            { header: "name", value: (a) => pick(a, "name") },
            { header: "status", value: (a) => pick(a, "status") },
            { header: "requests", value: (a) => pick(record(a["usage"]), "requests"), align: "right" },
            {
              header: "completion tokens",
              value: (a) => pick(record(a["usage"]), "completion_tokens"),
              align: "right",
            },
            { header: "spent TRM", value: (a) => pick(record(a["usage"]), "spent_trm"), align: "right" },
            { header: "created", value: (a) => created(pick(a, "created_ms")) },
          ]),
        );
      }),
    );
  addPolicyFlags(
    agent.command("budget <name>").description("show an agent's budget, or change it with the flags"),
  ).action(
    defineAction(deps, async (ctx, args, options) => {
      const name = String(args[0]);
      const policy = policyFromFlags(options);
      const client = ctx.client();
      // The budget lives in the safety gate, keyed by the agent's name (docs/architecture.md §6).
      const response = record(
        Object.keys(policy).length === 0
          ? await client.api.agent({ name })
          : await client.api.setPolicy({ spender: name, ...(policy as PolicyUpdate) }),
      );
      ctx.out.result(response, () => {
        printPolicy(ctx.out.fields, { policy: response["policy"] });
        const spend = record(response["spend"]);
        if (Object.keys(spend).length > 0)
          ctx.out.fields(Object.entries(spend).filter(([key]) => key !== "spender"));
      });
    }),
  );
  for (const action of ["freeze", "unfreeze", "revoke"] as const) {
    const about = {
      freeze: "block an agent (403) until unfrozen",
      unfreeze: "let a frozen agent spend again",
      revoke: "revoke an agent's token for good (401)",
    }[action];
    agent
      .command(`${action} <name>`)
      .description(about)
      .action(
        defineAction(deps, async (ctx, args) => {
          const name = String(args[0]);
          if (name === "") throw usageError("agent name is empty");
          const client = ctx.client();
          const response = record(
            action === "revoke"
              ? await client.api.revokeAgent({ name })
              : await (action === "freeze"
                  ? client.api.freezeAgent({ name })
                  : client.api.unfreezeAgent({ name })),
          );
          ctx.out.result(response, () =>
            ctx.out.line(
              `${name}: ${String(pick(record(response["agent"]), "status") ?? pick(response, "status") ?? action)}`,
            ),
          );
        }),
      );
  }
  return agent;
}

function created(value: unknown): string | undefined {
  return typeof value === "number" ? new Date(value).toISOString().slice(0, 19).replace("T", " ") : undefined;
}
