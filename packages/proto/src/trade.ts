/**
 * The trade: one paid inference between two node accounts, signed by both (docs/architecture.md §4).
 *
 * Canonical bytes are `encodeCanonical("tirami/trade/v1", [provider key, consumer key, amount_trm,
 * prompt_tokens, completion_tokens, model_id, price_trm_per_token (float), timestamp_ms, nonce,
 * request_id])`; `trade_id = sha256(canonical bytes)` in hex. Provider and consumer each sign the canonical
 * bytes with Ed25519. Upstream signed a fixed-layout struct without a length prefix on `model_id`, so two
 * different trades could share bytes; the tagged, length-prefixed encoding here cannot.
 *
 * `parseTrade` and trades nested in wire messages share one rule set (`TRADE_RECORD`). `createTrade` draws
 * the nonce; `assembleSignedTrade` computes the id and verifies both signatures before handing a trade out.
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  type AccountId,
  canonicalFloat,
  costTrm,
  encodeCanonical,
  fromHex,
  isSignatureHex,
  PUBLIC_KEY_BYTES,
  publicKeyFromAccountId,
  sha256,
  SIGNATURE_BYTES,
  type Signer,
  toHex,
  verifySignature,
} from "@tirami/core";
import { invalidField, ProtoError, ProtoErrorCode } from "./errors.js";
import { isTradeId, MODEL_ID_LENGTH_MAX, REQUEST_ID_LENGTH_MAX, TRADE_ID_BYTES } from "./ids.js";
import { checkRecord, joinPath, type RecordType } from "./schema.js";

export const TRADE_DOMAIN = "tirami/trade/v1";
export const TRADE_NONCE_BYTES = 16;
/** No quoted price may exceed this (TRM per token); it bounds every cost a hold can be asked for. */
export const PRICE_TRM_PER_TOKEN_MAX = 1_000_000;

/** The fields both parties sign. JSON-shaped (snake_case), as stored and sent on the wire. */
export interface Trade {
  provider: AccountId;
  consumer: AccountId;
  amount_trm: number;
  prompt_tokens: number;
  completion_tokens: number;
  model_id: string;
  price_trm_per_token: number;
  timestamp_ms: number;
  /** 16 random bytes as 32 lowercase hex characters: two otherwise equal trades get different ids. */
  nonce: string;
  request_id: string;
}

/** A trade with its id and both signatures (each 128 lowercase hex characters). */
export interface SignedTrade {
  trade_id: string;
  trade: Trade;
  provider_signature: string;
  consumer_signature: string;
}

