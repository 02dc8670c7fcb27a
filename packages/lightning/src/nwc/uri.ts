/**
 * The Nostr Wallet Connect connection string (NIP-47): `nostr+walletconnect://<wallet pubkey>?relay=<url>
 * &secret=<client secret key>`, parsed with nostr-tools' `nip47.parseConnectionString` and then checked
 * (hex lengths, relay URLs). The whole string is a secret: it lets its holder spend from the wallet.
 * @module
 */
import { nip47 } from "nostr-tools";
import { LightningError, LightningErrorCode } from "../errors.js";

/** Relays kept from one connection string. */
export const NWC_RELAYS_MAX = 4;

/** A parsed connection. */
export interface NwcConnection {
  /** The wallet service's public key, 64 hex. */
  walletPubkey: string;
  relays: string[];
  /** This client's secret key (32 bytes). Never log it. */
  secretKey: Uint8Array;
}

function bad(message: string): LightningError {
  return new LightningError(LightningErrorCode.WALLET_CONFIG_INVALID, `NWC connection string: ${message}`);
}

/**
 * Parses and checks a connection string.
 * @throws {LightningError} WALLET_CONFIG_INVALID (the message never repeats the secret).
 */
export function parseNwcUri(uri: string): NwcConnection {
  if (typeof uri !== "string" || uri.length > 2_048 || !uri.startsWith("nostr+walletconnect:"))
    throw bad("expected nostr+walletconnect://…");
  let parsed: ReturnType<typeof nip47.parseConnectionString>;
  try {
    parsed = nip47.parseConnectionString(uri);
  } catch {
    throw bad("does not parse");
  }
  if (!/^[0-9a-f]{64}$/.test(parsed.pubkey)) throw bad("the wallet pubkey is not 64 hex");
  if (!/^[0-9a-f]{64}$/.test(parsed.secret)) throw bad("the secret is not 64 hex");
  const relays = parsed.relays.slice(0, NWC_RELAYS_MAX);
  if (relays.length === 0) throw bad("no relay");
  for (const relay of relays) {
    let url: URL;
    try {
      url = new URL(relay);
    } catch {
      throw bad("a relay is not a URL");
    }
    if (url.protocol !== "wss:" && url.protocol !== "ws:") throw bad("a relay is not ws:// or wss://");
  }
  return {
    walletPubkey: parsed.pubkey,
    relays,
    secretKey: Uint8Array.from(Buffer.from(parsed.secret, "hex")),
  };
}

/** The connection string without its secret, for status displays and logs. */
export function redactNwcUri(connection: NwcConnection): string {
  const query = connection.relays.map((r) => `relay=${encodeURIComponent(r)}`).join("&");
  return `nostr+walletconnect://${connection.walletPubkey}?${query}&secret=<redacted>`;
}
