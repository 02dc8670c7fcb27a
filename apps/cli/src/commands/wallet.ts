/**
 * `tirami wallet connect|status|balance|disconnect`: the node's Lightning wallet (docs/lightning.md).
 * `connect` takes a Nostr Wallet Connect string (pass `-` to read it from stdin and keep it out of the
 * shell history) or LND REST settings (`--lnd-url`, `--macaroon <file>`, `--tls-cert <file>`). The node
 * checks the wallet answers before saving it; secrets are never printed.
 * @module
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { CliError, ExitCode, usageError } from "../errors.js";
import { pick, record } from "../values.js";

/** The node's wallet routes (apps/node routes/lightning.ts). */
const WALLET_PATH = "/v1/tirami/wallet";
const WALLET_CONNECT_PATH = "/v1/tirami/wallet/connect";
const WALLET_BALANCE_PATH = "/v1/tirami/wallet/balance";

/** Largest secret read from a file or stdin, bytes. */
const SECRET_BYTES_MAX = 16_384;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > SECRET_BYTES_MAX) throw usageError("the connection string on stdin is too long");
  }
  return text.trim();
}

function readSecret(path: string, flag: string): Buffer {
  try {
    const bytes = readFileSync(path);
    if (bytes.length > SECRET_BYTES_MAX) throw new Error("file too large");
    return bytes;
  } catch (error) {
    throw new CliError(
      "READ_FAILED",
      ExitCode.USAGE,
      `cannot read ${flag} ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function statusLines(status: Record<string, unknown>): string {
  if (pick(status, "configured") !== true)
    return "no wallet configured (tirami wallet connect <nostr+walletconnect://…>)";
  return [
    `wallet ${String(pick(status, "backend"))} on ${String(pick(status, "network"))}: ${pick(status, "connected") === true ? "connected" : "configured, not connected"}`,
    `  ${String(pick(status, "endpoint"))}`,
    `  rate ${String(pick(status, "msat_per_trm"))} msat per TRM`,
  ].join("\n");
}

export function walletCommand(deps: CliDeps): Command {
  const wallet = new Command("wallet").description(
    "the node's Lightning wallet (Nostr Wallet Connect or LND)",
  );
  wallet
    .command("connect [nwc-uri]")
    .description("connect a wallet: a nostr+walletconnect:// string (- reads it from stdin), or --lnd-url")
    .option("--lnd-url <url>", "LND REST address, e.g. https://127.0.0.1:8080")
    .option("--macaroon <file>", "LND macaroon file (admin.macaroon, or one baked for invoices and payments)")
    .option("--tls-cert <file>", "LND tls.cert (needed for https)")
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const uri = args[0] as string | undefined;
        let body: unknown;
        if (options["lndUrl"] !== undefined) {
          if (options["macaroon"] === undefined) throw usageError("--lnd-url needs --macaroon <file>");
          body = {
            lnd: {
              rest_url: options["lndUrl"],
              macaroon_hex: readSecret(options["macaroon"] as string, "--macaroon").toString("hex"),
              ...(options["tlsCert"] === undefined
                ? {}
                : { tls_cert_pem: readSecret(options["tlsCert"] as string, "--tls-cert").toString("utf8") }),
            },
          };
        } else if (uri !== undefined) {
          body = { nwc_uri: uri === "-" ? await readAll(deps.stdin) : uri };
        } else {
          throw usageError(
            "give a nostr+walletconnect:// string (or -) or --lnd-url",
            "copy the connection string from your wallet's Nostr Wallet Connect settings",
          );
        }
        const status = record(await ctx.client().post(WALLET_CONNECT_PATH, body));
        ctx.out.result(status, () => ctx.out.line(statusLines(status)));
      }),
    );
  wallet
    .command("status")
    .description("the configured wallet (without secrets)")
    .action(
      defineAction(deps, async (ctx) => {
        const status = record(await ctx.client().get(WALLET_PATH));
        ctx.out.result(status, () => ctx.out.line(statusLines(status)));
      }),
    );
  wallet
    .command("balance")
    .description("the wallet's spendable Lightning balance")
    .action(
      defineAction(deps, async (ctx) => {
        const balance = record(await ctx.client().get(WALLET_BALANCE_PATH));
        ctx.out.result(balance, () =>
          ctx.out.line(
            `${String(pick(balance, "balance_sats"))} sats (${String(pick(balance, "balance_msat"))} msat)`,
          ),
        );
      }),
    );
  wallet
    .command("disconnect")
    .description("forget the wallet (its secrets are deleted from the node's home)")
    .action(
      defineAction(deps, async (ctx) => {
        const status = record(await ctx.client().delete(WALLET_PATH));
        ctx.out.result(status, () => ctx.out.line("wallet disconnected"));
      }),
    );
  return wallet;
}
