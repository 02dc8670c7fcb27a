/**
 * `tirami loan offer|borrow|lend-to|repay|list|show|credit|pool`: lending between nodes over the mesh
 * (docs/lending.md). Amounts are integer TRM; rates are integer parts per million per hour (1,000 = 0.1 %/h).
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { integerArg, list, pick, record } from "../values.js";

const TRM_MAX = Number.MAX_SAFE_INTEGER;
const trm = (name: string) => integerArg(name, 1, TRM_MAX);
const hours = (name: string) => integerArg(name, 1, 168);
const ppm = (name: string) => integerArg(name, 0, 100_000);

function summary(loan: Record<string, unknown>): string {
  return [
    `loan ${String(pick(loan, "loan_id"))} (${String(pick(loan, "role"))}, ${String(pick(loan, "status"))})`,
    `  principal ${String(pick(loan, "principal_trm"))} TRM, collateral ${String(pick(loan, "collateral_trm"))} TRM,`,
    `  ${String(pick(loan, "interest_ppm_per_hour"))} ppm/h for ${String(pick(loan, "term_hours"))} h: total due ${String(pick(loan, "total_due_trm"))} TRM`,
    `  due ${new Date(Number(pick(loan, "due_ms"))).toISOString()}`,
  ].join("\n");
}

export function loanCommand(deps: CliDeps): Command {
  const loan = new Command("loan").description("lend and borrow TRM between nodes");
  loan
    .command("offer")
    .description("offer TRM to lend (this node's pool)")
    .requiredOption("--amount <trm>", "TRM this node commits to lending", trm("--amount"))
    .option("--max-term <hours>", "longest term accepted (≤ 168)", hours("--max-term"), 168)
    .option("--min-rate <ppm>", "lowest rate accepted, ppm per hour", ppm("--min-rate"), 0)
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = record(
          await ctx.client().api.lend({
            amount_trm: options["amount"] as number,
            max_term_hours: options["maxTerm"] as number,
            min_interest_ppm_per_hour: options["minRate"] as number,
          }),
        );
        const offer = record(response["offer"]);
        ctx.out.result(response, () =>
          ctx.out.line(
            `offering ${String(pick(offer, "amount_available_trm"))} TRM for up to ${String(pick(offer, "max_term_hours"))} h at ≥ ${String(pick(offer, "min_interest_ppm_per_hour"))} ppm/h`,
          ),
        );
      }),
    );
  loan
    .command("borrow")
    .description("borrow from the cheapest lender in the pool (or --lender)")
    .requiredOption("--amount <trm>", "principal", trm("--amount"))
    .requiredOption("--term <hours>", "term (≤ 168)", hours("--term"))
    .requiredOption("--collateral <trm>", "collateral held on this node (≥ amount / 3)", trm("--collateral"))
    .option("--lender <account>", "borrow from this lender")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = record(
          await ctx.client().api.borrow({
            amount_trm: options["amount"] as number,
            term_hours: options["term"] as number,
            collateral_trm: options["collateral"] as number,
            ...(options["lender"] === undefined ? {} : { lender: options["lender"] as string }),
          }),
        );
        ctx.out.result(response, () => ctx.out.line(summary(response)));
      }),
    );
  loan
    .command("lend-to <borrower>")
    .description("lend to a named node (it checks and signs)")
    .requiredOption("--amount <trm>", "principal", trm("--amount"))
    .requiredOption("--term <hours>", "term (≤ 168)", hours("--term"))
    .requiredOption("--collateral <trm>", "collateral held on the borrower", trm("--collateral"))
    .option("--rate <ppm>", "interest, ppm per hour (default: the rate for its credit)", ppm("--rate"))
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const response = record(
          await ctx.client().api.lendTo({
            borrower: String(args[0]),
            amount_trm: options["amount"] as number,
            term_hours: options["term"] as number,
            collateral_trm: options["collateral"] as number,
            ...(options["rate"] === undefined ? {} : { interest_ppm_per_hour: options["rate"] as number }),
          }),
        );
        ctx.out.result(response, () => ctx.out.line(summary(response)));
      }),
    );
  loan
    .command("repay <loan-id>")
    .description("repay a loan in full (principal + interest)")
    .action(
      defineAction(deps, async (ctx, args) => {
        const response = record(await ctx.client().api.repay({ loan_id: String(args[0]) }));
        ctx.out.result(response, () => ctx.out.line(summary(response)));
      }),
    );
  loan
    .command("list")
    .description("this node's loans (as lender or borrower)")
    .option("--status <status>", "active, repaid or defaulted")
    .option("--all", "every loan in the ledger, not only this node's")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = await ctx.client().api.loans({
          ...(typeof options["status"] === "string"
            ? { status: options["status"] as "active" | "repaid" | "defaulted" }
            : {}),
          ...(options["all"] === true ? { all: true } : {}),
        });
        ctx.out.result(response, () =>
          ctx.out.table(list(response, "loans"), [
            { header: "loan", value: (l) => String(pick(l, "loan_id")).slice(0, 16) },
            { header: "role", value: (l) => pick(l, "role") },
            { header: "TRM", value: (l) => pick(l, "principal_trm"), align: "right" },
            { header: "due TRM", value: (l) => pick(l, "total_due_trm"), align: "right" },
            { header: "status", value: (l) => pick(l, "status") },
            { header: "due", value: (l) => new Date(Number(pick(l, "due_ms"))).toISOString() },
          ]),
        );
      }),
    );
  loan
    .command("show <loan-id>")
    .description("one loan with its signatures, events and Merkle proofs")
    .action(
      defineAction(deps, async (ctx, args) => {
        const response = record(await ctx.client().api.loan({ id: String(args[0]) }));
        ctx.out.result(response, () => {
          ctx.out.line(summary(response));
          for (const event of list(response, "events"))
            ctx.out.line(
              `  ${String(pick(event, "kind"))} at ${new Date(Number(pick(event, "timestamp_ms"))).toISOString()}`,
            );
        });
      }),
    );
  loan
    .command("credit [account]")
    .description("credit score (this node's, or another account as this node sees it)")
    .action(
      defineAction(deps, async (ctx, args) => {
        const account = args[0];
        const response = record(
          await ctx.client().api.credit(typeof account === "string" ? { account } : {}),
        );
        ctx.out.result(response, () =>
          ctx.out.line(
            `credit ${Number(pick(response, "score")).toFixed(3)} (offered rate ${String(pick(response, "offered_interest_ppm_per_hour"))} ppm/h)`,
          ),
        );
      }),
    );
  loan
    .command("pool")
    .description("the lending pool this node sees")
    .action(
      defineAction(deps, async (ctx) => {
        const response = record(await ctx.client().api.pool());
        ctx.out.result(response, () =>
          ctx.out.line(
            `${String(pick(response, "total_available_trm"))} TRM available in ${String(pick(response, "offers"))} offers; ${String(pick(response, "active_loan_count"))} active loans here; you may borrow up to ${String(pick(response, "your_max_borrow_trm") ?? 0)} TRM`,
          ),
        );
      }),
    );
  return loan;
}
