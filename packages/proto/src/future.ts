/**
 * A compute future (docs/bank.md): a contract between two nodes on the price of inference, signed by both.
 * The long side gains when the settlement price ends above the strike, the short side when below.
 * Canonical bytes `tirami/future/v1` [long key, short key, notional_tokens, strike_micro_trm_per_token,
 * margin_trm, created_ms, expires_ms, nonce]; `future_id = sha256(bytes)`. Prices are integers in
 * micro-TRM per token (10⁻⁶ TRM), so every node computes the same profit and loss.
 *
 * Rules every node enforces (schema): notional, margin ≥ 1, long ≠ short, `expires_ms > created_ms`.
 * The settlement record, derived by every node and signed by nobody: `tirami/future-settlement/v1`
 * [future id, long key, short key, settle_micro_trm_per_token, window_trades, paid_trm, long_won,
 * settled_ms].
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  type AccountId,
  encodeCanonical,
  fromHex,
  PUBLIC_KEY_BYTES,
  publicKeyFromAccountId,
  sha256,
  SIGNATURE_BYTES,
  type Signer,
  toHex,
} from "@tirami/core";
import { assembleDualSigned, checkDualSigned, type DualSignedSpec } from "./dual-signed.js";
import { invalidField } from "./errors.js";
import { TRADE_ID_BYTES } from "./ids.js";
import { checkRecord, joinPath, type RecordType } from "./schema.js";

export const FUTURE_DOMAIN = "tirami/future/v1";
export const FUTURE_SETTLEMENT_DOMAIN = "tirami/future-settlement/v1";
export const FUTURE_NONCE_BYTES = 16;
/** Micro-TRM per TRM: prices in futures are integers in 10⁻⁶ TRM per token. */
export const MICRO_PER_TRM = 1_000_000;

export interface Future {
  long: AccountId;
  short: AccountId;
  /** Tokens of inference the contract is written on. */
  notional_tokens: number;
  /** The agreed price, micro-TRM per token. */
  strike_micro_trm_per_token: number;
  /** Held on each side until settlement; the most either side can lose. */
  margin_trm: number;
  created_ms: number;
  expires_ms: number;
  nonce: string;
}

export interface SignedFuture {
  future_id: string;
  future: Future;
  long_signature: string;
  short_signature: string;
}

/** The settlement every node derives from the future and its trade log. */
export interface FutureSettlement {
  future_id: string;
  long: AccountId;
  short: AccountId;
  settle_micro_trm_per_token: number;
  window_trades: number;
  /** TRM the loser pays the winner: `min(|P&L|, margin)`. */
  paid_trm: number;
  long_won: boolean;
  settled_ms: number;
}

const uint = { t: "uint", max: Number.MAX_SAFE_INTEGER } as const;
const positive = { t: "uint", min: 1, max: Number.MAX_SAFE_INTEGER } as const;

export const FUTURE_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "long", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "short", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "notional_tokens", type: positive },
    { name: "strike_micro_trm_per_token", type: uint },
    { name: "margin_trm", type: positive },
    { name: "created_ms", type: uint },
    { name: "expires_ms", type: uint },
    { name: "nonce", type: { t: "hex", bytes: FUTURE_NONCE_BYTES } },
  ],
  refine(value, kind, path) {
    const f = value as unknown as Future;
    if (f.long === f.short)
      throw invalidField(kind, joinPath(path, "short"), "a different account from long");
    if (f.expires_ms <= f.created_ms)
      throw invalidField(kind, joinPath(path, "expires_ms"), "after created_ms", f.expires_ms);
  },
};

export const SIGNED_FUTURE_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "future_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
    { name: "future", type: FUTURE_RECORD },
    { name: "long_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
    { name: "short_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
  ],
};

/** Validates an untrusted value as a future. `ProtoError` `INVALID_MESSAGE`. */
export function parseFuture(value: unknown): Future {
  return checkRecord("future", FUTURE_RECORD, value, "", undefined) as unknown as Future;
}

/** Builds a validated future (`nonce` drawn when absent). */
export function createFuture(input: Omit<Future, "nonce"> & { nonce?: string }): Future {
  return parseFuture({
    ...input,
    nonce: input.nonce ?? toHex(new Uint8Array(randomBytes(FUTURE_NONCE_BYTES))),
  });
}

export function futureCanonicalBytes(f: Future): Uint8Array {
  return encodeCanonical(FUTURE_DOMAIN, [
    publicKeyFromAccountId(f.long),
    publicKeyFromAccountId(f.short),
    f.notional_tokens,
    f.strike_micro_trm_per_token,
    f.margin_trm,
    f.created_ms,
    f.expires_ms,
    fromHex(f.nonce, "nonce", FUTURE_NONCE_BYTES),
  ]);
}

export function computeFutureId(f: Future): string {
  return toHex(sha256(futureCanonicalBytes(f)));
}

export function signFuture(f: Future, signer: Signer): string {
  return toHex(signer.sign(futureCanonicalBytes(f)));
}

/** The layout of a signed future (`dual-signed.ts`). */
const SIGNED_FUTURE = {
  kind: "signed_future",
  id: "future_id",
  body: "future",
  parse: (value: unknown) => parseFuture(value),
  canonical: (future: Future) => futureCanonicalBytes(future),
  signers: [
    { field: "long_signature", account: (future: Future) => future.long },
    { field: "short_signature", account: (future: Future) => future.short },
  ],
} as const satisfies DualSignedSpec<Future, "future_id", "future", "long_signature", "short_signature">;

export type FutureSignatureFailure =
  "malformed" | "future_id_mismatch" | "long_signature" | "short_signature";

/** Checks a signed future completely. Returns the failure or null; never throws. */
export function checkSignedFuture(signed: unknown): FutureSignatureFailure | null {
  return checkDualSigned(SIGNED_FUTURE, signed);
}

/** Puts a future and both signatures together and checks them. `ProtoError` `INVALID_MESSAGE`. */
export function assembleSignedFuture(
  future: Future,
  longSignature: string,
  shortSignature: string,
): SignedFuture {
  return assembleDualSigned(SIGNED_FUTURE, future, longSignature, shortSignature);
}

/**
 * The long side's profit (negative: loss) in TRM at `settle` micro-TRM per token:
 * `(settle − strike) × notional / 10⁶`, rounded toward zero, exact (BigInt).
 */
export function futurePnlTrm(
  f: Pick<Future, "notional_tokens" | "strike_micro_trm_per_token">,
  settle: number,
): number {
  const pnl =
    ((BigInt(settle) - BigInt(f.strike_micro_trm_per_token)) * BigInt(f.notional_tokens)) /
    BigInt(MICRO_PER_TRM);
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(pnl > limit ? limit : pnl < -limit ? -limit : pnl);
}

export function futureSettlementCanonicalBytes(r: FutureSettlement): Uint8Array {
  return encodeCanonical(FUTURE_SETTLEMENT_DOMAIN, [
    fromHex(r.future_id, "future_id", TRADE_ID_BYTES),
    publicKeyFromAccountId(r.long),
    publicKeyFromAccountId(r.short),
    r.settle_micro_trm_per_token,
    r.window_trades,
    r.paid_trm,
    r.long_won,
    r.settled_ms,
  ]);
}
