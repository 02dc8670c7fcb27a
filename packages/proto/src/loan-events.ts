/**
 * What happens to a loan after both parties signed it (docs/architecture.md §4b, docs/lending.md), and
 * the lender's standing offer:
 *
 * - `loan_repayment` — signed by the borrower alone: it pays `amount_trm` (the loan's total due) back to
 *   the lender. Canonical bytes `tirami/loan-repayment/v1` [loan id, borrower key, amount_trm,
 *   timestamp_ms]; its id is their SHA-256.
 * - the default — signed by nobody: every node derives the same record from the loan alone once the
 *   default time has passed, `tirami/loan-default/v1` [loan id, borrower key, lender key, collateral_trm,
 *   burned_trm, recovered_trm, default_ms], so its Merkle leaf is the same on every node.
 * - `lend_offer` — a lender's standing offer, signed by the lender under `tirami/lend-offer/v1`:
 *   TRM available, longest term, lowest rate. The pool a node sees is the sum of live offers.
 * @module
 */
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
import { verifySigned } from "./gossip.js";
import { TRADE_ID_BYTES } from "./ids.js";
import { LOAN_RATE_PPM_PER_HOUR_MAX, LOAN_TERM_HOURS_MAX } from "./loan.js";
import { checkRecord, type Field, type RecordType, recordToCanonical } from "./schema.js";

export const LOAN_REPAYMENT_DOMAIN = "tirami/loan-repayment/v1";
export const LOAN_DEFAULT_DOMAIN = "tirami/loan-default/v1";
export const LEND_OFFER_DOMAIN = "tirami/lend-offer/v1";

/** The borrower repays a loan in full. */
export interface LoanRepayment {
  kind: "loan_repayment";
  loan_id: string;
  borrower: AccountId;
  amount_trm: number;
  timestamp_ms: number;
  signature: string;
}

/** A lender's standing offer to lend. */
export interface LendOffer {
  kind: "lend_offer";
  lender: AccountId;
  /** TRM the lender will still lend now. */
  amount_available_trm: number;
  max_term_hours: number;
  min_interest_ppm_per_hour: number;
  timestamp_ms: number;
  signature: string;
}

/** The default of a loan, as every node derives it. */
export interface LoanDefault {
  loan_id: string;
  borrower: AccountId;
  lender: AccountId;
  collateral_trm: number;
  /** Burned share of the collateral: `floor(collateral × 10 %)`. */
  burned_trm: number;
  /** The rest, paid to the lender. */
  recovered_trm: number;
  default_ms: number;
}

const account: Field["type"] = { t: "hex", bytes: PUBLIC_KEY_BYTES };
const signature: Field = { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } };
const time: Field["type"] = { t: "uint", max: Number.MAX_SAFE_INTEGER };

