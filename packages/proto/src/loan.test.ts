/**
 * Proves the loan contract's rules live in its bytes: both signatures and the id verify only for the exact
 * loan, every contract rule (LTV, term, due time, parties, total due) is refused at parse time, interest is
 * exact integer arithmetic, and repayments and lend offers verify only under their own signer.
 */
import { createSigner, sha256, toHex } from "@tirami/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consumer, loan, provider, signedLoan, stranger } from "../test/fixtures.js";
import {
  assembleSignedLoan,
  checkSignedLoan,
  computeLoanId,
  createLoan,
  HOUR_MS,
  loanCanonicalBytes,
  loanInterestTrm,
  loanTotalDueTrm,
  minCollateralTrm,
  parseLoan,
  signLoan,
} from "./loan.js";
import {
  lendOfferId,
  signLendOffer,
  signLoanRepayment,
  verifyLendOffer,
  verifyLoanRepayment,
} from "./loan-events.js";

describe("signed loans", () => {
  it("verify only with both parties' signatures over the exact bytes", () => {
    expect(checkSignedLoan(signedLoan)).toBeNull();
    expect(signedLoan.loan_id).toBe(toHex(sha256(loanCanonicalBytes(loan))));
    const oneParty = { ...signedLoan, borrower_signature: signedLoan.lender_signature };
    expect(checkSignedLoan(oneParty)).toBe("borrower_signature");
    const tampered = { ...signedLoan, loan: { ...loan, principal_trm: loan.principal_trm - 1 } };
    expect(checkSignedLoan(tampered)).toBe("loan_id_mismatch");
    const reId = { ...tampered, loan_id: computeLoanId(tampered.loan) };
    expect(checkSignedLoan(reId)).toBe("lender_signature");
    const byStranger = { ...signedLoan, lender_signature: signLoan(loan, stranger) };
    expect(checkSignedLoan(byStranger)).toBe("lender_signature");
    expect(checkSignedLoan(null)).toBe("malformed");
    expect(() => assembleSignedLoan(loan, signLoan(loan, provider), signLoan(loan, stranger))).toThrow(
      /borrower signature/,
    );
  });

  it("refuse every broken contract rule at parse time, naming the field", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ collateral_trm: 99 }, "collateral_trm"], // 300 > 3 × 99
      [{ term_hours: 169, due_ms: loan.created_ms + 169 * HOUR_MS }, "term_hours"],
      [{ due_ms: loan.due_ms + 1 }, "due_ms"],
      [{ borrower: loan.lender }, "borrower"],
      [{ principal_trm: 0 }, "principal_trm"],
      [{ principal_trm: 2 ** 52, collateral_trm: 2 ** 52, interest_ppm_per_hour: 100_000 }, "principal_trm"],
    ];
    for (const [change, field] of cases) {
      expect(() => parseLoan({ ...loan, ...change }), field).toThrow(
        expect.objectContaining({ details: expect.objectContaining({ field }) }),
      );
    }
  });

  it("compute interest exactly: floor(principal × ppm × hours / 10^6)", () => {
    expect(loanInterestTrm(loan)).toBe(Math.floor((300 * 1_500 * 24) / 1_000_000)); // 10
    expect(loanTotalDueTrm(loan)).toBe(310);
    expect(minCollateralTrm(301)).toBe(101);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 168 }),
        (principal, ppm, hours) => {
          const exact = (BigInt(principal) * BigInt(ppm) * BigInt(hours)) / 1_000_000n;
          const interest = loanInterestTrm({
            principal_trm: principal,
            interest_ppm_per_hour: ppm,
            term_hours: hours,
          });
          return BigInt(interest) === exact && Number.isSafeInteger(interest);
        },
      ),
    );
  });

  it("createLoan derives due_ms and draws a fresh nonce", () => {
    const input = { ...loan, nonce: undefined };
    const a = createLoan(input);
    const b = createLoan(input);
    expect(a.due_ms).toBe(loan.created_ms + 24 * HOUR_MS);
    expect(a.nonce).not.toBe(b.nonce);
  });
});

describe("repayments and lend offers", () => {
  it("verify only under their own signer", () => {
    const body = {
      loan_id: signedLoan.loan_id,
      borrower: consumer.accountId,
      amount_trm: 310,
      timestamp_ms: 1,
    };
    const repayment = signLoanRepayment(body, consumer);
    expect(verifyLoanRepayment(repayment)).toBe(true);
    expect(verifyLoanRepayment({ ...repayment, amount_trm: 311 })).toBe(false);
    expect(verifyLoanRepayment({ ...repayment, borrower: provider.accountId })).toBe(false);
    expect(() => signLoanRepayment(body, provider)).toThrow(RangeError);
    const offer = signLendOffer(
      {
        lender: provider.accountId,
        amount_available_trm: 10,
        max_term_hours: 24,
        min_interest_ppm_per_hour: 0,
        timestamp_ms: 5,
      },
      provider,
    );
    expect(verifyLendOffer(offer)).toBe(true);
    expect(verifyLendOffer({ ...offer, amount_available_trm: 11 })).toBe(false);
    expect(lendOfferId(offer)).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyLendOffer({ ...offer, lender: createSigner(new Uint8Array(32).fill(9)).accountId })).toBe(
      false,
    );
  });
});
