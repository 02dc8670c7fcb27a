/**
 * Dual-signed trades for tests and benches, made with the real proto code (`computeTradeId`, `signTrade`)
 * and sensible defaults: 7 prompt and 5 completion tokens of `stories260K` at 1 TRM per token, stamped now.
 * The factories do not validate, so a test can sign a trade the ledger must refuse (overpriced, stale, a
 * wrong signer); pass one through `checkSignedTrade` or a ledger to see it judged.
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { costTrm, type Signer } from "@tirami/core";
import { computeTradeId, type SignedTrade, signTrade, type Trade, TRADE_NONCE_BYTES } from "@tirami/proto";

/** Model id of a trade unless the spec names one: the tiny model every test uses. */
export const TRADE_MODEL_ID_DEFAULT = "stories260K";
/** Prompt tokens of a trade unless the spec gives them. */
export const TRADE_PROMPT_TOKENS_DEFAULT = 7;
/** Completion tokens of a trade unless the spec gives them. */
export const TRADE_COMPLETION_TOKENS_DEFAULT = 5;

/** What a test says about a trade; everything but the two parties has a default. */
export interface TradeSpec {
  provider: Signer;
  consumer: Signer;
  /** Default 5. `amount_trm` is `costTrm(completionTokens, priceTrmPerToken)`. */
  completionTokens?: number;
  /** Default 7. */
  promptTokens?: number;
  /** Default 1. */
  priceTrmPerToken?: number;
  /** Default `Date.now()`. */
  timestampMs?: number;
  /** Default `stories260K`. */
  modelId?: string;
  /**
   * Makes the trade reproducible: nonce = the first 16 bytes of SHA-256("nonce/" + seq), request id
   * `req-<seq>`. Without it the nonce is random and the request id `req-<random hex>`, so two otherwise
   * equal trades differ.
   */
  seq?: number;
  /** Overrides the request id `seq` (or chance) would give. */
  requestId?: string;
}

/** The trade `spec` describes, unsigned and unvalidated. */
export function tradeOf(spec: TradeSpec): Trade {
  const completionTokens = spec.completionTokens ?? TRADE_COMPLETION_TOKENS_DEFAULT;
  const priceTrmPerToken = spec.priceTrmPerToken ?? 1;
  const nonce =
    spec.seq === undefined
      ? randomBytes(TRADE_NONCE_BYTES).toString("hex")
      : createHash("sha256")
          .update(`nonce/${spec.seq}`)
          .digest("hex")
          .slice(0, TRADE_NONCE_BYTES * 2);
  return {
    provider: spec.provider.accountId,
    consumer: spec.consumer.accountId,
    amount_trm: costTrm(completionTokens, priceTrmPerToken),
    prompt_tokens: spec.promptTokens ?? TRADE_PROMPT_TOKENS_DEFAULT,
    completion_tokens: completionTokens,
    model_id: spec.modelId ?? TRADE_MODEL_ID_DEFAULT,
    price_trm_per_token: priceTrmPerToken,
    timestamp_ms: spec.timestampMs ?? Date.now(),
    nonce,
    request_id: spec.requestId ?? `req-${spec.seq ?? nonce.slice(0, 12)}`,
  };
}

/** `trade` with its id and both parties' signatures over its canonical bytes; not validated. */
export function signBoth(trade: Trade, provider: Signer, consumer: Signer): SignedTrade {
  return {
    trade_id: computeTradeId(trade),
    trade,
    provider_signature: signTrade(trade, provider),
    consumer_signature: signTrade(trade, consumer),
  };
}

/**
 * The trade `spec` describes, signed by its provider and its consumer.
 * @example
 * const signed = signedTrade({ provider: newSigner(), consumer: newSigner(), completionTokens: 7 });
 * ledger.applySignedTrade(signed);
 */
export function signedTrade(spec: TradeSpec): SignedTrade {
  return signBoth(tradeOf(spec), spec.provider, spec.consumer);
}
