/**
 * Proves the loan life cycle on a real SQLite ledger: a loan holds collateral and moves principal, a
 * repayment moves principal + interest back and frees the collateral, a default seizes it (burn journalled,
 * reputation lowered) and refuses a later repayment; hostile loans and repayments are refused with their
 * typed codes and change nothing; verify() re-checks everything from storage and the root covers loan events.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, type Signer } from "@tirami/core";
import { computeLoanId, HOUR_MS, loanTotalDueTrm, signLoan } from "@tirami/proto";
import { tempDir } from "@tirami/test-kit";
import { repaymentOf, signedLoan, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "../ledger.js";
import { LOAN_DEFAULT_GRACE_MS } from "./constants.js";
import { LOAN_DEFAULT_SETTLE_MS } from "./book.js";

const T0 = 1_800_000_000_000;
const lender = signerFor("lender");
const borrower = signerFor("borrower");
const stranger = signerFor("stranger");
const opened: Ledger[] = [];

function ledgerAt(clock = createManualClock(T0), localAccount: Signer = lender): Ledger {
  const ledger = openLedger({
    path: `${tempDir("loans")}/ledger.db`,
    clock,
    localAccount: localAccount.accountId,
  });
  opened.push(ledger);
  return ledger;
}

afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
});

function snapshot(ledger: Ledger) {
  return {
    root: ledger.merkleRoot(),
    lender: ledger.balance(lender.accountId),
    borrower: ledger.balance(borrower.accountId),
    loans: ledger.loans.list(),
  };
}

describe("a loan's life", () => {
  it("create → repay: collateral held then freed, principal out and principal + interest back", () => {
    const clock = createManualClock(T0);
    const ledger = ledgerAt(clock);
    const loan = signedLoan({ lender, borrower, principalTrm: 300, collateralTrm: 100, createdMs: T0 });
    const rootBefore = ledger.merkleRoot();
    expect(ledger.loans.applySignedLoan(loan)).toEqual({ status: "applied", loan_id: loan.loan_id });
    expect(ledger.loans.applySignedLoan(loan)).toEqual({ status: "exists", loan_id: loan.loan_id });
    expect(ledger.balance(lender.accountId).balance_trm).toBe(700);
    const b = ledger.balance(borrower.accountId);
    expect([b.balance_trm, b.reserved_trm, b.effective_balance_trm]).toEqual([1_300, 100, 1_200]);
    expect(ledger.merkleRoot()).not.toBe(rootBefore);
    expect(ledger.proof(loan.loan_id).leaf_index).toBe(0);

    clock.advanceMs(HOUR_MS);
    const due = loanTotalDueTrm(loan.loan); // 300 + floor(300 × 1,500 × 24 / 10^6) = 310
    expect(due).toBe(310);
    const result = ledger.loans.applyRepayment(repaymentOf(loan, borrower, clock.nowMs()));
    expect(result.status).toBe("applied");
    expect(ledger.balance(lender.accountId).balance_trm).toBe(1_010);
    const after = ledger.balance(borrower.accountId);
    expect([after.balance_trm, after.reserved_trm]).toEqual([990, 0]);
    expect(ledger.loans.get(loan.loan_id)?.status).toBe("repaid");
    expect(ledger.loans.events(loan.loan_id).map((e) => e.kind)).toEqual(["created", "repaid"]);
    const report = ledger.verify();
    expect(report.issues).toEqual([]);
    expect(report.root).toBe(ledger.merkleRoot());
    expect(report.counts.loan_events).toBe(2);
    // Nothing is applied twice.
    expect(ledger.loans.applyRepayment(repaymentOf(loan, borrower, clock.nowMs())).status).toBe("exists");
    expect(ledger.balance(lender.accountId).balance_trm).toBe(1_010);
  });

  it("default at due + grace: collateral seized, 10 % burned and journalled, reputation lowered, later repayment refused", () => {
    const clock = createManualClock(T0);
    const ledger = ledgerAt(clock);
    const loan = signedLoan({
      lender,
      borrower,
      principalTrm: 300,
      collateralTrm: 200,
      termHours: 2,
      createdMs: T0,
    });
    ledger.loans.applySignedLoan(loan);
    const reputationBefore = ledger.reputation.get(borrower.accountId).score;
    clock.advanceMs(2 * HOUR_MS + LOAN_DEFAULT_GRACE_MS - 1);
    expect(ledger.loans.applyDueDefaults()).toEqual([]);
    clock.advanceMs(1);
    const defaulted = ledger.loans.applyDueDefaults();
    expect(defaulted.map((l) => [l.loan_id, l.status])).toEqual([[loan.loan_id, "defaulted"]]);
    expect(ledger.balance(lender.accountId).balance_trm).toBe(700 + 180);
    const b = ledger.balance(borrower.accountId);
    expect([b.balance_trm, b.reserved_trm]).toEqual([1_300 - 200, 0]);
    expect(
      ledger
        .journal(borrower.accountId)
        .filter((e) => e.kind === "burn")
        .map((e) => e.amount_trm),
    ).toEqual([20]);
    expect(ledger.reputation.get(borrower.accountId).score).toBeLessThan(reputationBefore);
    const report = ledger.verify();
    expect(report.issues).toEqual([]);
    expect(report.totals.burned_trm).toBe(20);
    expect(report.totals.balance_trm).toBe(report.totals.free_tier_trm - 20);
    expect(() =>
      ledger.loans.applyRepayment(repaymentOf(loan, borrower, T0 + HOUR_MS), { nowMs: T0 + HOUR_MS }),
    ).toThrow(expect.objectContaining({ code: "LOAN_NOT_ACTIVE" }));
    expect(() => ledger.loans.applyRepayment(repaymentOf(loan, borrower, clock.nowMs()))).toThrow(
      expect.objectContaining({ code: "REPAYMENT_LATE" }),
    );
    expect(ledger.loans.applyDueDefaults()).toEqual([]);
  });

  it("a loan learned late is not defaulted before it has been known for the settle time", () => {
    const clock = createManualClock(T0 + 30 * HOUR_MS);
    const ledger = ledgerAt(clock);
    const loan = signedLoan({ lender, borrower, termHours: 1, createdMs: T0 });
    ledger.loans.applySignedLoan(loan, { nowMs: T0 });
    expect(ledger.loans.applyDueDefaults()).toEqual([]);
    ledger.loans.applyRepayment(repaymentOf(loan, borrower, T0 + 10), { nowMs: T0 + 10 });
    clock.advanceMs(LOAN_DEFAULT_SETTLE_MS);
    expect(ledger.loans.applyDueDefaults()).toEqual([]);
    expect(ledger.loans.get(loan.loan_id)?.status).toBe("repaid");
  });

  it("the collateral cannot be spent while the loan is active", () => {
    const ledger = ledgerAt();
    ledger.loans.applySignedLoan(
      signedLoan({ lender, borrower, principalTrm: 300, collateralTrm: 1_000, createdMs: T0 }),
    );
    expect(ledger.balance(borrower.accountId).effective_balance_trm).toBe(300);
    expect(() => ledger.reserve({ account: borrower.accountId, amountTrm: 301, reason: "spend" })).toThrow(
      expect.objectContaining({ code: "INSUFFICIENT_BALANCE" }),
    );
    const hold = ledger.listHolds(borrower.accountId)[0]!;
    expect(() => ledger.release(hold.hold_id)).toThrow(expect.objectContaining({ code: "HOLD_NOT_FOUND" }));
  });

  it("a borrower who signed two repayments ends with the earlier one on every node", () => {
    const a = ledgerAt();
    const b = ledgerAt();
    const loan = signedLoan({ lender, borrower, createdMs: T0 });
    const early = repaymentOf(loan, borrower, T0 + 1_000);
    const late = repaymentOf(loan, borrower, T0 + 2_000);
    for (const ledger of [a, b]) ledger.loans.applySignedLoan(loan);
    a.loans.applyRepayment(early);
    a.loans.applyRepayment(late);
    b.loans.applyRepayment(late);
    b.loans.applyRepayment(early);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(a.verify().issues).toEqual([]);
    expect(b.verify().issues).toEqual([]);
  });
});

describe("hostile loans and repayments change nothing", () => {
  it("are refused with their typed codes", () => {
    const ledger = ledgerAt();
    const loan = signedLoan({ lender, borrower, createdMs: T0 });
    const before = snapshot(ledger);
    const oneSigned = { ...loan, borrower_signature: loan.lender_signature };
    const tampered = { ...loan, loan: { ...loan.loan, principal_trm: 299 } };
    const tamperedWithId = { ...tampered, loan_id: computeLoanId(tampered.loan) };
    const overLtv = { ...loan, loan: { ...loan.loan, collateral_trm: 99 } };
    const stale = signedLoan({ lender, borrower, createdMs: T0 - 2 * HOUR_MS });
    const cases: [unknown, string][] = [
      [oneSigned, "LOAN_SIGNATURE_INVALID"],
      [tampered, "LOAN_SIGNATURE_INVALID"],
      [tamperedWithId, "LOAN_SIGNATURE_INVALID"],
      [overLtv, "LOAN_INVALID"],
      [stale, "LOAN_STALE"],
      [{ ...loan, lender_signature: signLoan(loan.loan, stranger) }, "LOAN_SIGNATURE_INVALID"],
      [null, "LOAN_INVALID"],
    ];
    for (const [value, code] of cases)
      expect(() => ledger.loans.applySignedLoan(value), code).toThrow(expect.objectContaining({ code }));
    const poor = signedLoan({ lender, borrower, principalTrm: 1_500, collateralTrm: 500, createdMs: T0 });
    expect(() => ledger.loans.applySignedLoan(poor)).toThrow(
      expect.objectContaining({
        code: "INSUFFICIENT_BALANCE",
        details: expect.objectContaining({ role: "lender" }),
      }),
    );
    expect(snapshot(ledger)).toEqual(before);

    ledger.loans.applySignedLoan(loan);
    const applied = snapshot(ledger);
    const repayments: [unknown, string][] = [
      [repaymentOf(loan, stranger, T0 + 1), "REPAYMENT_INVALID"],
      [{ ...repaymentOf(loan, borrower, T0 + 1), amount_trm: 309 }, "REPAYMENT_INVALID"],
      [repaymentOf(loan, borrower, loan.loan.due_ms + 1), "REPAYMENT_LATE"],
      [repaymentOf(signedLoan({ lender, borrower, createdMs: T0 + 5 }), borrower, T0 + 6), "LOAN_NOT_FOUND"],
    ];
    for (const [value, code] of repayments)
      expect(() => ledger.loans.applyRepayment(value), code).toThrow(expect.objectContaining({ code }));
    expect(snapshot(ledger)).toEqual(applied);
    expect(ledger.verify().ok).toBe(true);
  });

  it("verify() finds a loan whose stored status was forged", () => {
    const ledger = ledgerAt();
    const loan = signedLoan({ lender, borrower, createdMs: T0 });
    ledger.loans.applySignedLoan(loan);
    ledger.sqlite.exec("DROP TRIGGER loans_terms_fixed");
    ledger.sqlite.prepare("UPDATE loans SET status = 'repaid' WHERE loan_id = ?").run(loan.loan_id);
    const report = ledger.verify();
    expect(report.ok).toBe(false);
    expect(report.issues.map((i) => i.kind)).toContain("loan_event");
  });
});

describe("exposure", () => {
  it("sums an account's active loans by role and drops them once repaid or defaulted", () => {
    const clock = createManualClock(T0);
    const ledger = ledgerAt(clock);
    const out = signedLoan({ lender, borrower, principalTrm: 300, createdMs: T0 });
    const back = signedLoan({
      lender: borrower,
      borrower: lender,
      principalTrm: 90,
      collateralTrm: 40,
      createdMs: T0 + 1,
    });
    ledger.loans.applySignedLoan(out);
    ledger.loans.applySignedLoan(back);
    expect(ledger.loans.exposure(lender.accountId)).toEqual({
      lent_trm: 300,
      lent_count: 1,
      borrowed_trm: 90,
      borrowed_count: 1,
      borrowed_due_trm: loanTotalDueTrm(back.loan),
      collateral_held_trm: 40,
      largest_lent_trm: 300,
      lent_square_sum: 90_000,
    });
    expect(ledger.loans.exposure(stranger.accountId)).toMatchObject({ lent_trm: 0, borrowed_trm: 0 });
    ledger.loans.applyRepayment(repaymentOf(out, borrower, T0 + 2));
    expect(ledger.loans.exposure(lender.accountId)).toMatchObject({
      lent_trm: 0,
      lent_count: 0,
      borrowed_trm: 90,
    });
  });
});
