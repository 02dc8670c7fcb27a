/**
 * `tirami settle --pay`: pays, over Lightning, every counterparty this node owes over the last N hours
 * (docs/lightning.md). The window ends at the last whole hour, so settlements run at the same hour make
 * adjacent windows, never overlapping ones (a window overlapping one already settled is refused).
 * @module
 */
import type { CommandContext } from "../context.js";
import { short } from "../format.js";
import { list, pick, record } from "../values.js";

/** The node's route (apps/node routes/lightning.ts). */
const SETTLEMENT_PAY_PATH = "/v1/tirami/settlement/pay";
const HOUR_MS = 3_600_000;

/** The window `--pay` settles: the `hours` whole hours before the last whole hour of `nowMs`. */
export function payWindow(hours: number, nowMs: number): { window_start_ms: number; window_end_ms: number } {
  const end = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  return { window_start_ms: end - hours * HOUR_MS, window_end_ms: end };
}

/** Pays the window and prints each counterparty's outcome. */
export async function paySettlement(ctx: CommandContext, hours: number): Promise<void> {
  const result = record(await ctx.client().post(SETTLEMENT_PAY_PATH, payWindow(hours, Date.now())));
  ctx.out.result(result, () => {
    ctx.out.line(`settled ${String(pick(result, "settled"))}, failed ${String(pick(result, "failed"))}`);
    ctx.out.table(list(result, "outcomes"), [
      { header: "counterparty", value: (o) => short(pick(o, "counterparty")) },
      { header: "TRM", value: (o) => pick(o, "amount_trm"), align: "right" },
      { header: "sats", value: (o) => pick(o, "amount_sats"), align: "right" },
      { header: "status", value: (o) => pick(o, "status") },
      { header: "detail", value: (o) => pick(o, "trade_id") ?? record(pick(o, "error"))["message"] },
    ]);
  });
}
