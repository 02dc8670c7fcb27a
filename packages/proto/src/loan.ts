/**
 * The loan: a contract between a lender and a borrower node, signed by both (docs/architecture.md §4b,
 * docs/lending.md). Canonical bytes are `encodeCanonical("tirami/loan/v1", [lender key, borrower key,
 * principal_trm, interest_ppm_per_hour, term_hours, collateral_trm, created_ms, due_ms, nonce])`;
 * `loan_id = sha256(canonical bytes)`. Both parties sign the canonical bytes with Ed25519.
 *
 * The contract rules every node enforces the same way live here, in the schema: principal and collateral
 * ≥ 1 TRM, principal ≤ 3 × collateral (LTV), 1 ≤ term_hours ≤ 168, `due_ms = created_ms + term_hours ×
 * 3,600,000`, lender ≠ borrower, and a total due that is a safe integer. Upstream signed a fixed struct with
 * a float rate and one throwaway key in both slots (docs/upstream.md §5.2, §5.6); here the rate is an
 * integer (parts per million per hour), so interest is exact integer arithmetic on every node.
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

export const LOAN_DOMAIN = "tirami/loan/v1";
export const LOAN_NONCE_BYTES = 16;
/** Longest term a loan may have (docs/upstream.md §5.1 `MAX_LOAN_TERM_HOURS`). */
export const LOAN_TERM_HOURS_MAX = 168;
/** Highest principal : collateral ratio (docs/upstream.md §5.1 `MAX_LTV_RATIO`). */
export const LOAN_LTV_MAX = 3;
/** Interest rates are integers in parts per million per hour; 1,000 ppm/h = 0.1 %/h. */
export const PPM = 1_000_000;
/** Highest rate the wire accepts: 10 % per hour (upstream's offered rates span 0.1–0.6 %/h). */
export const LOAN_RATE_PPM_PER_HOUR_MAX = 100_000;
export const HOUR_MS = 3_600_000;

/** The fields both parties sign. JSON-shaped (snake_case), as stored and sent on the wire. */
export interface Loan {
  lender: AccountId;
  borrower: AccountId;
  principal_trm: number;
  /** Simple interest for the whole term: `floor(principal × rate × term_hours / 10^6)`. */
  interest_ppm_per_hour: number;
  term_hours: number;
  /** Held on the borrower while the loan is active. */
  collateral_trm: number;
  created_ms: number;
  /** `created_ms + term_hours × 3,600,000`. */
  due_ms: number;
  /** 16 random bytes as 32 lowercase hex characters. */
  nonce: string;
}

/** A loan with its id and both signatures. */
export interface SignedLoan {
  loan_id: string;
  loan: Loan;
  lender_signature: string;
  borrower_signature: string;
}

/** `floor(principal × ppm × term_hours / 10^6)`, computed exactly. */
export function loanInterestTrm(
  loan: Pick<Loan, "principal_trm" | "interest_ppm_per_hour" | "term_hours">,
): number {
  const product = BigInt(loan.principal_trm) * BigInt(loan.interest_ppm_per_hour) * BigInt(loan.term_hours);
  const interest = product / BigInt(PPM);
  if (interest > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("loan interest exceeds 2^53 − 1");
  return Number(interest);
}

/** Principal plus the full term's interest: what the borrower repays (no pro-rating, as upstream). */
export function loanTotalDueTrm(
  loan: Pick<Loan, "principal_trm" | "interest_ppm_per_hour" | "term_hours">,
): number {
  const total = loan.principal_trm + loanInterestTrm(loan);
  if (!Number.isSafeInteger(total)) throw new RangeError("loan total due exceeds 2^53 − 1");
  return total;
}

/** `ceil(principal / LTV)`: the least collateral a principal needs. */
export function minCollateralTrm(principalTrm: number): number {
  return Math.ceil(principalTrm / LOAN_LTV_MAX);
}

const amount = { t: "uint", min: 1, max: Number.MAX_SAFE_INTEGER } as const;
const time = { t: "uint", max: Number.MAX_SAFE_INTEGER } as const;

/** The loan as a schema record, fields in canonical order, with the contract rules (internal). */
export const LOAN_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "lender", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "borrower", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
    { name: "principal_trm", type: amount },
    { name: "interest_ppm_per_hour", type: { t: "uint", max: LOAN_RATE_PPM_PER_HOUR_MAX } },
    { name: "term_hours", type: { t: "uint", min: 1, max: LOAN_TERM_HOURS_MAX } },
    { name: "collateral_trm", type: amount },
    { name: "created_ms", type: time },
    { name: "due_ms", type: time },
    { name: "nonce", type: { t: "hex", bytes: LOAN_NONCE_BYTES } },
  ],
  refine(value, kind, path) {
    const loan = value as unknown as Loan;
    if (loan.lender === loan.borrower)
      throw invalidField(kind, joinPath(path, "borrower"), "a different account from lender");
    if (loan.principal_trm > loan.collateral_trm * LOAN_LTV_MAX)
      throw invalidField(
        kind,
        joinPath(path, "collateral_trm"),
        `at least principal / ${LOAN_LTV_MAX} (loan-to-value ≤ ${LOAN_LTV_MAX})`,
        loan.collateral_trm,
      );
    if (loan.due_ms !== loan.created_ms + loan.term_hours * HOUR_MS)
      throw invalidField(kind, joinPath(path, "due_ms"), "created_ms + term_hours × 3,600,000", loan.due_ms);
    let total: number;
    try {
      total = loanTotalDueTrm(loan);
    } catch {
      total = Number.NaN;
    }
    if (!Number.isSafeInteger(total))
      throw invalidField(kind, joinPath(path, "principal_trm"), "a total due below 2^53", loan.principal_trm);
  },
};

