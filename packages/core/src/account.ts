/**
 * Account ids: an account is a node's Ed25519 public key written as 64 lowercase hex characters
 * (docs/architecture.md §2). The branded type keeps unchecked strings out of ledger code.
 * @module
 */
import { fromHex, isLowerHex, toHex } from "./bytes.js";
import { CoreErrorCode, TiramiError } from "./errors.js";

/** 64 lowercase hex characters: the 32-byte Ed25519 public key of a node. */
export type AccountId = string & { readonly __brand: "AccountId" };

/** Bytes in an Ed25519 public key, and so in an account id (written as twice as many hex characters). */
export const PUBLIC_KEY_BYTES = 32;

/** Thrown when a string is not a valid account id. */
export class InvalidAccountIdError extends TiramiError {
  override name = "InvalidAccountIdError";
  constructor(field: string, received: unknown) {
    const shown = typeof received === "string" ? JSON.stringify(received.slice(0, 80)) : typeof received;
    super(
      CoreErrorCode.INVALID_ACCOUNT_ID,
      `"${field}" expected 64 lowercase hex characters (an Ed25519 public key), got ${shown}`,
      {
        details: { field },
      },
    );
  }
}

/** True when `value` is a well-formed account id. */
export function isAccountId(value: unknown): value is AccountId {
  return isLowerHex(value, PUBLIC_KEY_BYTES);
}

/** Validates and brands an account id; throws `InvalidAccountIdError` (code `INVALID_ACCOUNT_ID`). */
export function parseAccountId(value: unknown, field = "account"): AccountId {
  if (isAccountId(value)) return value;
  throw new InvalidAccountIdError(field, value);
}

/** The account id of a 32-byte Ed25519 public key. */
export function accountIdFromPublicKey(publicKey: Uint8Array): AccountId {
  if (publicKey.length !== PUBLIC_KEY_BYTES)
    throw new InvalidAccountIdError("publicKey", `${publicKey.length} bytes`);
  return toHex(publicKey) as AccountId;
}

/** The 32-byte public key behind an account id. */
export function publicKeyFromAccountId(account: AccountId): Uint8Array {
  return fromHex(parseAccountId(account), "account", PUBLIC_KEY_BYTES);
}

/** A short form for logs and tables: the first 8 and last 4 hex characters. */
export function shortAccountId(account: AccountId): string {
  return `${account.slice(0, 8)}…${account.slice(-4)}`;
}
