/**
 * `tirami trades`: the node's most recent trades, newest first.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import { TRADES_LIMIT_DEFAULT, TRADES_LIMIT_MAX } from "../constants.js";
import type { CliDeps } from "../deps.js";
import { integerArg, list, pick, record } from "../values.js";
import { short } from "../format.js";

export function tradesCommand(deps: CliDeps): Command {
  return new Command("trades")
    .description("list recent trades, newest first")
    .option(
      "-n, --limit <count>",
      `how many (1–${TRADES_LIMIT_MAX})`,
      integerArg("--limit", 1, TRADES_LIMIT_MAX),
      TRADES_LIMIT_DEFAULT,
    )
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const response = await ctx.client().api.trades({ limit: options["limit"] as number });
        const trades = list(response, "trades", "data").map((t) => ({ ...record(t["trade"]), ...t }));
        ctx.out.result(response, () =>
          ctx.out.table(trades, [
            { header: "trade", value: (t) => short(pick(t, "trade_id")) },
            { header: "time", value: (t) => isoTime(pick(t, "timestamp_ms")) },
            { header: "provider", value: (t) => short(pick(t, "provider")) },
            { header: "consumer", value: (t) => short(pick(t, "consumer")) },
            { header: "TRM", value: (t) => pick(t, "amount_trm", "trm_amount"), align: "right" },
            {
              header: "tokens",
              value: (t) => pick(t, "completion_tokens", "tokens_processed"),
              align: "right",
            },
            { header: "model", value: (t) => pick(t, "model_id") },
          ]),
        );
      }),
    );
}

function isoTime(value: unknown): string | undefined {
  return typeof value === "number" ? new Date(value).toISOString().replace("T", " ").slice(0, 19) : undefined;
}
