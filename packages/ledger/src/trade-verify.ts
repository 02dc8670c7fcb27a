/**
 * The pure checks of one signed trade, with every derived value computed once: the trade is parsed once,
 * its canonical bytes are encoded once and then reused for the `trade_id` hash, both Ed25519
 * verifications, the Merkle leaf hash and storage. Same checks and verdicts as `checkSignedTrade` from
 * `@tirami/proto` (which parses and encodes again for each question), followed by freshness and cost.
 * Runs on the database thread or on an ingest worker thread.
 * @module
 */
import { costTrm, fromHex, sha256, toHex, verifySignature } from "@tirami/core";
import { parseTrade, type Trade, type TradeSignatureFailure, tradeCanonicalBytes } from "@tirami/proto";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { leafHash } from "./merkle/hash.js";

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

const TRADE_ID_RE = /^[0-9a-f]{64}$/;
const SIGNATURE_HEX_RE = /^[0-9a-f]{128}$/;

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
 * `nowMs` and `amount_trm = costTrm(completion_tokens, price)`. Returns what the ledger stores; throws
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
  if (typeof tradeId !== "string" || !TRADE_ID_RE.test(tradeId)) failed("malformed");
  if (typeof providerHex !== "string" || !SIGNATURE_HEX_RE.test(providerHex)) failed("malformed");
  if (typeof consumerHex !== "string" || !SIGNATURE_HEX_RE.test(consumerHex)) failed("malformed");
  const canonical = tradeCanonicalBytes(trade);
  if (toHex(sha256(canonical)) !== tradeId) failed("trade_id_mismatch");
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
    expectedTrm = costTrm(trade.completion_tokens, trade.price_trm_per_token);
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
    leafHash: leafHash(canonical),
  };
}
