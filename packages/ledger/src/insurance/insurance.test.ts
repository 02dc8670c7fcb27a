/**
 * Proves insurance on loans on a real SQLite ledger (docs/bank.md): a policy moves its premium insured →
 * insurer and holds the coverage on the insurer; the loan's default pays the coverage to the insured in
 * the default's own transaction; a repaid loan's policy releases the coverage at expiry; a policy that
 * arrives after its loan's default is paid on arrival, so two ledgers that saw the events in different
 * orders reach the same root and balances; tampered, half-signed, mis-addressed and unfunded policies are
 * refused with typed codes and change nothing; verify() re-checks it all and finds a forged status.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock, type Signer } from "@tirami/core";
import {
  assembleSignedPolicy,
  createInsurancePolicy,
  HOUR_MS,
  type SignedInsurancePolicy,
  type SignedLoan,
  signInsurancePolicy,
} from "@tirami/proto";
import { tempDir } from "@tirami/test-kit";
import { repaymentOf, signedLoan, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "../ledger.js";
import { LOAN_DEFAULT_GRACE_MS } from "../loans/constants.js";

const T0 = 1_800_000_000_000;
const lender = signerFor("ins-lender");
const borrower = signerFor("ins-borrower");
const insurer = signerFor("ins-insurer");
const opened: Ledger[] = [];
afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
});

function ledgerAt(clock: ManualClock): Ledger {
  const ledger = openLedger({
    path: `${tempDir("insurance")}/ledger.db`,
    clock,
    localAccount: insurer.accountId,
  });
  opened.push(ledger);
  return ledger;
}

function policyOn(
  loan: SignedLoan,
  o: { coverageTrm?: number; premiumTrm?: number; expiresMs?: number; insured?: Signer; by?: Signer } = {},
): SignedInsurancePolicy {
  const insured = o.insured ?? lender;
  const policy = createInsurancePolicy({
    insurer: insurer.accountId,
    insured: insured.accountId,
    loan_id: loan.loan_id,
    coverage_trm: o.coverageTrm ?? 300,
    premium_trm: o.premiumTrm ?? 21,
    created_ms: loan.loan.created_ms + 1,
    expires_ms: o.expiresMs ?? loan.loan.due_ms + 2 * HOUR_MS,
    nonce: "ab".repeat(16),
  });
  return assembleSignedPolicy(
    policy,
    signInsurancePolicy(policy, insurer),
    signInsurancePolicy(policy, o.by ?? insured),
  );
}

const money = (ledger: Ledger) =>
  [lender, borrower, insurer].map((s) => {
    const b = ledger.balance(s.accountId);
    return [b.balance_trm, b.reserved_trm];
  });

describe("insurance on a loan", () => {
  it("premium at creation, coverage held; the default pays the insured; verify agrees", () => {
    const clock = createManualClock(T0);
    const ledger = ledgerAt(clock);
    const loan = signedLoan({ lender, borrower, principalTrm: 300, termHours: 1, createdMs: T0 });
    ledger.loans.applySignedLoan(loan);
    const policy = policyOn(loan);
    expect(ledger.insurance.applySignedPolicy(policy)).toEqual({
      status: "applied",
      policy_id: policy.policy_id,
    });
    expect(ledger.insurance.applySignedPolicy(policy).status).toBe("exists");
    expect(money(ledger)).toEqual([
      [700 - 21, 0],
      [1_300, 100],
      [1_021, 300],
    ]);
    expect(ledger.insurance.exposure(insurer.accountId)).toMatchObject({
      insurer_coverage_trm: 300,
      insurer_count: 1,
    });
    clock.advanceMs(HOUR_MS + LOAN_DEFAULT_GRACE_MS + 60_000);
    expect(ledger.loans.applyDueDefaults().map((l) => l.loan_id)).toEqual([loan.loan_id]);
    expect(ledger.insurance.get(policy.policy_id)).toMatchObject({
      status: "paid",
      closed_ms: loan.loan.due_ms + LOAN_DEFAULT_GRACE_MS,
    });
    // The lender: −principal − premium + 90 % of the collateral + the coverage.
    expect(money(ledger)).toEqual([
      [700 - 21 + 90 + 300, 0],
      [1_300 - 90 - 10, 0],
      [1_021 - 300, 0],
    ]);
    expect(ledger.insurance.events(policy.policy_id).map((e) => e.kind)).toEqual(["created", "paid"]);
    const report = ledger.verify();
    expect(report.issues).toEqual([]);
    expect(report.root).toBe(ledger.merkleRoot());
    expect(report.counts).toMatchObject({ insurance_policies: 1, insurance_events: 2 });
  });

  it("a repaid loan's policy releases the coverage at expiry, not before", () => {
    const clock = createManualClock(T0);
    const ledger = ledgerAt(clock);
    const loan = signedLoan({ lender, borrower, principalTrm: 300, termHours: 1, createdMs: T0 });
    ledger.loans.applySignedLoan(loan);
    const policy = policyOn(loan);
    ledger.insurance.applySignedPolicy(policy);
    ledger.loans.applyRepayment(repaymentOf(loan, borrower, T0 + 60_000));
    expect(ledger.insurance.applyDueExpiries(policy.policy.expires_ms - 1)).toEqual([]);
    expect(ledger.insurance.applyDueExpiries(policy.policy.expires_ms)).toMatchObject([
      { policy_id: policy.policy_id, status: "expired" },
    ]);
    expect(ledger.balance(insurer.accountId)).toMatchObject({ balance_trm: 1_021, reserved_trm: 0 });
    expect(ledger.verify().issues).toEqual([]);
  });

  it("an active loan due to default before the expiry keeps its policy until the default pays it", () => {
    const clock = createManualClock(T0);
    const ledger = ledgerAt(clock);
    const loan = signedLoan({ lender, borrower, principalTrm: 300, termHours: 1, createdMs: T0 });
    ledger.loans.applySignedLoan(loan);
    const policy = policyOn(loan, { expiresMs: loan.loan.due_ms + LOAN_DEFAULT_GRACE_MS });
    ledger.insurance.applySignedPolicy(policy);
    expect(ledger.insurance.applyDueExpiries(policy.policy.expires_ms + 10)).toEqual([]);
    clock.advanceMs(3 * HOUR_MS);
    ledger.loans.applyDueDefaults();
    expect(ledger.insurance.get(policy.policy_id)?.status).toBe("paid");
  });

  it("arrival order cannot change the verdict: a policy after the default is paid on arrival", () => {
    const clocks = [createManualClock(T0), createManualClock(T0)];
    const [first, second] = clocks.map(ledgerAt) as [Ledger, Ledger];
    const loan = signedLoan({ lender, borrower, principalTrm: 300, termHours: 1, createdMs: T0 });
    const policy = policyOn(loan);
    first.loans.applySignedLoan(loan);
    first.insurance.applySignedPolicy(policy);
    second.loans.applySignedLoan(loan);
    for (const clock of clocks) clock.advanceMs(HOUR_MS + LOAN_DEFAULT_GRACE_MS + 60_000);
    first.loans.applyDueDefaults();
    second.loans.applyDueDefaults();
    second.insurance.applySignedPolicy(policy, { nowMs: policy.policy.created_ms });
    expect(second.insurance.get(policy.policy_id)?.status).toBe("paid");
    expect(second.merkleRoot()).toBe(first.merkleRoot());
    expect(money(second)).toEqual(money(first));
    for (const l of [first, second]) expect(l.verify().issues).toEqual([]);
  });

  it("refuses tampered, half-signed, mis-addressed and unfunded policies and changes nothing", () => {
    const ledger = ledgerAt(createManualClock(T0));
    const loan = signedLoan({ lender, borrower, principalTrm: 300, createdMs: T0 });
    ledger.loans.applySignedLoan(loan);
    const before = { root: ledger.merkleRoot(), money: money(ledger) };
    const good = policyOn(loan);
    const cases: [unknown, string][] = [
      [{ ...good, policy: { ...good.policy, coverage_trm: 301 } }, "POLICY_SIGNATURE_INVALID"],
      [{ ...good, insured_signature: good.insurer_signature }, "POLICY_SIGNATURE_INVALID"],
      [{ ...good, insured_signature: undefined }, "POLICY_INVALID"],
      [policyOn(loan, { insured: borrower }), "POLICY_INVALID"],
      [policyOn(loan, { coverageTrm: 5_000, premiumTrm: 10 }), "INSUFFICIENT_BALANCE"],
      [policyOn(signedLoan({ lender, borrower, createdMs: T0 + 9 })), "LOAN_NOT_FOUND"],
    ];
    for (const [value, code] of cases)
      expect(() => ledger.insurance.applySignedPolicy(value), code).toThrow(
        expect.objectContaining({ code }),
      );
    expect({ root: ledger.merkleRoot(), money: money(ledger) }).toEqual(before);
    expect(ledger.verify().issues).toEqual([]);
  });

  it("verify() finds a policy whose stored status was forged", () => {
    const ledger = ledgerAt(createManualClock(T0));
    const loan = signedLoan({ lender, borrower, createdMs: T0 });
    ledger.loans.applySignedLoan(loan);
    const policy = policyOn(loan);
    ledger.insurance.applySignedPolicy(policy);
    ledger.sqlite.exec("DROP TRIGGER insurance_terms_fixed");
    ledger.sqlite
      .prepare("UPDATE insurance_policies SET status = 'paid' WHERE policy_id = ?")
      .run(policy.policy_id);
    expect(ledger.verify().issues.map((i) => i.kind)).toContain("policy_event");
  });
});
