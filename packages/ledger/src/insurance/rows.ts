/**
 * Insurance policies and their events as stored and as returned (JSON-shaped, units in names).
 * @module
 */
import { toHex } from "@tirami/core";
import type { InsurancePolicy, SignedInsurancePolicy } from "@tirami/proto";

export type PolicyStatus = "active" | "paid" | "expired";
export type PolicyEventKind = "created" | "paid" | "expired";

/** A policy row as SQLite returns it. */
export interface PolicyRow extends InsurancePolicy {
  policy_id: string;
  canonical: Uint8Array;
  insurer_signature: Uint8Array;
  insured_signature: Uint8Array;
  status: PolicyStatus;
  hold_id: string | null;
  closed_ms: number | null;
  applied_ms: number;
}

/** An event row as SQLite returns it. */
export interface PolicyEventRow {
  event_id: string;
  policy_id: string;
  kind: PolicyEventKind;
  timestamp_ms: number;
  canonical: Uint8Array;
  leaf_hash: Uint8Array;
  applied_ms: number;
}

/** A stored policy: the signed contract and its state. */
export interface StoredPolicy extends SignedInsurancePolicy {
  status: PolicyStatus;
  /** Payout or expiry time (ms); null while active. */
  closed_ms: number | null;
  applied_ms: number;
}

export function policyFromRow(row: PolicyRow): InsurancePolicy {
  return {
    insurer: row.insurer,
    insured: row.insured,
    loan_id: row.loan_id,
    coverage_trm: row.coverage_trm,
    premium_trm: row.premium_trm,
    created_ms: row.created_ms,
    expires_ms: row.expires_ms,
    nonce: row.nonce,
  };
}

export function storedPolicy(row: PolicyRow): StoredPolicy {
  return {
    policy_id: row.policy_id,
    policy: policyFromRow(row),
    insurer_signature: toHex(new Uint8Array(row.insurer_signature)),
    insured_signature: toHex(new Uint8Array(row.insured_signature)),
    status: row.status,
    closed_ms: row.closed_ms,
    applied_ms: row.applied_ms,
  };
}
