/**
 * `tirami anchor`: the OP_RETURN anchor of a settlement window's Merkle root as an unsigned PSBT
 * (docs/lightning.md, docs/upstream.md §4.12), for the operator to fund, sign and broadcast with their own
 * wallet; `--txid <txid>` records the transaction it went out in; `--list` lists the anchors.
 * @module
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CommandContext } from "../context.js";
import type { CliDeps } from "../deps.js";
import { CliError, ExitCode, usageError } from "../errors.js";
import { integerArg, list, pick, record } from "../values.js";

/** The node's anchor routes (apps/node routes/lightning.ts). */
const ANCHOR_PATH = "/v1/tirami/anchor";
const ANCHOR_TXID_PATH = "/v1/tirami/anchor/txid";
const ANCHORS_PATH = "/v1/tirami/anchors";
const NETWORKS = ["mainnet", "testnet", "signet", "regtest"];
const ms = (flag: string) => integerArg(flag, 0, Number.MAX_SAFE_INTEGER);

function network(raw: string): string {
  if (!NETWORKS.includes(raw)) throw usageError(`--network: expected one of ${NETWORKS.join(", ")}`);
  return raw;
}

/** `--txid`: records the transaction the window's anchor went out in. */
async function recordTxid(ctx: CommandContext, options: Record<string, unknown>): Promise<void> {
  const response = record(
    await ctx.client().post(ANCHOR_TXID_PATH, {
      window_start_ms: options["from"],
      window_end_ms: options["to"],
      network: options["network"],
      txid: options["txid"],
    }),
  );
  ctx.out.result(response, () =>
    ctx.out.line(`anchor of ${String(pick(response, "merkle_root"))} recorded in ${String(options["txid"])}`),
  );
}

/** `--list`: the anchors prepared on this node. */
async function listAnchors(ctx: CommandContext): Promise<void> {
  const response = record(await ctx.client().get(ANCHORS_PATH));
  ctx.out.result(response, () =>
    ctx.out.table(list(response, "anchors"), [
      { header: "network", value: (a) => pick(a, "network") },
      { header: "from", value: (a) => pick(a, "window_start_ms"), align: "right" },
      { header: "to", value: (a) => pick(a, "window_end_ms"), align: "right" },
      { header: "root", value: (a) => String(pick(a, "merkle_root")).slice(0, 16) },
      { header: "txid", value: (a) => pick(a, "txid") ?? "-" },
    ]),
  );
}

export function anchorCommand(deps: CliDeps): Command {
  return new Command("anchor")
    .description("anchor a settlement window's Merkle root on Bitcoin (an unsigned PSBT for your wallet)")
    .option("--from <ms>", "window start (unix ms, inclusive)", ms("--from"))
    .option("--to <ms>", "window end (unix ms, exclusive)", ms("--to"))
    .option("--network <name>", `Bitcoin network (${NETWORKS.join("|")})`, network, "testnet")
    .option("--out <file>", "write the PSBT (base64) to this file for your wallet")
    .option("--txid <txid>", "record the transaction the window's anchor was broadcast in")
    .option("--list", "list the anchors prepared on this node")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        if (options["list"] === true) return listAnchors(ctx);
        if (options["from"] === undefined || options["to"] === undefined)
          throw usageError("anchor needs --from <ms> and --to <ms> (the settlement window), or --list");
        if (options["txid"] !== undefined) return recordTxid(ctx, options);
        const response = record(
          await ctx.client().get(ANCHOR_PATH, {
            window: `${String(options["from"])}-${String(options["to"])}`,
            network: options["network"] as string,
          }),
        );
        const out = options["out"] as string | undefined;
        if (out !== undefined) {
          const path = resolve(out);
          try {
            writeFileSync(path, `${String(pick(response, "psbt_base64"))}\n`, { mode: 0o644 });
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
        }
        ctx.out.result(response, () => {
          ctx.out.fields([
            ["network", pick(response, "network")],
            ["merkle_root", pick(response, "merkle_root")],
            [
              "window",
              `${String(pick(response, "window_start_ms"))}-${String(pick(response, "window_end_ms"))}`,
            ],
            ["script_hex", pick(response, "script_hex")],
            ["psbt", out === undefined ? pick(response, "psbt_base64") : `written to ${resolve(out)}`],
          ]);
          ctx.out.note(
            "fund, sign and broadcast the PSBT with your wallet, then: tirami anchor --from … --to … --txid <txid>",
          );
        });
      }),
    );
}
