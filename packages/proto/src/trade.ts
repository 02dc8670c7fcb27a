/**
 * The trade: one paid inference between two node accounts, signed by both (ARCHITECTURE §4).
 *
 * Canonical bytes are `encodeCanonical("tirami/trade/v1", [provider key, consumer key, amount_trm,
 * prompt_tokens, completion_tokens, model_id, price_trm_per_token (float), timestamp_ms, nonce,
 * request_id])`; `trade_id = sha256(canonical bytes)` in hex. Provider and consumer each sign the canonical
 * bytes with Ed25519. Upstream signed a fixed-layout struct without a length prefix on `model_id`, so two
 * different trades could share bytes; the tagged, length-prefixed encoding here cannot.
 * @module
 */
import {
  type AccountId,
  canonicalFloat,
  encodeCanonical,
  fromHex,
  isAccountId,
  isAmountTrm,
  publicKeyFromAccountId,
  sha256,
  type Signer,
  toHex,
  verifySignature,
} from "@tirami/core";
import { ProtoErrorCode, ProtoError } from "./errors.js";

export const TRADE_DOMAIN = "tirami/trade/v1";
export const TRADE_NONCE_BYTES = 16;
export const MODEL_ID_LENGTH_MAX = 128;
export const REQUEST_ID_LENGTH_MAX = 128;
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

const HEX_NONCE_RE = /^[0-9a-f]{32}$/;
const SIGNATURE_HEX_RE = /^[0-9a-f]{128}$/;
const TRADE_ID_RE = /^[0-9a-f]{64}$/;
const TEXT_ID_RE = /^[\x21-\x7e]+$/;
const TRADE_KEYS = [
  "provider",
  "consumer",
  "amount_trm",
  "prompt_tokens",
  "completion_tokens",
  "model_id",
  "price_trm_per_token",
  "timestamp_ms",
  "nonce",
  "request_id",
] as const;

function invalid(message: string, field: string): never {
  throw new ProtoError(ProtoErrorCode.INVALID_MESSAGE, `trade: ${message}`, { details: { field } });
}

function checkCount(value: unknown, field: string): void {
  if (!isAmountTrm(value)) invalid(`"${field}" expected a non-negative safe integer, got ${JSON.stringify(value)}`, field);
}

function checkTextId(value: unknown, field: string, lengthMax: number): void {
  if (typeof value !== "string" || value.length === 0 || value.length > lengthMax || !TEXT_ID_RE.test(value)) {
    invalid(`"${field}" expected 1–${lengthMax} printable ASCII characters without spaces`, field);
  }
}

/**
 * Validates an untrusted value as a `Trade` and returns a clean copy holding only the trade's fields.
 * Throws `ProtoError` (code `INVALID_MESSAGE`) naming the first bad field.
 */
export function parseTrade(value: unknown): Trade {
  if (value === null || typeof value !== "object" || Array.isArray(value)) invalid("expected an object", "trade");
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(TRADE_KEYS as readonly string[]).includes(key)) invalid(`unknown field "${key}"`, key);
  }
  if (!isAccountId(input.provider)) invalid(`"provider" expected 64 lowercase hex characters`, "provider");
  if (!isAccountId(input.consumer)) invalid(`"consumer" expected 64 lowercase hex characters`, "consumer");
  if (input.provider === input.consumer) invalid("provider and consumer must be different accounts", "consumer");
  checkCount(input.amount_trm, "amount_trm");
  checkCount(input.prompt_tokens, "prompt_tokens");
  checkCount(input.completion_tokens, "completion_tokens");
  checkCount(input.timestamp_ms, "timestamp_ms");
  checkTextId(input.model_id, "model_id", MODEL_ID_LENGTH_MAX);
  checkTextId(input.request_id, "request_id", REQUEST_ID_LENGTH_MAX);
  const price = input.price_trm_per_token;
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0 || price > PRICE_TRM_PER_TOKEN_MAX || Object.is(price, -0)) {
    invalid(`"price_trm_per_token" expected a finite number from 0 to ${PRICE_TRM_PER_TOKEN_MAX}`, "price_trm_per_token");
  }
  if (typeof input.nonce !== "string" || !HEX_NONCE_RE.test(input.nonce)) invalid(`"nonce" expected 32 lowercase hex characters`, "nonce");
  const trade: Record<string, unknown> = {};
  for (const key of TRADE_KEYS) trade[key] = input[key];
  return trade as unknown as Trade;
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

export type TradeSignatureFailure = "malformed" | "trade_id_mismatch" | "provider_signature" | "consumer_signature";

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
    ({ trade_id: tradeId, provider_signature: providerSignature, consumer_signature: consumerSignature } = signed as Record<string, unknown>);
    trade = parseTrade((signed as Record<string, unknown>).trade);
  } catch {
    return "malformed";
  }
  if (typeof tradeId !== "string" || !TRADE_ID_RE.test(tradeId)) return "malformed";
  if (typeof providerSignature !== "string" || !SIGNATURE_HEX_RE.test(providerSignature)) return "malformed";
  if (typeof consumerSignature !== "string" || !SIGNATURE_HEX_RE.test(consumerSignature)) return "malformed";
  const bytes = tradeCanonicalBytes(trade);
  if (toHex(sha256(bytes)) !== tradeId) return "trade_id_mismatch";
  if (!verifySignature(trade.provider, bytes, fromHex(providerSignature))) return "provider_signature";
  if (!verifySignature(trade.consumer, bytes, fromHex(consumerSignature))) return "consumer_signature";
  return null;
}
