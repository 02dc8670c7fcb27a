/**
 * Insurance on a loan (docs/bank.md, docs/architecture.md §4b): a contract between an insurer and the
 * insured lender of one loan, signed by both. Canonical bytes `tirami/insurance/v1` [insurer key, insured
 * key, loan id, coverage_trm, premium_trm, created_ms, expires_ms, nonce]; `policy_id = sha256(bytes)`.
 *
 * The rules every node enforces the same way live in the schema: coverage and premium ≥ 1 TRM, premium ≤
 * coverage (upstream's rule), insurer ≠ insured, `created_ms < expires_ms`. The premium formula depends on
 * the borrower's credit, which is each party's own view, so it decides whether a party signs, never
 * whether a signed policy is valid (as with a loan's rate, docs/lending.md).
 *
 * Life cycle events derived by every node from the policy and its loan alone (nobody signs them):
 * `tirami/insurance-payout/v1` [policy id, insurer key, insured key, coverage_trm, payout_ms] when the loan
 * defaults no later than `expires_ms`, and `tirami/insurance-expiry/v1` [policy id, insurer key,
 * coverage_trm, expires_ms] otherwise.
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  type AccountId,
  encodeCanonical,
  fromHex,
  PUBLIC_KEY_BYTES,
  publicKeyFromAccountId,
  sha256,
  SIGNATURE_BYTES,
  type Signer,
  toHex,
} from "@tirami/core";
import { assembleDualSigned, checkDualSigned, type DualSignedSpec } from "./dual-signed.js";
import { invalidField } from "./errors.js";
import { TRADE_ID_BYTES } from "./ids.js";
import { checkRecord, joinPath, type RecordType } from "./schema.js";

export const INSURANCE_DOMAIN = "tirami/insurance/v1";
export const INSURANCE_PAYOUT_DOMAIN = "tirami/insurance-payout/v1";
export const INSURANCE_EXPIRY_DOMAIN = "tirami/insurance-expiry/v1";
export const INSURANCE_NONCE_BYTES = 16;

/** The fields both parties sign (JSON-shaped, as stored and sent). */
export interface InsurancePolicy {
  insurer: AccountId;
  /** The lender of the loan: who is paid if it defaults. */
  insured: AccountId;
  loan_id: string;
  /** Held on the insurer while the policy is active; paid to the insured on the loan's default. */
  coverage_trm: number;
  /** Paid by the insured to the insurer when the policy is applied. */
  premium_trm: number;
  created_ms: number;
  expires_ms: number;
  nonce: string;
}

/** A policy with its id and both signatures. */
export interface SignedInsurancePolicy {
  policy_id: string;
  policy: InsurancePolicy;
  insurer_signature: string;
  insured_signature: string;
}

const amount = { t: "uint", min: 1, max: Number.MAX_SAFE_INTEGER } as const;
const time = { t: "uint", max: Number.MAX_SAFE_INTEGER } as const;

/** The policy as a schema record, fields in canonical order, with the contract rules (internal). */
export const INSURANCE_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "insurer", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "insured", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "loan_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
    { name: "coverage_trm", type: amount },
    { name: "premium_trm", type: amount },
    { name: "created_ms", type: time },
    { name: "expires_ms", type: time },
    { name: "nonce", type: { t: "hex", bytes: INSURANCE_NONCE_BYTES } },
  ],
  refine(value, kind, path) {
    const p = value as unknown as InsurancePolicy;
    if (p.insurer === p.insured)
      throw invalidField(kind, joinPath(path, "insured"), "a different account from insurer");
    if (p.premium_trm > p.coverage_trm)
      throw invalidField(kind, joinPath(path, "premium_trm"), "at most coverage_trm", p.premium_trm);
    if (p.expires_ms <= p.created_ms)
      throw invalidField(kind, joinPath(path, "expires_ms"), "after created_ms", p.expires_ms);
  },
};

/** A signed policy as a schema record (internal; `insurance_gossip` frames). */
export const SIGNED_INSURANCE_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "policy_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
    { name: "policy", type: INSURANCE_RECORD },
    { name: "insurer_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
    { name: "insured_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
  ],
};

/** Validates an untrusted value as a policy and returns a clean copy. `ProtoError` `INVALID_MESSAGE`. */
export function parseInsurancePolicy(value: unknown): InsurancePolicy {
  return checkRecord(
    "insurance_policy",
    INSURANCE_RECORD,
    value,
    "",
    undefined,
  ) as unknown as InsurancePolicy;
}

