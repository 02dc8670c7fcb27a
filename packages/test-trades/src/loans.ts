/**
 * Dual-signed loans and borrower-signed repayments for tests, made with the real proto code.
 * @module
 */
import type { Signer } from "@tirami/core";
import {
  assembleSignedLoan,
  createLoan,
  type LoanRepayment,
  loanTotalDueTrm,
  type SignedLoan,
  signLoan,
  signLoanRepayment,
} from "@tirami/proto";

export interface LoanSpec {
  lender: Signer;
  borrower: Signer;
  principalTrm?: number;
  /** Default: ⌈principal / 3⌉, the least the loan-to-value rule allows. */
  collateralTrm?: number;
  termHours?: number;
  interestPpmPerHour?: number;
  createdMs: number;
  nonce?: string;
}

/** A loan signed by both parties (default 300 TRM for 24 h at 1,500 ppm/h). */
export function signedLoan(spec: LoanSpec): SignedLoan {
  const principal = spec.principalTrm ?? 300;
  const loan = createLoan({
    lender: spec.lender.accountId,
    borrower: spec.borrower.accountId,
    principal_trm: principal,
    collateral_trm: spec.collateralTrm ?? Math.ceil(principal / 3),
    term_hours: spec.termHours ?? 24,
    interest_ppm_per_hour: spec.interestPpmPerHour ?? 1_500,
    created_ms: spec.createdMs,
    ...(spec.nonce === undefined ? {} : { nonce: spec.nonce }),
  });
  return assembleSignedLoan(loan, signLoan(loan, spec.lender), signLoan(loan, spec.borrower));
}

/** The borrower's repayment of the total due at `timestampMs` (signed by `signer`, the borrower by default). */
export function repaymentOf(loan: SignedLoan, borrower: Signer, timestampMs: number): LoanRepayment {
  return signLoanRepayment(
    {
      loan_id: loan.loan_id,
      borrower: borrower.accountId,
      amount_trm: loanTotalDueTrm(loan.loan),
      timestamp_ms: timestampMs,
    },
    borrower,
  );
}