/** A signed loan as a schema record (internal; `loan_gossip` frames). */
export const SIGNED_LOAN_RECORD: RecordType = {
  t: "record",
  fields: [
    { name: "loan_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
    { name: "loan", type: LOAN_RECORD },
    { name: "lender_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
    { name: "borrower_signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
  ],
};

/**
 * Validates an untrusted value as a `Loan` (fields and contract rules) and returns a clean copy. Throws
 * `ProtoError` `INVALID_MESSAGE` naming the first bad field in `details.field`.
 */
export function parseLoan(value: unknown): Loan {
  return checkRecord("loan", LOAN_RECORD, value, "", undefined) as unknown as Loan;
}

/** The fields of a new loan: `due_ms` is derived, `nonce` drawn when absent. */
export type LoanInput = Omit<Loan, "nonce" | "due_ms"> & { nonce?: string };

/** Builds a validated loan. Throws `ProtoError` `INVALID_MESSAGE` naming the bad field. */
export function createLoan(input: LoanInput): Loan {
  const nonce = input.nonce ?? toHex(new Uint8Array(randomBytes(LOAN_NONCE_BYTES)));
  const dueMs =
    Number.isSafeInteger(input.created_ms) && Number.isSafeInteger(input.term_hours)
      ? input.created_ms + input.term_hours * HOUR_MS
      : -1;
  return parseLoan({ ...input, nonce, due_ms: dueMs });
}

/** The canonical bytes of a loan: what both parties sign and what the Merkle log hashes. */
export function loanCanonicalBytes(loan: Loan): Uint8Array {
  return encodeCanonical(LOAN_DOMAIN, [
    publicKeyFromAccountId(loan.lender),
    publicKeyFromAccountId(loan.borrower),
    loan.principal_trm,
    loan.interest_ppm_per_hour,
    loan.term_hours,
    loan.collateral_trm,
    loan.created_ms,
    loan.due_ms,
    fromHex(loan.nonce, "nonce", LOAN_NONCE_BYTES),
  ]);
}

/** `loan_id = hex(sha256(canonical bytes))`. */
export function computeLoanId(loan: Loan): string {
  return toHex(sha256(loanCanonicalBytes(loan)));
}

/** Signs a loan's canonical bytes (as lender or borrower); 128 hex characters. */
export function signLoan(loan: Loan, signer: Signer): string {
  return toHex(signer.sign(loanCanonicalBytes(loan)));
}

/** The layout of a signed loan (`dual-signed.ts`). */
const SIGNED_LOAN = {
  kind: "signed_loan",
  id: "loan_id",
  body: "loan",
  parse: (value: unknown) => parseLoan(value),
  canonical: (loan: Loan) => loanCanonicalBytes(loan),
  signers: [
    { field: "lender_signature", account: (loan: Loan) => loan.lender },
    { field: "borrower_signature", account: (loan: Loan) => loan.borrower },
  ],
} as const satisfies DualSignedSpec<Loan, "loan_id", "loan", "lender_signature", "borrower_signature">;

export type LoanSignatureFailure =
  "malformed" | "loan_id_mismatch" | "lender_signature" | "borrower_signature";

/**
 * Checks a signed loan completely: fields and contract rules (`parseLoan`), that `loan_id` matches, and
 * both signatures against the lender's and borrower's own keys. Returns the failure or null. Never throws.
 */
export function checkSignedLoan(signed: unknown): LoanSignatureFailure | null {
  return checkDualSigned(SIGNED_LOAN, signed);
}

/**
 * Puts a loan and both signatures together with its id and checks the result. Throws `ProtoError`
 * `INVALID_MESSAGE` with `details.failure` when anything does not verify.
 */
export function assembleSignedLoan(
  loan: Loan,
  lenderSignature: string,
  borrowerSignature: string,
): SignedLoan {
  return assembleDualSigned(SIGNED_LOAN, loan, lenderSignature, borrowerSignature);
}