/** Builds a validated policy (`nonce` drawn when absent). `ProtoError` `INVALID_MESSAGE`. */
export function createInsurancePolicy(
  input: Omit<InsurancePolicy, "nonce"> & { nonce?: string },
): InsurancePolicy {
  const nonce = input.nonce ?? toHex(new Uint8Array(randomBytes(INSURANCE_NONCE_BYTES)));
  return parseInsurancePolicy({ ...input, nonce });
}

/** The canonical bytes of a policy: what both parties sign and what the Merkle log hashes. */
export function insuranceCanonicalBytes(p: InsurancePolicy): Uint8Array {
  return encodeCanonical(INSURANCE_DOMAIN, [
    publicKeyFromAccountId(p.insurer),
    publicKeyFromAccountId(p.insured),
    fromHex(p.loan_id, "loan_id", TRADE_ID_BYTES),
    p.coverage_trm,
    p.premium_trm,
    p.created_ms,
    p.expires_ms,
    fromHex(p.nonce, "nonce", INSURANCE_NONCE_BYTES),
  ]);
}

/** `policy_id = hex(sha256(canonical bytes))`. */
export function computePolicyId(p: InsurancePolicy): string {
  return toHex(sha256(insuranceCanonicalBytes(p)));
}

/** Signs a policy's canonical bytes (as insurer or insured); 128 hex characters. */
export function signInsurancePolicy(p: InsurancePolicy, signer: Signer): string {
  return toHex(signer.sign(insuranceCanonicalBytes(p)));
}

/** The layout of a signed policy (`dual-signed.ts`). */
const SIGNED_POLICY = {
  kind: "signed_policy",
  id: "policy_id",
  body: "policy",
  parse: (value: unknown) => parseInsurancePolicy(value),
  canonical: (policy: InsurancePolicy) => insuranceCanonicalBytes(policy),
  signers: [
    { field: "insurer_signature", account: (policy: InsurancePolicy) => policy.insurer },
    { field: "insured_signature", account: (policy: InsurancePolicy) => policy.insured },
  ],
} as const satisfies DualSignedSpec<
  InsurancePolicy,
  "policy_id",
  "policy",
  "insurer_signature",
  "insured_signature"
>;

export type PolicySignatureFailure =
  "malformed" | "policy_id_mismatch" | "insurer_signature" | "insured_signature";

/** Checks a signed policy completely (fields, rules, id, both signatures). Returns the failure or null. */
export function checkSignedPolicy(signed: unknown): PolicySignatureFailure | null {
  return checkDualSigned(SIGNED_POLICY, signed);
}

/** Puts a policy and both signatures together and checks them. `ProtoError` `INVALID_MESSAGE` on failure. */
export function assembleSignedPolicy(
  policy: InsurancePolicy,
  insurerSignature: string,
  insuredSignature: string,
): SignedInsurancePolicy {
  return assembleDualSigned(SIGNED_POLICY, policy, insurerSignature, insuredSignature);
}

/** The derived payout record's canonical bytes (its Merkle leaf is `SHA-256(0x00 ‖ these)`). */
export function insurancePayoutCanonicalBytes(r: {
  policy_id: string;
  insurer: AccountId;
  insured: AccountId;
  coverage_trm: number;
  payout_ms: number;
}): Uint8Array {
  return encodeCanonical(INSURANCE_PAYOUT_DOMAIN, [
    fromHex(r.policy_id, "policy_id", TRADE_ID_BYTES),
    publicKeyFromAccountId(r.insurer),
    publicKeyFromAccountId(r.insured),
    r.coverage_trm,
    r.payout_ms,
  ]);
}

/** The derived expiry record's canonical bytes. */
export function insuranceExpiryCanonicalBytes(r: {
  policy_id: string;
  insurer: AccountId;
  coverage_trm: number;
  expires_ms: number;
}): Uint8Array {
  return encodeCanonical(INSURANCE_EXPIRY_DOMAIN, [
    fromHex(r.policy_id, "policy_id", TRADE_ID_BYTES),
    publicKeyFromAccountId(r.insurer),
    r.coverage_trm,
    r.expires_ms,
  ]);
}
