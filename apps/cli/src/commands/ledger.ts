/**
 * `tirami ledger verify`: opens `$TIRAMI_HOME/ledger.db` directly (no node needed) and runs the ledger's
 * full audit — balances rebuilt from the journal, every trade's id and both signatures re-checked, the
 * Merkle root recomputed, conservation. Any issue exits 6.
 * @module
 */
import { dirname, join } from "node:path";
import { fileExists, readHomeLock } from "@tirami/core";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import { LEDGER_FILE } from "../constants.js";
import type { CliDeps } from "../deps.js";
import { CliError, CliErrorCode, ExitCode } from "../errors.js";

export function ledgerCommand(deps: CliDeps): Command {
  const ledger = new Command("ledger").description("work on the node's ledger database directly");
  ledger
    .command("verify")
    .description(
      "audit the ledger: journal, balances, signatures, Merkle root (reads $TIRAMI_HOME/ledger.db)",
    )
    .option("--db <file>", "a ledger database file instead of <home>/ledger.db")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const path = (options["db"] as string | undefined) ?? join(ctx.home, LEDGER_FILE);
        if (!fileExists(path))
          throw new CliError(CliErrorCode.NOT_FOUND, ExitCode.NOT_FOUND, `no ledger database at ${path}`, {
            hint: "pass --home <dir> of a node that has run (or --db <file>)",
          });
        const report = await deps.ledger.verifyFile(path).catch((error: unknown) => {
          const code = (error as { code?: unknown } | null)?.code;
          if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
            // The node holds its ledger exclusively; its home lock says which process it is.
            const holder = readHomeLock(dirname(path));
            const who = holder === undefined ? "a running node" : `a running node (pid ${holder.pid})`;
            throw new CliError("LEDGER_LOCKED", ExitCode.UNAVAILABLE, `${path} is locked by ${who}`, {
              cause: error,
              details: { path, pid: holder?.pid ?? null },
              hint: `${holder === undefined ? "stop it (Ctrl-C)" : `stop it (kill ${holder.pid})`}, then run \`tirami ledger verify\` again`,
            });
          }
          throw error;
        });
        ctx.out.result({ path, ...report }, () => {
          ctx.out.fields([
            ["ledger", path],
            [
              "result",
              report.ok ? ctx.out.color.green("OK") : ctx.out.color.red(`${report.issue_count} issue(s)`),
            ],
            ...Object.entries(report.counts),
            ...Object.entries(report.totals),
            ["merkle root", report.root],
          ]);
          for (const issue of report.issues)
            ctx.out.line(`  ${ctx.out.color.red("✗")} ${issue.kind}: ${issue.message}`);
        });
        if (!report.ok)
          throw new CliError(
            CliErrorCode.VERIFY_FAILED,
            ExitCode.VERIFY_FAILED,
            `ledger verification found ${report.issue_count} issue(s) in ${path}`,
            {
              hint: "the database was changed outside the ledger or is damaged; keep a copy and report it",
            },
          );
      }),
    );
  return ledger;
}
