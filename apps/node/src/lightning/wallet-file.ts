/**
 * The node's wallet configuration on disk: `$TIRAMI_HOME/wallet.json`, owner-only (0600, written
 * atomically by core's secret files), because it holds the NWC connection string or the LND macaroon —
 * secrets that spend the operator's bitcoin. Never logged; the API shows only `describeWallet`.
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createSecretFile, fileExists, fromUtf8, readSecretFile, utf8 } from "@tirami/core";
import type { WalletConfig } from "@tirami/lightning";

export const WALLET_FILE = "wallet.json";

/** The saved configuration, or undefined when none (a malformed file reads as none and is reported). */
export function readWalletFile(home: string): WalletConfig | undefined {
  const path = join(home, WALLET_FILE);
  if (!fileExists(path)) return undefined;
  const parsed = JSON.parse(fromUtf8(readSecretFile(path))) as WalletConfig;
  if (parsed.backend !== "nwc" && parsed.backend !== "lnd")
    throw new Error(`${WALLET_FILE}: unknown backend`);
  return parsed;
}

/** Replaces the saved configuration. */
export function writeWalletFile(home: string, config: WalletConfig): void {
  const path = join(home, WALLET_FILE);
  rmSync(path, { force: true });
  createSecretFile(path, utf8(JSON.stringify(config)));
}

/** Forgets the saved configuration. */
export function removeWalletFile(home: string): void {
  rmSync(join(home, WALLET_FILE), { force: true });
}
