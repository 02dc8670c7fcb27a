/**
 * The futures handshake on `/tirami/future/1.0.0` and its gossip frame (docs/bank.md): the proposer (long
 * or short) sends `future_proposal` — the future and its signature; the other side checks and answers
 * `future_accept` (its signature) or `future_reject` with a typed reason; both gossip `future_gossip`.
 * @module
 */
import { SIGNATURE_BYTES } from "@tirami/core";
import { ERROR_MESSAGE_BYTES_MAX } from "./constants.js";
import { type Future, FUTURE_RECORD, type SignedFuture } from "./future.js";
import { TRADE_ID_BYTES } from "./ids.js";
import type { Field } from "./schema.js";

/** libp2p protocol id of the futures handshake. */
export const FUTURE_PROTOCOL_ID = "/tirami/future/1.0.0";

export const FUTURE_ROLES = ["long", "short"] as const;
export type FutureRole = (typeof FUTURE_ROLES)[number];

export interface FutureProposal {
  kind: "future_proposal";
  future: Future;
  proposer_role: FutureRole;
  signature: string;
}

export interface FutureAccept {
  kind: "future_accept";
  future_id: string;
  signature: string;
}

/** Why a party refuses to sign a future. */
export const FUTURE_REJECT_REASONS = [
  /** Malformed, not addressed to this node, or its signature does not verify. */
  "INVALID_FUTURE",
  /** This node does not take the other side of these terms. */
  "TERMS_REJECTED",
  /** The node's kill switch is on. */
  "KILL_SWITCH_ACTIVE",
  /** The node's safety gate denied the margin (budget, approval, breaker). */
  "SAFETY_DENIED",
  /** A side cannot hold its margin. */
  "INSUFFICIENT_BALANCE",
  /** Anything else went wrong on this side. */
  "INTERNAL",
] as const;
export type FutureRejectReason = (typeof FUTURE_REJECT_REASONS)[number];

export interface FutureReject {
  kind: "future_reject";
  future_id: string;
  reason: FutureRejectReason;
  message: string;
}

export interface FutureGossip extends SignedFuture {
  kind: "future_gossip";
}

export const FUTURE_PROPOSAL_FIELDS: readonly Field[] = [
  { name: "future", type: FUTURE_RECORD },
  { name: "proposer_role", type: { t: "enum", values: FUTURE_ROLES } },
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const FUTURE_ACCEPT_FIELDS: readonly Field[] = [
  { name: "future_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

export const FUTURE_REJECT_FIELDS: readonly Field[] = [
  { name: "future_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "reason", type: { t: "enum", values: FUTURE_REJECT_REASONS } },
  { name: "message", type: { t: "text", bytesMax: ERROR_MESSAGE_BYTES_MAX } },
];
