/**
 * The exchange trade: how TRM sold for sats is recorded (docs/lightning.md). It is an ordinary
 * dual-signed trade (`tirami/trade/v1`), so it is applied exactly once, gossiped after verification,
 * covered by the Merkle log and re-verified by `ledger.verify()` like every trade, and moves TRM between
 * two real accounts through the journal's trade entries (no new journal kind, nothing minted):
 *
 * - `provider` = the buyer of TRM (it paid the invoice), `consumer` = the seller (its TRM moves);
 * - `model_id` = `tirami/exchange/v1`; `prompt_tokens` = amount_trm, `completion_tokens` = 0,
 *   `price_trm_per_token` = 1, so `amount_trm` is the trade's own input-priced cost;
 * - `request_id` = `ln:<preimage>:<amount_msat>` for a deposit, `ln:<preimage>:<amount_msat>:<from>-<to>`
 *   for the settlement of the window `[from, to)`: the preimage is the proof of payment (its sha256 is the
 *   invoice's payment hash), signed by both parties.
 *
 * The buyer signs first, after paying (only then does it know the preimage); the seller signs second,
 * after checking the preimage against the invoice it issued — so TRM moves only once the invoice is paid.
 * @module
 */
import { type AccountId, fromHex, sha256, toHex } from "@tirami/core";
import { createTrade, type Trade } from "@tirami/proto";

/** `model_id` of every exchange trade. */
export const EXCHANGE_MODEL_ID = "tirami/exchange/v1";

/** A settlement window `[startMs, endMs)`. */
export interface SettlementWindow {
  startMs: number;
  endMs: number;
}

/** What an exchange trade's request id says. */
export interface ExchangeTerms {
  preimage: string;
  payment_hash: string;
  amount_msat: number;
  /** Present for a settlement, absent for a deposit. */
  window: SettlementWindow | null;
}

const REQUEST_ID_RE = /^ln:([0-9a-f]{64}):([1-9][0-9]{0,15})(?::(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15}))?$/;

/** The request id of an exchange. */
export function exchangeRequestId(
  preimage: string,
  amountMsat: number,
  window: SettlementWindow | null,
): string {
  const base = `ln:${preimage}:${amountMsat}`;
  return window === null ? base : `${base}:${window.startMs}-${window.endMs}`;
}

/** Reads the terms of an exchange trade, or null when `trade` is not a well-formed one. */
export function parseExchange(
  trade: Pick<
    Trade,
    "model_id" | "request_id" | "prompt_tokens" | "completion_tokens" | "price_trm_per_token" | "amount_trm"
  >,
): ExchangeTerms | null {
  if (trade.model_id !== EXCHANGE_MODEL_ID) return null;
  if (
    trade.completion_tokens !== 0 ||
    trade.price_trm_per_token !== 1 ||
    trade.prompt_tokens !== trade.amount_trm
  )
    return null;
  const match = REQUEST_ID_RE.exec(trade.request_id);
  if (match === null) return null;
  const amountMsat = Number(match[2]);
  if (!Number.isSafeInteger(amountMsat)) return null;
  let window: SettlementWindow | null = null;
  if (match[3] !== undefined) {
    window = { startMs: Number(match[3]), endMs: Number(match[4]) };
    if (
      !Number.isSafeInteger(window.startMs) ||
      !Number.isSafeInteger(window.endMs) ||
      window.endMs <= window.startMs
    )
      return null;
  }
  const preimage = match[1] as string;
  return { preimage, payment_hash: toHex(sha256(fromHex(preimage))), amount_msat: amountMsat, window };
}

/** The fields of a new exchange trade. */
export interface ExchangeTradeInput {
  buyer: AccountId;
  seller: AccountId;
  amountTrm: number;
  preimage: string;
  amountMsat: number;
  window: SettlementWindow | null;
  timestampMs: number;
}

/** Builds (does not sign) an exchange trade. */
export function buildExchangeTrade(input: ExchangeTradeInput): Trade {
  return createTrade({
    provider: input.buyer,
    consumer: input.seller,
    amount_trm: input.amountTrm,
    prompt_tokens: input.amountTrm,
    completion_tokens: 0,
    model_id: EXCHANGE_MODEL_ID,
    price_trm_per_token: 1,
    timestamp_ms: input.timestampMs,
    request_id: exchangeRequestId(input.preimage, input.amountMsat, input.window),
  });
}

/** True when two windows share an instant. */
export function windowsOverlap(a: SettlementWindow, b: SettlementWindow): boolean {
  return a.startMs < b.endMs && b.startMs < a.endMs;
}
