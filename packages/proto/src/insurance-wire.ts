/**
 * The insurance handshake on `/tirami/insurance/1.0.0` and its gossip frame (docs/bank.md): the side
 * that starts (an insured lender asking an insurer, or an insurer offering cover) sends
 * `insurance_proposal` — the policy and its own signature; the other side checks everything before it
 * signs and answers `insurance_accept` (its signature) or `insurance_reject` with a typed reason. Both
 * then gossip the dual-signed policy as `insurance_gossip`.
 * @module
 */
import { SIGNATURE_BYTES } from "@tirami/core";
import { ERROR_MESSAGE_BYTES_MAX } from "./constants.js";
import { TRADE_ID_BYTES } from "./ids.js";
import { INSURANCE_RECORD, type InsurancePolicy, type SignedInsurancePolicy } from "./insurance.js";
import type { Field } from "./schema.js";

/** libp2p protocol id of the insurance handshake. */
export const INSURANCE_PROTOCOL_ID = "/tirami/insurance/1.0.0";

export const INSURANCE_ROLES = ["insurer", "insured"] as const;
export type InsuranceRole = (typeof INSURANCE_ROLES)[number];

/** Proposer → other party: the policy, signed by the proposer in the role it names. */
export interface InsuranceProposal {
  kind: "insurance_proposal";
  policy: InsurancePolicy;
  proposer_role: InsuranceRole;
  signature: string;
}

/** The other party's signature: the policy is now dual-signed. */
export interface InsuranceAccept {
  kind: "insurance_accept";
  policy_id: string;
  signature: string;
}

/** Why a party refuses to sign a policy. */
export const INSURANCE_REJECT_REASONS = [
  /** Malformed, not addressed to this node, its signature does not verify, or its loan is unknown here. */
  "INVALID_POLICY",
  /** The premium is under what this insurer asks for the borrower's credit, or the terms are refused. */
  "TERMS_REJECTED",
  /** The node's kill switch is on. */
  "KILL_SWITCH_ACTIVE",
  /** The node's safety gate denied (budget, approval, breaker). */
  "SAFETY_DENIED",
  /** The insured cannot pay the premium, or the insurer cannot hold the coverage. */
  "INSUFFICIENT_BALANCE",
  /** Anything else went wrong on this side. */
  "INTERNAL",
] as const;
export type InsuranceRejectReason = (typeof INSURANCE_REJECT_REASONS)[number];

export interface InsuranceReject {
  kind: "insurance_reject";
  policy_id: string;
  reason: InsuranceRejectReason;
  message: string;
}

/** A dual-signed policy on the insurance gossip topic. */
export interface InsuranceGossip extends SignedInsurancePolicy {
  kind: "insurance_gossip";
}

export const INSURANCE_PROPOSAL_FIELDS: readonly Field[] = [
  { name: "policy", type: INSURANCE_RECORD },
  { name: "proposer_role", type: { t: "enum", values: INSURANCE_ROLES } },
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const INSURANCE_ACCEPT_FIELDS: readonly Field[] = [
  { name: "policy_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const INSURANCE_REJECT_FIELDS: readonly Field[] = [
  { name: "policy_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "reason", type: { t: "enum", values: INSURANCE_REJECT_REASONS } },
  { name: "message", type: { t: "text", bytesMax: ERROR_MESSAGE_BYTES_MAX } },
];
