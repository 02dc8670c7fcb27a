/**
 * The pure checks of one signed trade, with every derived value computed once: the trade is parsed once,
 * its canonical bytes are encoded once and then reused for the `trade_id` hash, both Ed25519
 * verifications, the Merkle leaf hash and storage. Same checks and verdicts as `checkSignedTrade` from
 * `@tirami/proto` (which parses and encodes again for each question), followed by freshness and cost.
 * Runs on the database thread or on an ingest worker thread.
 * @module
 */
import { hash } from "node:crypto";
import { fromHex, isSignatureHex, verifySignature } from "@tirami/core";
import {
  isTradeId,
  parseTrade,
  TRADE_DOMAIN,
  type Trade,
  tradeCostTrm,
  type TradeSignatureFailure,
} from "@tirami/proto";
import { LedgerError, LedgerErrorCode } from "./errors.js";

/** A trade that verified and is about to be written (internal to the ledger). */
export interface VerifiedTrade {
  tradeId: string;
  trade: Trade;
  canonical: Uint8Array;
  providerSignature: Uint8Array;
  consumerSignature: Uint8Array;
  /** `SHA-256(0x00 ‖ canonical)`, the trade's Merkle leaf. */
  leafHash: Uint8Array;
}

const DOMAIN = Buffer.from(TRADE_DOMAIN, "ascii");
const TRADE_FIELD_COUNT = 10;
const TAG_BYTES = 0x01;
const TAG_STRING = 0x02;
const TAG_UINT = 0x03;
const TAG_FLOAT = 0x06;
const U32 = 2 ** 32;

/** The canonical bytes and Merkle leaf hash of a trade, from one buffer. */
export interface EncodedTrade {
  canonical: Uint8Array;
  leafHash: Uint8Array;
}

/**
 * `tradeCanonicalBytes` (proto) for a trade that already passed `parseTrade`, written straight into one
 * buffer that starts with the Merkle leaf prefix 0x00, so the leaf hash needs no copy. Same bytes (a
 * property test compares them); a divergence could only make valid trades fail to verify, never let an
 * invalid one through, since the bytes are what the signatures and trade_id are checked against.
 */
export function encodeTrade(trade: Trade): EncodedTrade {
  // After parseTrade: keys and nonce are lowercase hex of fixed length, ids printable ASCII (1 byte per
  // character), integers safe and non-negative, the price finite and not -0.
  const size =
    1 +
    2 +
    DOMAIN.length +
    2 +
    2 * (1 + 4 + 32) +
    3 * 9 +
    (1 + 4 + trade.model_id.length) +
    9 +
    9 +
    (1 + 4 + 16) +
    (1 + 4 + trade.request_id.length);
  const buffer = Buffer.alloc(size); // not from the shared pool: it may be cloned to another thread
  let at = 1; // buffer[0] = 0x00, the leaf prefix
  at = buffer.writeUInt16BE(DOMAIN.length, at);
  at += DOMAIN.copy(buffer, at);
  at = buffer.writeUInt16BE(TRADE_FIELD_COUNT, at);
  const bytes = (hex: string, length: number) => {
    buffer[at] = TAG_BYTES;
    at = buffer.writeUInt32BE(length, at + 1);
    at += buffer.write(hex, at, length, "hex");
  };
  const uint = (value: number) => {
    buffer[at] = TAG_UINT;
    at = buffer.writeUInt32BE(Math.floor(value / U32), at + 1);
    at = buffer.writeUInt32BE(value % U32, at);
  };
  const ascii = (text: string) => {
    buffer[at] = TAG_STRING;
    at = buffer.writeUInt32BE(text.length, at + 1);
    at += buffer.write(text, at, text.length, "latin1");
  };
  bytes(trade.provider, 32);
  bytes(trade.consumer, 32);
  uint(trade.amount_trm);
  uint(trade.prompt_tokens);
  uint(trade.completion_tokens);
  ascii(trade.model_id);
  buffer[at] = TAG_FLOAT;
  at = buffer.writeDoubleBE(trade.price_trm_per_token, at + 1);
  uint(trade.timestamp_ms);
  bytes(trade.nonce, 16);
  ascii(trade.request_id);
  if (at !== size) throw new Error(`trade encoding wrote ${at} of ${size} bytes`); // a bug, not an input
  const leaf = new Uint8Array(hash("sha256", buffer, "buffer"));
  return { canonical: new Uint8Array(buffer.buffer, buffer.byteOffset + 1, size - 1), leafHash: leaf };
}
function invalid(code: LedgerErrorCode, message: string, details: Record<string, unknown>): never {
  throw new LedgerError(code, message, { details });
}

function failed(failure: TradeSignatureFailure): never {
  if (failure === "malformed")
    invalid(LedgerErrorCode.TRADE_INVALID, "signed trade is malformed", { failure });
  invalid(LedgerErrorCode.TRADE_SIGNATURE_INVALID, `signed trade failed: ${failure}`, { failure });
}

/**
 * Fields, `trade_id` and both signatures (the verdicts of `checkSignedTrade`), then freshness against
 * `nowMs` and `amount_trm = tradeCostTrm(trade)` (completion tokens × price, or prompt tokens × price for input-priced work). Returns what the ledger stores; throws
 * LedgerError (TRADE_INVALID, TRADE_SIGNATURE_INVALID, TRADE_STALE). Each input field is read once.
 */
export function verifySignedTrade(signed: unknown, nowMs: number, freshnessWindowMs: number): VerifiedTrade {
  if (signed === null || typeof signed !== "object")
    invalid(LedgerErrorCode.TRADE_INVALID, "signed trade expected an object", {});
  let trade: Trade;
  let tradeId: unknown, providerHex: unknown, consumerHex: unknown;
  try {
    ({
      trade_id: tradeId,
      provider_signature: providerHex,
      consumer_signature: consumerHex,
    } = signed as Record<string, unknown>);
    trade = parseTrade((signed as Record<string, unknown>).trade);
  } catch {
    failed("malformed");
  }
  if (!isTradeId(tradeId)) failed("malformed");
  if (!isSignatureHex(providerHex) || !isSignatureHex(consumerHex)) failed("malformed");
  const { canonical, leafHash } = encodeTrade(trade);
  if (hash("sha256", canonical, "hex") !== tradeId) failed("trade_id_mismatch");
  const providerSignature = fromHex(providerHex);
  if (!verifySignature(trade.provider, canonical, providerSignature)) failed("provider_signature");
  const consumerSignature = fromHex(consumerHex);
  if (!verifySignature(trade.consumer, canonical, consumerSignature)) failed("consumer_signature");

  const skewMs = Math.abs(nowMs - trade.timestamp_ms);
  if (skewMs > freshnessWindowMs) {
    invalid(
      LedgerErrorCode.TRADE_STALE,
      `trade timestamp is ${skewMs} ms from now (window ${freshnessWindowMs} ms)`,
      { trade_id: tradeId, skew_ms: skewMs },
    );
  }
  let expectedTrm: number;
  try {
    expectedTrm = tradeCostTrm(trade);
  } catch {
    invalid(LedgerErrorCode.TRADE_INVALID, "trade cost is out of range", { trade_id: tradeId });
  }
  if (trade.amount_trm !== expectedTrm) {
    invalid(LedgerErrorCode.TRADE_INVALID, `amount_trm ${trade.amount_trm} ≠ cost ${expectedTrm}`, {
      trade_id: tradeId,
      amount_trm: trade.amount_trm,
      expected_trm: expectedTrm,
    });
  }
  return {
    tradeId,
    trade,
    canonical,
    providerSignature,
    consumerSignature,
    leafHash,
  };
}
