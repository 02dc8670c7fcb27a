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
  /** The price the consumer quoted (TRM per billed token). */
  priceTrmPerToken: number;
  /** Most billed tokens (completion tokens; input tokens when `pricedBy` is `prompt`). */
  maxTokens: number;
  /** `prompt` for embeddings: billed per input token, 0 completion tokens. Default `completion`. */
  pricedBy?: "completion" | "prompt" | undefined;
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
 * (INVALID_TRADE), price = quote (PRICE_MISMATCH), token counts = `infer_end` (or `embed_end`) and
 * billed tokens ≤ the maximum (TOKENS_MISMATCH), amount = `costTrm(billed tokens, quote)` — completion
 * tokens, or input tokens for embeddings (AMOUNT_MISMATCH), the same trade id as
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
  const byPrompt = expected.pricedBy === "prompt";
  const billed = byPrompt ? p.prompt_tokens : p.completion_tokens;
  if (
    p.completion_tokens !== expected.completionTokens ||
    p.prompt_tokens !== expected.promptTokens ||
    billed > expected.maxTokens ||
    (byPrompt && (p.completion_tokens !== 0 || billed === 0)) ||
    (expected.receivedText && p.completion_tokens === 0 && !byPrompt)
  )
    return {
      reason: "TOKENS_MISMATCH",
      message: `tokens ${p.prompt_tokens}/${p.completion_tokens} ≠ received ${expected.promptTokens}/${expected.completionTokens}`,
    };
  const amountTrm = costTrm(billed, expected.priceTrmPerToken);
  if (p.amount_trm !== amountTrm)
    return { reason: "AMOUNT_MISMATCH", message: `amount ${p.amount_trm} ≠ ${amountTrm}` };
  if (computeTradeId(expected.trade) !== computeTradeId(p))
    return { reason: "INVALID_TRADE", message: "the proposal differs from the trade this node built" };
  if (!verifySignature(p.provider, tradeCanonicalBytes(p), fromHex(proposal.provider_signature)))
    return { reason: "INVALID_SIGNATURE", message: "provider signature does not verify" };
  return null;
}
