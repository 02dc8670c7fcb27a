/**
 * Test and bench fixtures: deterministic signers and dual-signed trades built with the real proto code.
 * @module
 */
import { createHash } from "node:crypto";
import { type AccountId, costTrm, createSigner, type Signer } from "@tirami/core";
import { computeTradeId, type SignedTrade, signTrade, type Trade } from "@tirami/proto";

/** A signer whose seed is sha256(label): stable across runs and processes. */
export function signerFor(label: string): Signer {
  return createSigner(new Uint8Array(createHash("sha256").update(`tirami-ledger-test/${label}`).digest()));
}

export interface TradeSpec {
  provider: Signer;
  consumer: Signer;
  completionTokens: number;
  priceTrmPerToken?: number;
  timestampMs: number;
  /** Distinguishes otherwise equal trades; becomes the nonce. */
  seq: number;
}

export function makeTrade(spec: TradeSpec): Trade {
  const price = spec.priceTrmPerToken ?? 1;
  return {
    provider: spec.provider.accountId,
    consumer: spec.consumer.accountId,
    amount_trm: costTrm(spec.completionTokens, price),
    prompt_tokens: 7,
    completion_tokens: spec.completionTokens,
    model_id: "stories260K",
    price_trm_per_token: price,
    timestamp_ms: spec.timestampMs,
    nonce: createHash("sha256").update(`nonce/${spec.seq}`).digest("hex").slice(0, 32),
    request_id: `req-${spec.seq}`,
  };
}

/** Both parties sign the canonical bytes. */
export function signBoth(trade: Trade, provider: Signer, consumer: Signer): SignedTrade {
  return {
    trade_id: computeTradeId(trade),
    trade,
    provider_signature: signTrade(trade, provider),
    consumer_signature: signTrade(trade, consumer),
  };
}

export function signedTrade(spec: TradeSpec): SignedTrade {
  return signBoth(makeTrade(spec), spec.provider, spec.consumer);
}

export function accountOf(label: string): AccountId {
  return signerFor(label).accountId;
}
