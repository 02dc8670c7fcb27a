/**
 * The lightning mesh protocol (`/tirami/lightning/1.0.0`), one request and one answer per stream, JSON
 * frames of at most LIGHTNING_FRAME_BYTES_MAX bytes, every field checked on entry:
 *
 * 1. buyer → seller `invoice_request {purpose, amount_trm, window_start_ms?, window_end_ms?}`;
 *    seller → buyer `invoice {bolt11, payment_hash, amount_msat}` or `refused {reason, message}`.
 * 2. (the buyer pays the invoice through its own wallet, learning the preimage)
 *    buyer → seller `exchange_proposal {trade, provider_signature}` (the exchange trade, signed by the
 *    buyer); seller → buyer `exchange_accept {consumer_signature}` or `refused`.
 * @module
 */
import { fromUtf8, isSignatureHex, utf8 } from "@tirami/core";
import { parseTrade, type Trade } from "@tirami/proto";
import { BOLT11_LENGTH_MAX, LIGHTNING_FRAME_BYTES_MAX } from "./constants.js";

export const LIGHTNING_PROTOCOL_ID = "/tirami/lightning/1.0.0";

/** Why a seller refuses. */
export const REFUSAL_REASONS = [
  "NO_WALLET",
  "NOT_SELLING",
  "POSITION_MISMATCH",
  "ALREADY_SETTLED",
  "UNKNOWN_INVOICE",
  "INVALID",
  "INSUFFICIENT_BALANCE",
  "KILL_SWITCH",
  "WALLET_ERROR",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface InvoiceRequestMessage {
  kind: "invoice_request";
  purpose: "settlement" | "deposit";
  amount_trm: number;
  window_start_ms?: number;
  window_end_ms?: number;
}
export interface InvoiceMessage {
  kind: "invoice";
  bolt11: string;
  payment_hash: string;
  amount_msat: number;
}
export interface ExchangeProposalMessage {
  kind: "exchange_proposal";
  trade: Trade;
  provider_signature: string;
}
export interface ExchangeAcceptMessage {
  kind: "exchange_accept";
  consumer_signature: string;
}
export interface RefusedMessage {
  kind: "refused";
  reason: RefusalReason;
  message: string;
}
export type LightningMessage =
  InvoiceRequestMessage | InvoiceMessage | ExchangeProposalMessage | ExchangeAcceptMessage | RefusedMessage;

/** Thrown for a frame that is not a valid message of the expected kinds. */
export class LightningMessageError extends Error {
  override name = "LightningMessageError";
}

const uint = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function check(m: Record<string, unknown>): LightningMessage {
  switch (m.kind) {
    case "invoice_request": {
      if (m.purpose !== "settlement" && m.purpose !== "deposit") break;
      if (!uint(m.amount_trm) || m.amount_trm < 1) break;
      const windowed = m.window_start_ms !== undefined || m.window_end_ms !== undefined;
      if (windowed !== (m.purpose === "settlement")) break;
      if (
        windowed &&
        (!uint(m.window_start_ms) || !uint(m.window_end_ms) || m.window_end_ms <= m.window_start_ms)
      )
        break;
      return {
        kind: "invoice_request",
        purpose: m.purpose,
        amount_trm: m.amount_trm,
        ...(windowed
          ? { window_start_ms: m.window_start_ms as number, window_end_ms: m.window_end_ms as number }
          : {}),
      };
    }
    case "invoice":
      if (typeof m.bolt11 !== "string" || m.bolt11.length > BOLT11_LENGTH_MAX) break;
      if (typeof m.payment_hash !== "string" || !/^[0-9a-f]{64}$/.test(m.payment_hash)) break;
      if (!uint(m.amount_msat)) break;
      return { kind: "invoice", bolt11: m.bolt11, payment_hash: m.payment_hash, amount_msat: m.amount_msat };
    case "exchange_proposal":
      if (!isSignatureHex(m.provider_signature)) break;
      try {
        return {
          kind: "exchange_proposal",
          trade: parseTrade(m.trade),
          provider_signature: m.provider_signature,
        };
      } catch {
        break;
      }
    case "exchange_accept":
      if (!isSignatureHex(m.consumer_signature)) break;
      return { kind: "exchange_accept", consumer_signature: m.consumer_signature };
    case "refused":
      if (!(REFUSAL_REASONS as readonly unknown[]).includes(m.reason) || typeof m.message !== "string") break;
      return { kind: "refused", reason: m.reason as RefusalReason, message: m.message.slice(0, 300) };
  }
  throw new LightningMessageError(`invalid lightning message of kind ${String(m.kind).slice(0, 40)}`);
}

/** Encodes a message as one frame. */
export function encodeLightningMessage(message: LightningMessage): Uint8Array {
  const bytes = utf8(JSON.stringify(message));
  if (bytes.length > LIGHTNING_FRAME_BYTES_MAX) throw new RangeError("lightning message too large");
  return bytes;
}

/** Decodes one frame as one of `kinds`. Throws LightningMessageError. */
export function decodeLightningMessage<K extends LightningMessage["kind"]>(
  frame: Uint8Array,
  kinds: readonly K[],
): Extract<LightningMessage, { kind: K }> {
  if (frame.length > LIGHTNING_FRAME_BYTES_MAX) throw new LightningMessageError("lightning frame too large");
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(frame));
  } catch {
    throw new LightningMessageError("lightning frame is not JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new LightningMessageError("lightning frame is not an object");
  const message = check(value as Record<string, unknown>);
  if (!(kinds as readonly string[]).includes(message.kind))
    throw new LightningMessageError(`unexpected lightning message ${message.kind}`);
  return message as Extract<LightningMessage, { kind: K }>;
}