/** The trade as a schema record, fields in canonical order (internal: drives nested trades in messages). */
export const TRADE_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "provider", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "consumer", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "amount_trm", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
    { name: "prompt_tokens", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
    { name: "completion_tokens", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
    { name: "model_id", type: { t: "id", lengthMax: MODEL_ID_LENGTH_MAX } },
    { name: "price_trm_per_token", type: { t: "float", min: 0, max: PRICE_TRM_PER_TOKEN_MAX } },
    { name: "timestamp_ms", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
    { name: "nonce", type: { t: "hex", bytes: TRADE_NONCE_BYTES } },
    { name: "request_id", type: { t: "id", lengthMax: REQUEST_ID_LENGTH_MAX } },
  ],
  refine(value, kind, path) {
    if (value.provider === value.consumer) {
      throw invalidField(kind, joinPath(path, "consumer"), "a different account from provider");
    }
  },
};

/** A signed trade as a schema record (internal). */
export const SIGNED_TRADE_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "trade_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
    { name: "trade", type: TRADE_RECORD },
    { name: "provider_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
    { name: "consumer_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
  ],
};

/**
 * Validates an untrusted value as a `Trade` and returns a clean copy holding only the trade's fields.
 * Throws `ProtoError` (code `INVALID_MESSAGE`) naming the first bad field in `details.field`, and nothing
 * else whatever the value (each field is read once, so a getter cannot change it between check and copy).
 */
export function parseTrade(value: unknown): Trade {
  return checkRecord("trade", TRADE_RECORD, value, "", undefined) as unknown as Trade;
}

/**
 * Validates the shape of a signed trade (fields, hex lengths) without checking hashes or signatures — use
 * `checkSignedTrade` for that. Throws `ProtoError` `INVALID_MESSAGE` naming the field.
 */
export function parseSignedTrade(value: unknown): SignedTrade {
  return checkRecord("signed_trade", SIGNED_TRADE_RECORD, value, "", undefined) as unknown as SignedTrade;
}

/**
 * What a trade must charge (docs/architecture.md §4): `costTrm(billed tokens, price)`, where the billed
 * tokens are the completion tokens of a generation — or, for work priced per input token (embeddings,
 * whose trades record 0 completion tokens), the prompt tokens. A generation that produced nothing makes
 * no trade, so a trade with 0 completion tokens is always input-priced. Throws `RangeError` when the
 * cost is out of range.
 */
export function tradeCostTrm(
  trade: Pick<Trade, "prompt_tokens" | "completion_tokens" | "price_trm_per_token">,
): number {
  const billed = trade.completion_tokens > 0 ? trade.completion_tokens : trade.prompt_tokens;
  return costTrm(billed, trade.price_trm_per_token);
}

/** The fields of a new trade; `nonce` is filled with 16 fresh random bytes when absent. */
export type TradeInput = Omit<Trade, "nonce"> & { nonce?: string };

/**
 * Builds a validated trade, drawing a fresh random nonce unless one is given (for test vectors).
 * Throws `ProtoError` `INVALID_MESSAGE` naming the bad field.
 */
export function createTrade(input: TradeInput): Trade {
  const nonce = input.nonce ?? toHex(new Uint8Array(randomBytes(TRADE_NONCE_BYTES)));
  return parseTrade({ ...input, nonce });
}

/**
 * Puts a trade and both signatures together with the computed `trade_id`, and checks the result with
 * `checkSignedTrade`. Throws `ProtoError` `INVALID_MESSAGE` with `details.field` = the failing part
 * (`trade`, `provider_signature` or `consumer_signature`) and `details.failure`.
 */
export function assembleSignedTrade(
  trade: Trade,
  providerSignature: string,
  consumerSignature: string,
): SignedTrade {
  const clean = parseTrade(trade);
  if (!isSignatureHex(providerSignature)) {
    throw invalidField(
      "signed_trade",
      "provider_signature",
      "128 lowercase hex characters",
      providerSignature,
    );
  }
  if (!isSignatureHex(consumerSignature)) {
    throw invalidField(
      "signed_trade",
      "consumer_signature",
      "128 lowercase hex characters",
      consumerSignature,
    );
  }
  const signed: SignedTrade = {
    trade_id: computeTradeId(clean),
    trade: clean,
    provider_signature: providerSignature,
    consumer_signature: consumerSignature,
  };
  const failure = checkSignedTrade(signed);
  if (failure !== null) {
    const field = failure === "malformed" || failure === "trade_id_mismatch" ? "signed_trade" : failure;
    throw new ProtoError(
      ProtoErrorCode.INVALID_MESSAGE,
      `signed_trade: ${failure.replace(/_/g, " ")} does not verify`,
      {
        details: { kind: "signed_trade", field, failure },
      },
    );
  }
  return signed;
}

/** The canonical bytes of a trade: what both parties sign and what the Merkle log hashes. */
export function tradeCanonicalBytes(trade: Trade): Uint8Array {
  return encodeCanonical(TRADE_DOMAIN, [
    publicKeyFromAccountId(trade.provider),
    publicKeyFromAccountId(trade.consumer),
    trade.amount_trm,
    trade.prompt_tokens,
    trade.completion_tokens,
    trade.model_id,
    canonicalFloat(trade.price_trm_per_token),
    trade.timestamp_ms,
    fromHex(trade.nonce, "nonce", TRADE_NONCE_BYTES),
    trade.request_id,
  ]);
}

/** `trade_id = hex(sha256(canonical bytes))`. */
export function computeTradeId(trade: Trade): string {
  return toHex(sha256(tradeCanonicalBytes(trade)));
}

/** Signs a trade's canonical bytes; returns the signature as 128 hex characters. */
export function signTrade(trade: Trade, signer: Signer): string {
  return toHex(signer.sign(tradeCanonicalBytes(trade)));
}

export type TradeSignatureFailure =
  "malformed" | "trade_id_mismatch" | "provider_signature" | "consumer_signature";

/**
 * Checks a signed trade completely: fields (`parseTrade`), that `trade_id` matches the content, and both
 * Ed25519 signatures against the provider's and consumer's own keys. Returns the failure, or null when
 * everything verifies. Never throws.
 */
export function checkSignedTrade(signed: unknown): TradeSignatureFailure | null {
  let trade: Trade;
  let tradeId: unknown, providerSignature: unknown, consumerSignature: unknown;
  try {
    if (signed === null || typeof signed !== "object") return "malformed";
    ({
      trade_id: tradeId,
      provider_signature: providerSignature,
      consumer_signature: consumerSignature,
    } = signed as Record<string, unknown>);
    trade = parseTrade((signed as Record<string, unknown>).trade);
  } catch {
    return "malformed";
  }
  if (!isTradeId(tradeId)) return "malformed";
  if (!isSignatureHex(providerSignature) || !isSignatureHex(consumerSignature)) return "malformed";
  const bytes = tradeCanonicalBytes(trade);
  if (toHex(sha256(bytes)) !== tradeId) return "trade_id_mismatch";
  if (!verifySignature(trade.provider, bytes, fromHex(providerSignature))) return "provider_signature";
  if (!verifySignature(trade.consumer, bytes, fromHex(consumerSignature))) return "consumer_signature";
  return null;
}
