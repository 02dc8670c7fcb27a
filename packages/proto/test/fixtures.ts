/**
 * One realistic, valid example of every message kind, built from fixed keys so tests are reproducible.
 */
import { createSigner, type Signer } from "@tirami/core";
import { signProviderOffer, signReputationObservation } from "../src/gossip.js";
import type { Message, MessageKind } from "../src/message.js";
import { SYNC_START_TRADE_ID } from "../src/sync.js";
import { assembleSignedTrade, createTrade, type SignedTrade, signTrade, type Trade } from "../src/trade.js";
import { assembleSignedLoan, createLoan, type Loan, type SignedLoan, signLoan } from "../src/loan.js";
import { signLendOffer, signLoanRepayment } from "../src/loan-events.js";
import {
  assembleSignedPolicy,
  createInsurancePolicy,
  type InsurancePolicy,
  type SignedInsurancePolicy,
  signInsurancePolicy,
} from "../src/insurance.js";
import {
  assembleSignedFuture,
  createFuture,
  type Future,
  type SignedFuture,
  signFuture,
} from "../src/future.js";
import { signAgentProfile } from "../src/agent-profile.js";

/** A signer from a one-byte fill, e.g. `signerFrom(1)`. */
export function signerFrom(fill: number): Signer {
  return createSigner(new Uint8Array(32).fill(fill));
}

export const provider = signerFrom(1);
export const consumer = signerFrom(2);
export const stranger = signerFrom(3);

export const trade: Trade = createTrade({
  provider: provider.accountId,
  consumer: consumer.accountId,
  amount_trm: 42,
  prompt_tokens: 17,
  completion_tokens: 42,
  model_id: "qwen2.5-0.5b-instruct-q4_k_m",
  price_trm_per_token: 1,
  timestamp_ms: 1_764_000_000_000,
  nonce: "000102030405060708090a0b0c0d0e0f",
  request_id: "req-0001",
});

export const signedTrade: SignedTrade = assembleSignedTrade(
  trade,
  signTrade(trade, provider),
  signTrade(trade, consumer),
);

/** Lender = provider, borrower = consumer: 300 TRM for 24 h at 1,500 ppm/h against 100 TRM. */
export const loan: Loan = createLoan({
  lender: provider.accountId,
  borrower: consumer.accountId,
  principal_trm: 300,
  interest_ppm_per_hour: 1_500,
  term_hours: 24,
  collateral_trm: 100,
  created_ms: 1_764_000_000_000,
  nonce: "f0e0d0c0b0a090807060504030201000",
});

export const signedLoan: SignedLoan = assembleSignedLoan(
  loan,
  signLoan(loan, provider),
  signLoan(loan, consumer),
);

/** Insurer = stranger, insured = the loan's lender (provider): 300 TRM of cover for a 21 TRM premium. */
export const policy: InsurancePolicy = createInsurancePolicy({
  insurer: stranger.accountId,
  insured: provider.accountId,
  loan_id: signedLoan.loan_id,
  coverage_trm: 300,
  premium_trm: 21,
  created_ms: 1_764_000_060_000,
  expires_ms: 1_764_093_600_000,
  nonce: "0f0e0d0c0b0a09080706050403020100",
});

export const signedPolicy: SignedInsurancePolicy = assembleSignedPolicy(
  policy,
  signInsurancePolicy(policy, stranger),
  signInsurancePolicy(policy, provider),
);

/** Long = provider, short = consumer: 10,000 tokens at 2,000 micro-TRM per token, 50 TRM margin each. */
export const future: Future = createFuture({
  long: provider.accountId,
  short: consumer.accountId,
  notional_tokens: 10_000,
  strike_micro_trm_per_token: 2_000,
  margin_trm: 50,
  created_ms: 1_764_000_000_000,
  expires_ms: 1_764_086_400_000,
  nonce: "00112233445566778899aabbccddeeff",
});

export const signedFuture: SignedFuture = assembleSignedFuture(
  future,
  signFuture(future, provider),
  signFuture(future, consumer),
);

