/**
 * `tirami settle`: the settlement statement of a window (docs/upstream.md §4.10) — per-account totals and the
 * Merkle root of the window's trades — printed or written to a file; `--pay` pays it over Lightning
 * (`settle-pay.ts`).
 * @module
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import { SETTLE_HOURS_DEFAULT, SETTLE_HOURS_MAX } from "../constants.js";
import type { CliDeps } from "../deps.js";
import { CliError, ExitCode } from "../errors.js";
import { integerArg, list, numberArg, pick, record } from "../values.js";
import { short } from "../format.js";
import { paySettlement } from "./settle-pay.js";

export function settleCommand(deps: CliDeps): Command {
  return new Command("settle")
    .description("produce a settlement statement for the last N hours")
    .option(
      "--hours <n>",
      `window length in hours (1–${SETTLE_HOURS_MAX})`,
      integerArg("--hours", 1, SETTLE_HOURS_MAX),
      SETTLE_HOURS_DEFAULT,
    )
    .option(
      "--price <trm>",
      "reference price in sats per TRM: adds each account's estimated value",
      numberArg("--price", 0, 1e9),
    )
    .option("--out <file>", "write the statement as JSON to this file instead of printing it")
    .option("--pay", "pay what this node owes over the window (ending at the last whole hour) via Lightning")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        if (options["pay"] === true) return paySettlement(ctx, options["hours"] as number);
        const statement = await ctx.client().api.settlement({
          hours: options["hours"] as number,
          price: options["price"] as number | undefined,
        });
        const out = options["out"] as string | undefined;
        if (out !== undefined) {
          const path = resolve(out);
          try {
            writeFileSync(path, `${JSON.stringify(statement, null, 2)}\n`, { mode: 0o644 });
          } catch (error) {
            throw new CliError(
              "WRITE_FAILED",
              ExitCode.FAILURE,
              `cannot write ${path}: ${(error as Error).message}`,
              {
                cause: error,
                hint: "choose a writable path for --out",
              },
            );
          }
          ctx.out.result({ written: path, statement }, () =>
            ctx.out.line(`settlement statement written to ${path}`),
          );
          return;
        }
        const s = record(statement);
        ctx.out.result(statement, () => {
          ctx.out.fields(
            Object.entries(s).filter(([, value]) => value === null || typeof value !== "object"),
          );
          ctx.out.note(ctx.out.color.dim("(--json or --out <file> for the full statement with its trades)"));
          const accounts = list(s, "accounts", "nodes");
          if (accounts.length > 0) {
            ctx.out.line();
            ctx.out.table(accounts, [
              { header: "account", value: (a) => short(pick(a, "account_id", "node_id")) },
              {
                header: "earned TRM",
                value: (a) => pick(a, "gross_earned_trm", "earned_trm"),
                align: "right",
              },
              { header: "spent TRM", value: (a) => pick(a, "gross_spent_trm", "spent_trm"), align: "right" },
              { header: "net TRM", value: (a) => pick(a, "net_trm"), align: "right" },
              { header: "trades", value: (a) => pick(a, "trade_count"), align: "right" },
              { header: "value sats", value: (a) => pick(a, "estimated_value_sats"), align: "right" },
            ]);
          }
        });
      }),
    );
}
