/**
 * `tirami approvals list|approve <id>|deny <id>`: spends above an approval threshold wait here until an
 * operator decides, or until their deadline denies them (docs/architecture.md §6).
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { list, pick, record } from "../values.js";

export function approvalsCommand(deps: CliDeps): Command {
  const approvals = new Command("approvals").description("list and decide spends waiting for a human");
  approvals
    .command("list")
    .description("list approvals (pending by default)")
    .option("--all", "include decided and expired ones")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = await ctx
          .client()
          .api.approvals(options["all"] === true ? {} : { status: "pending" });
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "approvals", "data"), [
            { header: "id", value: (a) => pick(a, "approval_id", "id") },
            { header: "spender", value: (a) => pick(a, "spender") },
            { header: "TRM", value: (a) => pick(a, "amount_trm"), align: "right" },
            { header: "status", value: (a) => pick(a, "status") },
            { header: "reason", value: (a) => pick(a, "reason") },
            { header: "deadline", value: (a) => deadline(pick(a, "deadline_ms", "expires_ms")) },
          ]),
        );
      }),
    );
  for (const verdict of ["approve", "deny"] as const) {
    approvals
      .command(`${verdict} <id>`)
      .description(verdict === "approve" ? "approve a pending spend" : "deny a pending spend")
      .action(
        defineAction(deps, async (ctx, args) => {
          const id = String(args[0]);
          const response = record(await ctx.client().api[verdict]({ approval_id: id }));
          ctx.out.result(response, () =>
            ctx.out.line(
              `${id}: ${String(pick(response, "status") ?? (verdict === "approve" ? "approved" : "denied"))}`,
            ),
          );
        }),
      );
  }
  return approvals;
}

function deadline(value: unknown): string | undefined {
  return typeof value === "number" ? new Date(value).toISOString() : undefined;
}
