/**
 * `tirami topology [--model <id>]`: how a model would be split across this node and the mesh — the node's
 * `GET /v1/tirami/topology` (packages/shard/README.md): each stage's node, layer range, memory and time
 * per token, the predicted rate, and the nodes left out with why. It is a plan only: no engine here runs
 * a split model, which the output says.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { Output } from "../output.js";
import type { CliDeps } from "../deps.js";
import { short } from "../format.js";
import { integerArg, list, numberArg, pick, record } from "../values.js";

const MIB = 1_048_576;

/** Bytes as MiB with one decimal, for people. */
function mebibytes(value: unknown): string {
  return typeof value === "number" ? `${(value / MIB).toFixed(1)} MiB` : String(value);
}

/** Milliseconds with three decimals. */
function milliseconds(value: unknown): string {
  return typeof value === "number" ? value.toFixed(3) : String(value);
}

function printPlan(out: Output, view: Record<string, unknown>): void {
  const plan = record(pick(view, "plan"));
  out.fields([
    ["model", pick(view, "model")],
    ["layers", pick(view, "layer_count")],
    ["candidates", list(view, "candidates").length],
  ]);
  out.line();
  if (pick(plan, "feasible") === true) {
    out.table(list(plan, "stages"), [
      { header: "node", value: (s) => short(pick(s, "peer_id")) },
      {
        header: "layers",
        value: (s) => `${String(pick(s, "layer_start"))}–${Number(pick(s, "layer_end")) - 1}`,
      },
      { header: "memory", value: (s) => mebibytes(pick(s, "memory_bytes")), align: "right" },
      { header: "ms/token", value: (s) => milliseconds(pick(s, "stage_ms_per_token")), align: "right" },
    ]);
    out.line();
    const rate = pick(plan, "tokens_per_s");
    out.fields([
      ["bottleneck ms/token", milliseconds(pick(plan, "bottleneck_ms_per_token"))],
      ["tokens/s (pipelined)", typeof rate === "number" ? rate.toFixed(1) : "—"],
      ["latency ms/token", milliseconds(pick(plan, "latency_ms_per_token"))],
    ]);
  } else {
    out.line(
      `no plan fits: ${String(pick(plan, "reason"))} (needs at least ${mebibytes(pick(plan, "memory_bytes_needed_min"))}, the nodes offer ${mebibytes(pick(plan, "memory_bytes_available"))})`,
    );
  }
  for (const left of list(view, "excluded"))
    out.note(`left out: ${String(short(pick(left, "account")))} (${String(pick(left, "reason"))})`);
  out.note(String(pick(view, "note")));
}

export function topologyCommand(deps: CliDeps): Command {
  return new Command("topology")
    .description("plan how a model would be split across this node and the mesh (planning only)")
    .option("--model <id>", "the model to plan (default: the one this node serves)")
    .option(
      "--context-tokens <n>",
      "KV cache to reserve per stage, in tokens",
      integerArg("--context-tokens", 0, 131_072),
    )
    .option(
      "--hop-latency-ms <ms>",
      "latency assumed per hop between stages",
      numberArg("--hop-latency-ms", 0, 60_000),
    )
    .option(
      "--link-bytes-per-s <n>",
      "bandwidth assumed per hop",
      integerArg("--link-bytes-per-s", 1, 125_000_000_000),
    )
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const view = record(
          await ctx.client().api.topology({
            model: options["model"] as string | undefined,
            context_tokens: options["contextTokens"] as number | undefined,
            hop_latency_ms: options["hopLatencyMs"] as number | undefined,
            link_bytes_per_s: options["linkBytesPerS"] as number | undefined,
          }),
        );
        ctx.out.result(view, () => printPlan(ctx.out, view));
      }),
    );
}