export const examples: { [K in MessageKind]: Extract<Message, { kind: K }> } = {
  infer_request: {
    kind: "infer_request",
    request_id: "req-0001",
    consumer: consumer.accountId,
    model_id: "qwen2.5-0.5b-instruct-q4_k_m",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Say hi in Japanese: こんにちは? 👋" },
    ],
    max_tokens: 64,
    temperature: 0.7,
    top_p: 0.9,
    top_k: 40,
    seed: 1234,
    stop: ["\n\n"],
    price_trm_per_token: 1,
    timestamp_ms: 1_764_000_000_000,
  },
  token_chunk: { kind: "token_chunk", request_id: "req-0001", index: 0, text: "こんにちは" },
  infer_end: {
    kind: "infer_end",
    request_id: "req-0001",
    prompt_tokens: 17,
    completion_tokens: 42,
    finish_reason: "stop",
  },
  infer_error: {
    kind: "infer_error",
    request_id: "req-0001",
    code: "BUSY",
    message: "all slots taken",
    retry_after_ms: 500,
  },
  trade_proposal: { kind: "trade_proposal", trade, provider_signature: signedTrade.provider_signature },
  trade_accept: {
    kind: "trade_accept",
    trade_id: signedTrade.trade_id,
    consumer_signature: signedTrade.consumer_signature,
  },
  trade_reject: {
    kind: "trade_reject",
    trade_id: signedTrade.trade_id,
    reason: "AMOUNT_MISMATCH",
    message: "expected 40 TRM",
  },
  sync_request: {
    kind: "sync_request",
    after_timestamp_ms: 0,
    after_trade_id: SYNC_START_TRADE_ID,
    limit: 100,
  },
  sync_response: { kind: "sync_response", trades: [signedTrade], more: false },
  trade_gossip: { kind: "trade_gossip", ...signedTrade },
  provider_offer: signProviderOffer(
    {
      account: provider.accountId,
      models: [
        { model_id: "qwen2.5-0.5b-instruct-q4_k_m", price_trm_per_token: 1, context_length: 32_768 },
        { model_id: "smollm2-135m", price_trm_per_token: 0.25 },
      ],
      free_capacity: 3,
      protocol_version: 1,
      merkle_root: "ab".repeat(32),
      trade_count: 1,
      multiaddrs: ["/ip4/127.0.0.1/tcp/7700"],
      timestamp_ms: 1_764_000_000_000,
    },
    provider,
  ),
  reputation_observation: signReputationObservation(
    {
      observer: consumer.accountId,
      subject: provider.accountId,
      score: 0.875,
      timestamp_ms: 1_764_000_000_000,
    },
    consumer,
  ),
  loan_proposal: {
    kind: "loan_proposal",
    loan,
    proposer_role: "borrower",
    signature: signedLoan.borrower_signature,
  },
  loan_accept: { kind: "loan_accept", loan_id: signedLoan.loan_id, signature: signedLoan.lender_signature },
  loan_reject: {
    kind: "loan_reject",
    loan_id: signedLoan.loan_id,
    reason: "INSUFFICIENT_CREDIT",
    message: "credit 0.12 is under the floor 0.2",
  },
  loan_gossip: { kind: "loan_gossip", ...signedLoan },
  loan_repayment: signLoanRepayment(
    {
      loan_id: signedLoan.loan_id,
      borrower: consumer.accountId,
      amount_trm: 310,
      timestamp_ms: 1_764_003_600_000,
    },
    consumer,
  ),
  lend_offer: signLendOffer(
    {
      lender: provider.accountId,
      amount_available_trm: 5_000,
      max_term_hours: 168,
      min_interest_ppm_per_hour: 1_000,
      timestamp_ms: 1_764_000_000_000,
    },
    provider,
  ),
  embed_request: {
    kind: "embed_request",
    request_id: "req-0002",
    consumer: consumer.accountId,
    model_id: "nomic-embed-text-v1.5",
    inputs: ["Once upon a time", "a red ball"],
    max_input_tokens: 64,
    price_trm_per_token: 0.5,
    timestamp_ms: 1_764_000_000_000,
  },
  embed_vectors: {
    kind: "embed_vectors",
    request_id: "req-0002",
    index: 0,
    vectors: [
      [0.6, -0.8, 0],
      [1, 0, 0],
    ],
  },
  embed_end: { kind: "embed_end", request_id: "req-0002", prompt_tokens: 9, dimensions: 3 },
  insurance_proposal: {
    kind: "insurance_proposal",
    policy,
    proposer_role: "insured",
    signature: signedPolicy.insured_signature,
  },
  insurance_accept: {
    kind: "insurance_accept",
    policy_id: signedPolicy.policy_id,
    signature: signedPolicy.insurer_signature,
  },
  insurance_reject: {
    kind: "insurance_reject",
    policy_id: signedPolicy.policy_id,
    reason: "TERMS_REJECTED",
    message: "premium 21 TRM is under the 90 TRM asked at credit 0.3",
  },
  insurance_gossip: { kind: "insurance_gossip", ...signedPolicy },
  future_proposal: {
    kind: "future_proposal",
    future,
    proposer_role: "long",
    signature: signedFuture.long_signature,
  },
  future_accept: {
    kind: "future_accept",
    future_id: signedFuture.future_id,
    signature: signedFuture.short_signature,
  },
  future_reject: {
    kind: "future_reject",
    future_id: signedFuture.future_id,
    reason: "SAFETY_DENIED",
    message: "margin of 50 TRM exceeds the hourly budget",
  },
  future_gossip: { kind: "future_gossip", ...signedFuture },
  agent_profile: signAgentProfile(
    {
      node: provider.accountId,
      agent_id: "node",
      models: ["smollm2-135m-instruct-q8_0"],
      price_trm_per_token: 1,
      tier: "small",
      capabilities: ["chat", "a2a"],
      endpoints: ["http://127.0.0.1:3000/a2a"],
      description: "a small chat model",
      timestamp_ms: 1_764_000_000_000,
    },
    provider,
  ),
};
