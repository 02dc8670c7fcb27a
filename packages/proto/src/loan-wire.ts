/**
 * The loan handshake on `/tirami/loan/1.0.0` (docs/lending.md): the side that starts (a borrower asking
 * a lender, or a lender offering to a borrower) sends `loan_proposal` — the loan and its own signature;
 * the other side checks everything before it signs and answers `loan_accept` (its signature) or
 * `loan_reject` with a typed reason. Upstream's borrower counter-signed whatever it was sent and no code
 * path ever sent a proposal (docs/upstream.md §5.6).
 * @module
 */
import { SIGNATURE_BYTES } from "@tirami/core";
import { ERROR_MESSAGE_BYTES_MAX } from "./constants.js";
import { TRADE_ID_BYTES } from "./ids.js";
import { type Loan, LOAN_RECORD } from "./loan.js";
import type { Field } from "./schema.js";

/** libp2p protocol id of the loan handshake. */
export const LOAN_PROTOCOL_ID = "/tirami/loan/1.0.0";

export const LOAN_ROLES = ["lender", "borrower"] as const;
export type LoanRole = (typeof LOAN_ROLES)[number];

/** Proposer → other party: the loan, signed by the proposer in the role it names. */
export interface LoanProposal {
  kind: "loan_proposal";
  loan: Loan;
  proposer_role: LoanRole;
  signature: string;
}

/** The other party's signature: the loan is now dual-signed. */
export interface LoanAccept {
  kind: "loan_accept";
  loan_id: string;
  signature: string;
}

/** Why a party refuses to sign a loan. */
export const LOAN_REJECT_REASONS = [
  /** The proposal is malformed, not addressed to this node, or its signature does not verify. */
  "INVALID_LOAN",
  /** This node does not lend (no offer) or does not accept loans offered to it. */
  "NOT_LENDING",
  /** The terms are outside this side's offer (rate, term, amount available). */
  "TERMS_REJECTED",
  /** The borrower's credit score is under the floor (or its max borrowable). */
  "INSUFFICIENT_CREDIT",
  /** Principal above 3 × collateral. */
  "EXCESSIVE_LTV",
  /** Term above 168 hours. */
  "EXCESSIVE_TERM",
  /** The loan is larger than the lender's pool share allows, or would break its reserve ratio. */
  "POOL_LIMIT",
  /** The lender's default-rate breaker or lending velocity limit is tripped. */
  "CIRCUIT_BREAKER",
  /** The node's kill switch is on. */
  "KILL_SWITCH_ACTIVE",
  /** The node's safety gate denied the spend (budget, approval, breaker). */
  "SAFETY_DENIED",
  /** The lender cannot fund the principal, or the borrower the collateral. */
  "INSUFFICIENT_BALANCE",
  /** Anything else went wrong on this side. */
  "INTERNAL",
] as const;
export type LoanRejectReason = (typeof LOAN_REJECT_REASONS)[number];

export interface LoanReject {
  kind: "loan_reject";
  loan_id: string;
  reason: LoanRejectReason;
  message: string;
}

export const LOAN_PROPOSAL_FIELDS: readonly Field[] = [
  { name: "loan", type: LOAN_RECORD },
  { name: "proposer_role", type: { t: "enum", values: LOAN_ROLES } },
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const LOAN_ACCEPT_FIELDS: readonly Field[] = [
  { name: "loan_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const LOAN_REJECT_FIELDS: readonly Field[] = [
  { name: "loan_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "reason", type: { t: "enum", values: LOAN_REJECT_REASONS } },
  { name: "message", type: { t: "text", bytesMax: ERROR_MESSAGE_BYTES_MAX } },
];
