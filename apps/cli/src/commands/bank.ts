/**
 * `tirami bank portfolio|pool|strategy|risk|risk-assessment|tick|optimize|decisions`: the node's treasury
 * (docs/bank.md). The bank reads its portfolio from the ledger and acts through lending as the `bank`
 * spender, under its own safety policy (`tirami policy --spender bank`). Amounts are integer TRM.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { integerArg, list, numberArg, pick, record, TRM_FLAG_MAX } from "../values.js";

const TRM = (value: unknown) => `${String(value)} TRM`;

function decisionLines(response: Record<string, unknown>): string[] {
  return list(response, "decisions").map(
    (d) =>
      `  ${String(pick(d, "action"))} ${TRM(pick(d, "amount_trm"))}: ${String(pick(d, "outcome"))}` +
      `${pick(d, "detail") === null || pick(d, "detail") === undefined ? "" : ` (${String(pick(d, "detail"))})`} — ${String(pick(d, "rationale"))}`,
  );
}

function tickCommand(deps: CliDeps, name: "tick" | "optimize"): Command {
  const command = new Command(name).option("--dry-run", "decide and record, but do not act");
  if (name === "tick") command.description("decide with the strategy and act through lending (or --dry-run)");
  else
    command
      .description("tick only if the post-decision VaR99 stays within a budget")
      .requiredOption("--max-var <trm>", "VaR99 budget, TRM", integerArg("--max-var", 0, TRM_FLAG_MAX));
  return command.action(
    defineAction(deps, async (ctx, _args, options) => {
      const body = {
        dry_run: options["dryRun"] === true,
        ...(name === "optimize" ? { max_var_99_trm: options["maxVar"] } : {}),
      };
      const response = record(await ctx.client().post(bankPath(name), body));
      ctx.out.result(response, () => {
        if (name === "optimize") ctx.out.line(String(pick(response, "rationale")));
        ctx.out.line(`tick ${String(pick(response, "tick_id"))}${body.dry_run ? " (dry run)" : ""}:`);
        for (const line of decisionLines(response)) ctx.out.line(line);
      });
    }),
  );
}

/** A bank route's path (the rows of @tirami/client's `bankEndpoints`). */
const bankPath = (path: string): string => `/v1/tirami/bank/${path}`;

