/**
 * Proves the consumer's check of an input-priced (embeddings) proposal: it signs exactly the trade that
 * bills the input tokens it was told of at its quote with 0 completion tokens, and refuses one that
 * bills completion tokens, more input tokens than it pays for, or another amount — each with its reason.
 */
import { costTrm } from "@tirami/core";
import { createTrade, signTrade, type Trade } from "@tirami/proto";
import { newSigner } from "@tirami/test-trades";
import { describe, expect, it } from "vitest";
import { checkProposal, type ProposalExpectation } from "./check-proposal.js";

const provider = newSigner();
const consumer = newSigner();
const NOW_MS = 1_764_000_000_000;

function trade(overrides: Partial<Trade> = {}): Trade {
  return createTrade({
    provider: provider.accountId,
    consumer: consumer.accountId,
    amount_trm: costTrm(13, 0.5),
    prompt_tokens: 13,
    completion_tokens: 0,
    model_id: "m",
    price_trm_per_token: 0.5,
    timestamp_ms: NOW_MS,
    nonce: "00".repeat(16),
    request_id: "embed-1",
    ...overrides,
  });
}

function expectation(built: Trade, overrides: Partial<ProposalExpectation> = {}): ProposalExpectation {
  return {
    provider: provider.accountId,
    consumer: consumer.accountId,
    modelId: "m",
    requestId: "embed-1",
    priceTrmPerToken: 0.5,
    maxTokens: 40,
    pricedBy: "prompt",
    promptTokens: 13,
    completionTokens: 0,
    receivedText: false,
    trade: built,
    nowMs: NOW_MS,
    ...overrides,
  };
}

const proposal = (proposed: Trade) => ({
  trade: proposed,
  provider_signature: signTrade(proposed, provider),
});

describe("checkProposal priced by input tokens", () => {
  it("signs the trade that bills the input tokens at the quote", () => {
    const built = trade();
    expect(checkProposal(proposal(built), expectation(built))).toBeNull();
  });

  it("refuses completion tokens, too many input tokens and another amount", () => {
    const withCompletion = trade({ completion_tokens: 2, amount_trm: 1 });
    expect(
      checkProposal(proposal(withCompletion), expectation(withCompletion, { completionTokens: 2 }))?.reason,
    ).toBe("TOKENS_MISMATCH");
    const built = trade();
    expect(checkProposal(proposal(built), expectation(built, { maxTokens: 12 }))?.reason).toBe(
      "TOKENS_MISMATCH",
    );
    const dearer = trade({ amount_trm: 8 });
    expect(checkProposal(proposal(dearer), expectation(dearer))?.reason).toBe("AMOUNT_MISMATCH");
    // The same trade checked as a generation (completion-priced) is refused: nothing was generated.
    expect(checkProposal(proposal(built), expectation(built, { pricedBy: "completion" }))?.reason).toBe(
      "AMOUNT_MISMATCH",
    );
  });
});
