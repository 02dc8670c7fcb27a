/**
 * The consumer's check of a provider's trade proposal (docs/architecture.md §4: a consumer signs only after
 * checking the amount against the quote and the tokens it actually received). Pure: it reads the proposal,
 * what was asked and what arrived, and returns the reason to refuse it, or null to sign.
 * @module
 */
import { type AccountId, costTrm, fromHex, verifySignature } from "@tirami/core";
import { computeTradeId, type Trade, tradeCanonicalBytes, type TradeRejectReason } from "@tirami/proto";
import { PROPOSAL_CLOCK_SKEW_MS } from "./constants.js";

/** What the consumer asked for and received, against which the proposal is checked. */
export interface ProposalExpectation {
  provider: AccountId;
  consumer: AccountId;
  modelId: string;
  requestId: string;
  /** The price the consumer quoted (TRM per completion token). */
  priceTrmPerToken: number;
  maxTokens: number;
  /** Token counts from `infer_end`, and whether any text arrived. */
  promptTokens: number;
  completionTokens: number;
  receivedText: boolean;
  /** The trade the consumer built itself from the above (same timestamp and nonce as the proposal). */
  trade: Trade;
  nowMs: number;
}

/** Why a proposal is refused. */
export interface ProposalRejection {
  reason: TradeRejectReason;
  message: string;
}

/**
 * Checks `proposal` field by field: accounts, model and request id (INVALID_TRADE), a fresh timestamp
 * (INVALID_TRADE), price = quote (PRICE_MISMATCH), token counts = `infer_end` and ≤ max tokens
 * (TOKENS_MISMATCH), amount = `costTrm(completion_tokens, quote)` (AMOUNT_MISMATCH), the same trade id as
 * the consumer's own trade (INVALID_TRADE) and the provider's signature (INVALID_SIGNATURE).
 */
export function checkProposal(
  proposal: { trade: Trade; provider_signature: string },
  expected: ProposalExpectation,
): ProposalRejection | null {
  const p = proposal.trade;
  if (
    p.provider !== expected.provider ||
    p.consumer !== expected.consumer ||
    p.model_id !== expected.modelId ||
    p.request_id !== expected.requestId
  )
    return { reason: "INVALID_TRADE", message: "accounts, model or request id do not match the request" };
  if (Math.abs(p.timestamp_ms - expected.nowMs) > PROPOSAL_CLOCK_SKEW_MS)
    return { reason: "INVALID_TRADE", message: "stale timestamp" };
  if (p.price_trm_per_token !== expected.priceTrmPerToken)
    return {
      reason: "PRICE_MISMATCH",
      message: `price ${p.price_trm_per_token} ≠ quote ${expected.priceTrmPerToken}`,
    };
  if (
    p.completion_tokens !== expected.completionTokens ||
    p.prompt_tokens !== expected.promptTokens ||
    p.completion_tokens > expected.maxTokens ||
    (expected.receivedText && p.completion_tokens === 0)
  )
    return {
      reason: "TOKENS_MISMATCH",
      message: `tokens ${p.prompt_tokens}/${p.completion_tokens} ≠ received ${expected.promptTokens}/${expected.completionTokens}`,
    };
  const amountTrm = costTrm(p.completion_tokens, expected.priceTrmPerToken);
  if (p.amount_trm !== amountTrm)
    return { reason: "AMOUNT_MISMATCH", message: `amount ${p.amount_trm} ≠ ${amountTrm}` };
  if (computeTradeId(expected.trade) !== computeTradeId(p))
    return { reason: "INVALID_TRADE", message: "the proposal differs from the trade this node built" };
  if (!verifySignature(p.provider, tradeCanonicalBytes(p), fromHex(proposal.provider_signature)))
    return { reason: "INVALID_SIGNATURE", message: "provider signature does not verify" };
  return null;
}
