/**
 * The Tirami payment extension of A2A (docs/agora.md; upstream only proposed one, docs/upstream.md §10.4):
 * a task is paid inference, settled as an ordinary dual-signed trade on both ledgers. It rides in the
 * `metadata` of A2A messages and tasks under `A2A_PAYMENT_EXTENSION_URI`:
 *
 * 1. the consumer's first message carries its signed **intent** — consumer, provider, model, the price
 *    per token it accepts, `max_tokens`, a request id and a timestamp, signed by the consumer's node key
 *    over `tirami/a2a-payment/v1` canonical bytes — so nobody can make a provider work on a node's account
 *    without that node's key;
 * 2. the provider answers the task in state `input-required` with the output and its **proposal**: the
 *    trade (proto's `Trade`) and the provider's signature over its canonical bytes;
 * 3. the consumer's spend path checks the proposal against its own quote and the tokens reported, signs,
 *    applies the trade against its hold, and sends a second message on the task with its **signature**;
 *    the provider assembles the dual-signed trade, applies it and gossips it; the task completes.
 * @module
 */
import {
  type AccountId,
  canonicalFloat,
  encodeCanonical,
  fromHex,
  isAccountId,
  isSignatureHex,
  publicKeyFromAccountId,
  type Signer,
  toHex,
  verifySignature,
} from "@tirami/core";
import { isModelId, isRequestId, parseTrade, PRICE_TRM_PER_TOKEN_MAX, type Trade } from "@tirami/proto";
import { AgoraError, AgoraErrorCode } from "../errors.js";

/** The extension's URI (A2A extensions are named by URI). */
export const A2A_PAYMENT_EXTENSION_URI = "urn:tirami:a2a:payment:v1";
/** Domain of the bytes the consumer's intent signature covers. */
export const A2A_PAYMENT_DOMAIN = "tirami/a2a-payment/v1";
/** Largest `max_tokens` a paid task may ask for. */
export const A2A_MAX_TOKENS_MAX = 4_096;

/** The consumer's signed intent (message 1). */
export interface PaymentIntent {
  consumer: AccountId;
  provider: AccountId;
  model_id: string;
  price_trm_per_token: number;
  max_tokens: number;
  request_id: string;
  timestamp_ms: number;
  consumer_signature: string;
}

/** The provider's proposal (the task after message 1). */
export interface PaymentProposal {
  trade: Trade;
  trade_id: string;
  provider_signature: string;
}

/** The consumer's counter-signature (message 2). */
export interface PaymentAcceptance {
  trade_id: string;
  consumer_signature: string;
}

const invalid = (message: string): AgoraError =>
  new AgoraError(AgoraErrorCode.A2A_PAYMENT_INVALID, `A2A payment: ${message}`);

/** The bytes the intent's signature covers. */
export function paymentIntentBytes(intent: Omit<PaymentIntent, "consumer_signature">): Uint8Array {
  return encodeCanonical(A2A_PAYMENT_DOMAIN, [
    publicKeyFromAccountId(intent.consumer),
    publicKeyFromAccountId(intent.provider),
    intent.model_id,
    canonicalFloat(intent.price_trm_per_token),
    intent.max_tokens,
    intent.request_id,
    intent.timestamp_ms,
  ]);
}

/** Signs an intent as its consumer. `RangeError` when `signer` is not the consumer. */
export function signPaymentIntent(
  intent: Omit<PaymentIntent, "consumer_signature">,
  signer: Signer,
): PaymentIntent {
  if (signer.accountId !== intent.consumer)
    throw new RangeError(`signer ${signer.accountId} is not the consumer`);
  return { ...intent, consumer_signature: toHex(signer.sign(paymentIntentBytes(intent))) };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid(`${what} is missing`);
  return value as Record<string, unknown>;
}

/** Reads and verifies an intent from message metadata. @throws {AgoraError} A2A_PAYMENT_INVALID. */
export function readPaymentIntent(metadata: unknown): PaymentIntent {
  const value = object(object(metadata, "metadata")[A2A_PAYMENT_EXTENSION_URI], "the payment intent");
  const { consumer, provider, model_id, price_trm_per_token, max_tokens, request_id, timestamp_ms } = value;
  const signature = value.consumer_signature;
  if (!isAccountId(consumer) || !isAccountId(provider))
    throw invalid("consumer and provider must be accounts");
  if (!isModelId(model_id)) throw invalid("model_id is not a model id");
  if (
    typeof price_trm_per_token !== "number" ||
    !(price_trm_per_token >= 0 && price_trm_per_token <= PRICE_TRM_PER_TOKEN_MAX)
  )
    throw invalid("price_trm_per_token is out of range");
  if (
    !Number.isSafeInteger(max_tokens) ||
    (max_tokens as number) < 1 ||
    (max_tokens as number) > A2A_MAX_TOKENS_MAX
  )
    throw invalid(`max_tokens must be an integer from 1 to ${A2A_MAX_TOKENS_MAX}`);
  if (!isRequestId(request_id)) throw invalid("request_id is not a request id");
  if (!Number.isSafeInteger(timestamp_ms) || (timestamp_ms as number) < 0)
    throw invalid("timestamp_ms is not a time");
  if (!isSignatureHex(signature)) throw invalid("consumer_signature is not a signature");
  const intent = {
    consumer,
    provider,
    model_id,
    price_trm_per_token,
    max_tokens: max_tokens as number,
    request_id,
    timestamp_ms: timestamp_ms as number,
  };
  if (!verifySignature(consumer, paymentIntentBytes(intent), fromHex(signature)))
    throw invalid("the consumer's signature does not verify");
  return { ...intent, consumer_signature: signature };
}

/** Reads a proposal from task metadata (shape only; the spend path checks it). @throws {AgoraError}. */
export function readPaymentProposal(metadata: unknown): PaymentProposal {
  const value = object(object(metadata, "task metadata")[A2A_PAYMENT_EXTENSION_URI], "the payment proposal");
  let trade: Trade;
  try {
    trade = parseTrade(value.trade);
  } catch (cause) {
    throw new AgoraError(AgoraErrorCode.A2A_PAYMENT_INVALID, "A2A payment: the proposed trade is malformed", {
      cause,
    });
  }
  if (typeof value.trade_id !== "string" || !isSignatureHex(value.provider_signature))
    throw invalid("the proposal needs trade_id and provider_signature");
  return { trade, trade_id: value.trade_id, provider_signature: value.provider_signature };
}

/** Reads the consumer's acceptance from message metadata (shape only). @throws {AgoraError}. */
export function readPaymentAcceptance(metadata: unknown): PaymentAcceptance {
  const value = object(object(metadata, "metadata")[A2A_PAYMENT_EXTENSION_URI], "the payment acceptance");
  if (typeof value.trade_id !== "string" || !isSignatureHex(value.consumer_signature))
    throw invalid("the acceptance needs trade_id and consumer_signature");
  return { trade_id: value.trade_id, consumer_signature: value.consumer_signature };
}
