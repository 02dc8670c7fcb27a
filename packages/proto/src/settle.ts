/**
 * The trade handshake that closes a remote inference (docs/architecture.md §4, §7): the provider sends
 * `trade_proposal` (the trade and its signature), the consumer answers `trade_accept` (its signature) after
 * checking the amount against its quote and the tokens it received, or `trade_reject` with a reason.
 * Upstream's consumer signed whatever it was sent and a missing answer became a half-price unsigned trade
 * (docs/upstream.md §7.4, §13.1.2); here nothing moves money until both signatures exist.
 * @module
 */
import { SIGNATURE_BYTES } from "@tirami/core";
import { ERROR_MESSAGE_BYTES_MAX } from "./constants.js";
import { TRADE_ID_BYTES } from "./ids.js";
import type { Field } from "./schema.js";
import { type Trade, TRADE_RECORD } from "./trade.js";

/** Provider → consumer: the trade for the finished request, signed by the provider. */
export interface TradeProposal {
  kind: "trade_proposal";
  trade: Trade;
  provider_signature: string;
}

/** Consumer → provider: the consumer's signature over the proposed trade's canonical bytes. */
export interface TradeAccept {
  kind: "trade_accept";
  trade_id: string;
  consumer_signature: string;
}

/** Why a consumer refuses to sign. */
export const TRADE_REJECT_REASONS = [
  /** amount_trm ≠ ceil(completion_tokens × quoted price). */
  "AMOUNT_MISMATCH",
  /** Token counts differ from what was streamed. */
  "TOKENS_MISMATCH",
  /** price_trm_per_token differs from the request's quote. */
  "PRICE_MISMATCH",
  /** The provider signature does not verify. */
  "INVALID_SIGNATURE",
  /** Fields that do not belong to this request (accounts, model, request id, stale timestamp). */
  "INVALID_TRADE",
  /** No such request in flight. */
  "UNKNOWN_REQUEST",
  /** The answer breaks the requested structured-output format (does not parse or validate). */
  "INVALID_OUTPUT",
] as const;
export type TradeRejectReason = (typeof TRADE_REJECT_REASONS)[number];

/** Consumer → provider: the consumer will not sign this trade. */
export interface TradeReject {
  kind: "trade_reject";
  trade_id: string;
  reason: TradeRejectReason;
  message: string;
}

export const TRADE_PROPOSAL_FIELDS: readonly Field[] = [
  { name: "trade", type: TRADE_RECORD },
  { name: "provider_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const TRADE_ACCEPT_FIELDS: readonly Field[] = [
  { name: "trade_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "consumer_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const TRADE_REJECT_FIELDS: readonly Field[] = [
  { name: "trade_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "reason", type: { t: "enum", values: TRADE_REJECT_REASONS } },
  { name: "message", type: { t: "text", bytesMax: ERROR_MESSAGE_BYTES_MAX } },
];