export function bankCommand(deps: CliDeps): Command {
  const bank = new Command("bank").description("the node's treasury: portfolio, strategy, risk, ticks");
  bank
    .command("portfolio")
    .description("cash, loans and net exposure, read from the ledger")
    .action(
      defineAction(deps, async (ctx) => {
        const p = record(await ctx.client().get(bankPath("portfolio")));
        ctx.out.result(p, () => {
          ctx.out.line(
            `cash ${TRM(pick(p, "cash_trm"))}, lent ${TRM(pick(p, "lent_trm"))}, borrowed ${TRM(pick(p, "borrowed_trm"))}, collateral ${TRM(pick(p, "collateral_trm"))}`,
          );
          ctx.out.line(
            `net exposure ${TRM(pick(p, "net_exposure_trm"))}, utilisation ${(Number(pick(p, "utilisation")) * 100).toFixed(1)} %, ${String(pick(p, "position_count"))} positions, ${String(pick(p, "decision_count"))} decisions`,
          );
          ctx.out.table(list(p, "positions"), [
            { header: "kind", value: (x) => pick(x, "kind") },
            { header: "TRM", value: (x) => pick(x, "amount_trm"), align: "right" },
            { header: "counterparty", value: (x) => String(pick(x, "counterparty")).slice(0, 16) },
            { header: "contract", value: (x) => String(pick(x, "contract_id")).slice(0, 16) },
          ]);
        });
      }),
    );
  bank
    .command("pool")
    .description("the pool snapshot the strategy decides from")
    .action(
      defineAction(deps, async (ctx) => {
        const p = record(await ctx.client().get(bankPath("pool")));
        ctx.out.result(p, () =>
          ctx.out.line(
            `pool ${TRM(pick(p, "total_trm"))}: ${TRM(pick(p, "lent_trm"))} lent, ${TRM(pick(p, "available_trm"))} available (reserve ${Number(pick(p, "reserve_ratio")).toFixed(3)})`,
          ),
        );
      }),
    );
  bank
    .command("strategy [kind]")
    .description("show the strategy, or set it: conservative, high_yield or balanced")
    .option("--fraction <f>", "its parameter in (0, 1]", numberArg("--fraction", 0, 1))
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const kind = args[0];
        const response = record(
          typeof kind === "string"
            ? await ctx.client().post(bankPath("strategy"), {
                strategy: kind,
                ...(options["fraction"] === undefined ? {} : { base_commit_fraction: options["fraction"] }),
              })
            : await ctx.client().get(bankPath("strategy")),
        );
        ctx.out.result(response, () => ctx.out.line(JSON.stringify(pick(response, "strategy"))));
      }),
    );
  bank
    .command("risk <tolerance>")
    .description("set the risk tolerance: conservative, balanced or aggressive")
    .action(
      defineAction(deps, async (ctx, args) => {
        const response = record(await ctx.client().post(bankPath("risk"), { tolerance: String(args[0]) }));
        ctx.out.result(response, () => ctx.out.line(`risk tolerance ${String(pick(response, "tolerance"))}`));
      }),
    );
  bank
    .command("risk-assessment")
    .description("expected loss, VaR99, largest exposure and concentration of the real positions")
    .action(
      defineAction(deps, async (ctx) => {
        const r = record(await ctx.client().get(bankPath("risk-assessment")));
        ctx.out.result(r, () =>
          ctx.out.line(
            `value ${TRM(pick(r, "portfolio_value_trm"))}, expected loss ${TRM(pick(r, "expected_loss_trm"))}, VaR99 ${TRM(pick(r, "var_99_trm"))}, largest ${TRM(pick(r, "largest_single_exposure_trm"))} (${(Number(pick(r, "concentration_ratio")) * 100).toFixed(1)} %)`,
          ),
        );
      }),
    );
  bank.addCommand(tickCommand(deps, "tick"));
  bank.addCommand(tickCommand(deps, "optimize"));
  bank
    .command("decisions")
    .description("the bank's decision history, newest first")
    .option("--limit <n>", "how many (≤ 1,000)", integerArg("--limit", 1, 1_000), 20)
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = record(
          await ctx.client().get(bankPath("decisions"), { limit: String(options["limit"]) }),
        );
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "decisions"), [
            { header: "when", value: (d) => new Date(Number(pick(d, "tick_ms"))).toISOString() },
            { header: "action", value: (d) => pick(d, "action") },
            { header: "TRM", value: (d) => pick(d, "amount_trm"), align: "right" },
            { header: "outcome", value: (d) => pick(d, "outcome") },
            { header: "dry", value: (d) => (pick(d, "dry_run") === true ? "yes" : "") },
          ]),
        );
      }),
    );
  bank
    .command("insure <loan-id>")
    .description(
      "insure a loan this node lent with another node (premium by the formula at the borrower's credit)",
    )
    .requiredOption("--insurer <account>", "the insurer node's account")
    .requiredOption("--coverage <trm>", "coverage, TRM", integerArg("--coverage", 1, TRM_FLAG_MAX))
    .option(
      "--expires-ms <ms>",
      "expiry (default: an hour after the loan could default)",
      integerArg("--expires-ms", 0, TRM_FLAG_MAX),
    )
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const response = record(
          await ctx.client().post(bankPath("insurance"), {
            loan_id: String(args[0]),
            insurer: options["insurer"],
            coverage_trm: options["coverage"],
            ...(options["expiresMs"] === undefined ? {} : { expires_ms: options["expiresMs"] }),
          }),
        );
        const policy = record(pick(response, "policy"));
        ctx.out.result(response, () =>
          ctx.out.line(
            `policy ${String(pick(response, "policy_id"))}: ${TRM(pick(policy, "coverage_trm"))} cover for ${TRM(pick(policy, "premium_trm"))} (${String(pick(response, "status"))})`,
          ),
        );
      }),
    );
  bank
    .command("insurance")
    .description("this node's insurance policies (as insurer or insured)")
    .option("--status <status>", "active, paid or expired")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const query: Record<string, string> = {};
        if (typeof options["status"] === "string") query["status"] = options["status"];
        const response = await ctx.client().get(bankPath("insurance"), query);
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "policies"), [
            { header: "policy", value: (p) => String(pick(p, "policy_id")).slice(0, 16) },
            { header: "loan", value: (p) => String(pick(record(pick(p, "policy")), "loan_id")).slice(0, 16) },
            {
              header: "cover",
              value: (p) => pick(record(pick(p, "policy")), "coverage_trm"),
              align: "right",
            },
            {
              header: "premium",
              value: (p) => pick(record(pick(p, "policy")), "premium_trm"),
              align: "right",
            },
            { header: "status", value: (p) => pick(p, "status") },
          ]),
        );
      }),
    );
  bank
    .command("future <counterparty>")
    .description("open a compute future with another node (this node long unless --short)")
    .requiredOption("--notional <tokens>", "tokens of inference", integerArg("--notional", 1, TRM_FLAG_MAX))
    .requiredOption(
      "--strike <micro-trm>",
      "strike, micro-TRM per token",
      integerArg("--strike", 0, TRM_FLAG_MAX),
    )
    .requiredOption("--margin <trm>", "margin held on each side", integerArg("--margin", 1, TRM_FLAG_MAX))
    .requiredOption("--expires-ms <ms>", "expiry (Unix ms)", integerArg("--expires-ms", 0, TRM_FLAG_MAX))
    .option("--short", "take the short side")
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const response = record(
          await ctx.client().post(bankPath("futures"), {
            counterparty: String(args[0]),
            side: options["short"] === true ? "short" : "long",
            notional_tokens: options["notional"],
            strike_micro_trm_per_token: options["strike"],
            margin_trm: options["margin"],
            expires_ms: options["expiresMs"],
          }),
        );
        ctx.out.result(response, () => ctx.out.line(`future ${String(pick(response, "future_id"))} open`));
      }),
    );
  bank
    .command("futures")
    .description("this node's compute futures")
    .option("--status <status>", "open or settled")
    .option("--settle", "settle the due ones now first")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        if (options["settle"] === true) await ctx.client().post(bankPath("futures/settle"), {});
        const query: Record<string, string> = {};
        if (typeof options["status"] === "string") query["status"] = options["status"];
        const response = await ctx.client().get(bankPath("futures"), query);
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "futures"), [
            { header: "future", value: (f) => String(pick(f, "future_id")).slice(0, 16) },
            {
              header: "strike µTRM",
              value: (f) => pick(record(pick(f, "future")), "strike_micro_trm_per_token"),
              align: "right",
            },
            { header: "margin", value: (f) => pick(record(pick(f, "future")), "margin_trm"), align: "right" },
            { header: "status", value: (f) => pick(f, "status") },
            { header: "paid", value: (f) => pick(f, "paid_trm") ?? "", align: "right" },
          ]),
        );
      }),
    );
  return bank;
}