const REPAYMENT_BODY_FIELDS: readonly Field[] = [
  { name: "loan_id", type: { t: "hex", bytes: TRADE_ID_BYTES } },
  { name: "borrower", type: account },
  { name: "amount_trm", type: { t: "uint", min: 1, max: Number.MAX_SAFE_INTEGER } },
  { name: "timestamp_ms", type: time },
];
const LEND_OFFER_BODY_FIELDS: readonly Field[] = [
  { name: "lender", type: account },
  { name: "amount_available_trm", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
  { name: "max_term_hours", type: { t: "uint", min: 1, max: LOAN_TERM_HOURS_MAX } },
  { name: "min_interest_ppm_per_hour", type: { t: "uint", max: LOAN_RATE_PPM_PER_HOUR_MAX } },
  { name: "timestamp_ms", type: time },
];

export const LOAN_REPAYMENT_FIELDS: readonly Field[] = [...REPAYMENT_BODY_FIELDS, signature];
export const LEND_OFFER_FIELDS: readonly Field[] = [...LEND_OFFER_BODY_FIELDS, signature];

const REPAYMENT_BODY: RecordType = { t: "record", fields: REPAYMENT_BODY_FIELDS };
const LEND_OFFER_BODY: RecordType = { t: "record", fields: LEND_OFFER_BODY_FIELDS };

function signingBytes(domain: string, type: RecordType, kind: string, value: unknown): Uint8Array {
  const { kind: _kind, signature: _signature, ...rest } = (value ?? {}) as Record<string, unknown>;
  const clean = checkRecord(kind, type, rest, "", undefined);
  return encodeCanonical(domain, recordToCanonical(type, clean));
}

/** The bytes a repayment's signature covers. Throws `ProtoError` `INVALID_MESSAGE` when invalid. */
export function loanRepaymentSigningBytes(repayment: Omit<LoanRepayment, "kind" | "signature">): Uint8Array {
  return signingBytes(LOAN_REPAYMENT_DOMAIN, REPAYMENT_BODY, "loan_repayment", repayment);
}

/** Signs a repayment as its borrower. `RangeError` when `signer` is not the borrower. */
export function signLoanRepayment(
  repayment: Omit<LoanRepayment, "kind" | "signature">,
  signer: Signer,
): LoanRepayment {
  if (signer.accountId !== repayment.borrower)
    throw new RangeError(`signer ${signer.accountId} is not the repayment's borrower`);
  const bytes = loanRepaymentSigningBytes(repayment);
  const { loan_id, borrower, amount_trm, timestamp_ms } = repayment;
  return {
    kind: "loan_repayment",
    loan_id,
    borrower,
    amount_trm,
    timestamp_ms,
    signature: toHex(signer.sign(bytes)),
  };
}

/** True when the repayment is well-formed and signed by its `borrower`. Never throws. */
export function verifyLoanRepayment(repayment: unknown): boolean {
  return verifySigned(repayment, "borrower", (value) => loanRepaymentSigningBytes(value as LoanRepayment));
}

/** The repayment's id (and Merkle leaf key): hex SHA-256 of its signing bytes. */
export function loanRepaymentId(repayment: Omit<LoanRepayment, "kind" | "signature">): string {
  return toHex(sha256(loanRepaymentSigningBytes(repayment)));
}

/** The bytes a lend offer's signature covers. Throws `ProtoError` `INVALID_MESSAGE` when invalid. */
export function lendOfferSigningBytes(offer: Omit<LendOffer, "kind" | "signature">): Uint8Array {
  return signingBytes(LEND_OFFER_DOMAIN, LEND_OFFER_BODY, "lend_offer", offer);
}

/** Signs a lend offer as its lender. `RangeError` when `signer` is not the lender. */
export function signLendOffer(offer: Omit<LendOffer, "kind" | "signature">, signer: Signer): LendOffer {
  if (signer.accountId !== offer.lender) throw new RangeError(`signer ${signer.accountId} is not the lender`);
  const bytes = lendOfferSigningBytes(offer);
  const { lender, amount_available_trm, max_term_hours, min_interest_ppm_per_hour, timestamp_ms } = offer;
  return {
    kind: "lend_offer",
    lender,
    amount_available_trm,
    max_term_hours,
    min_interest_ppm_per_hour,
    timestamp_ms,
    signature: toHex(signer.sign(bytes)),
  };
}

/** True when the offer is well-formed and signed by its `lender`. Never throws. */
export function verifyLendOffer(offer: unknown): boolean {
  return verifySigned(offer, "lender", (value) => lendOfferSigningBytes(value as LendOffer));
}

/** Dedup id of a lend offer: hex SHA-256 of its signing bytes. */
export function lendOfferId(offer: LendOffer): string {
  return toHex(sha256(lendOfferSigningBytes(offer)));
}

/** The canonical bytes of a default (its Merkle leaf is `SHA-256(0x00 ‖ these)`). */
export function loanDefaultCanonicalBytes(record: LoanDefault): Uint8Array {
  return encodeCanonical(LOAN_DEFAULT_DOMAIN, [
    fromHex(record.loan_id, "loan_id", TRADE_ID_BYTES),
    publicKeyFromAccountId(record.borrower),
    publicKeyFromAccountId(record.lender),
    record.collateral_trm,
    record.burned_trm,
    record.recovered_trm,
    record.default_ms,
  ]);
}
