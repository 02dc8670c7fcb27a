/**
 * The wallet a node uses, from its configuration: none, a Nostr Wallet Connect string, or LND REST
 * settings. `openWallet` connects and wraps the backend in `checkedWallet`; `describeWallet` gives what
 * may be shown (backend, relays or host) without the secrets (the NWC string, the macaroon).
 * @module
 */
import { connectNwcWallet } from "./nwc/client.js";
import { parseNwcUri, redactNwcUri } from "./nwc/uri.js";
import { createLndRestWallet } from "./lnd/client.js";
import type { BitcoinNetwork } from "./network.js";
import { checkedWallet, type LightningWallet } from "./wallet.js";

/** A wallet configuration (secrets included: keep it in a 0600 file, never log it). */
export type WalletConfig =
  | { backend: "nwc"; nwc_uri: string }
  | { backend: "lnd"; rest_url: string; macaroon_hex: string; tls_cert_pem?: string };

/** What may be shown of a wallet configuration. */
export interface WalletDescription {
  backend: "nwc" | "lnd";
  /** NWC: the string with its secret redacted; LND: the REST url. */
  endpoint: string;
}

/** Describes `config` without secrets. Throws WALLET_CONFIG_INVALID like `openWallet`. */
export function describeWallet(config: WalletConfig): WalletDescription {
  if (config.backend === "nwc")
    return { backend: "nwc", endpoint: redactNwcUri(parseNwcUri(config.nwc_uri)) };
  return { backend: "lnd", endpoint: new URL(config.rest_url).origin };
}

/** Connects the configured backend, checked against `network`. */
export async function openWallet(
  config: WalletConfig,
  network: BitcoinNetwork,
  options: { timeoutMs?: number } = {},
): Promise<LightningWallet> {
  if (config.backend === "nwc")
    return checkedWallet(await connectNwcWallet(parseNwcUri(config.nwc_uri), options), network);
  return checkedWallet(
    createLndRestWallet({
      url: config.rest_url,
      macaroonHex: config.macaroon_hex,
      ...(config.tls_cert_pem === undefined ? {} : { tlsCertPem: config.tls_cert_pem }),
      ...options,
    }),
    network,
  );
}
