/**
 * Property tests of the bank's two promises (docs/bank.md):
 * - no tick can plan to move more than the bank's policy allows: for any strategy output, repayments due,
 *   budget and cash, what the plan would act on (lends and repayments) sums to at most the budget left and
 *   the cash, a repayment never exceeds the auto cap, a borrow's repayment at the offered rate fits it,
 *   and with the kill switch on nothing but holds is left to act on;
 * - the portfolio is what the ledger says: after any sequence of loans (this node lending, borrowing, or
 *   neither), repayments and due defaults applied to a real SQLite ledger, the portfolio's cash, totals
 *   and positions equal those computed from the ledger's own balance and loan list.
 */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createManualClock, isTiramiError } from "@tirami/core";
import { type Ledger, openLedger } from "@tirami/ledger";
import { HOUR_MS, loanInterestTrm } from "@tirami/proto";
import { tempDir } from "@tirami/test-kit";
import { repaymentOf, signedLoan, signerFor } from "@tirami/test-trades";
import { BANK_LOAN_TERM_HOURS } from "./constants.js";
import { planTick } from "./plan.js";
import { readPortfolio } from "./portfolio.js";
import type { Decision, PoolSnapshot } from "./types.js";

const amount = fc.integer({ min: 1, max: 50_000 });
const decision: fc.Arbitrary<Decision> = fc.oneof(
  fc.record({
    action: fc.constant("lend" as const),
    amount_trm: amount,
    rationale: fc.constant("l"),
    confidence: fc.constant(0.7),
  }),
  fc.record({
    action: fc.constant("borrow" as const),
    amount_trm: amount,
    rationale: fc.constant("b"),
    confidence: fc.constant(0.6),
  }),
  fc.record({
    action: fc.constant("hold" as const),
    amount_trm: fc.constant(0),
    rationale: fc.constant("h"),
    confidence: fc.constant(0.5),
  }),
);
const repayment: fc.Arbitrary<Decision> = fc.record({
  action: fc.constant("repay" as const),
  amount_trm: amount,
  rationale: fc.constant("r"),
  confidence: fc.constant(1),
  loan_id: fc.constant("00".repeat(32)),
});

describe("planTick", () => {
  it("never plans to act on more than the budget, the cash or the auto cap allow", () => {
    fc.assert(
      fc.property(
        fc.array(decision, { maxLength: 4 }),
        fc.array(repayment, { maxLength: 4 }),
        fc.record({
          kill_switch: fc.boolean(),
          available_trm: fc.integer({ min: 0, max: 60_000 }),
          per_request_max_trm: fc.integer({ min: 0, max: 20_000 }),
        }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1_000, max: 100_000 }),
        (decisions, repayments, b, cash, ratePpm) => {
          const budget = { ...b, hourly_left_trm: b.available_trm, lifetime_left_trm: b.available_trm };
          const pool = { your_offered_interest_ppm_per_hour: ratePpm } as PoolSnapshot;
          const plan = planTick({ decisions, repayments, budget, pool, cashTrm: cash });
          const acting = plan.filter((p) => p.preset === null).map((p) => p.decision);
          if (budget.kill_switch) expect(acting).toEqual([]);
          const outflow = acting
            .filter((d) => d.action !== "borrow")
            .reduce((sum, d) => sum + d.amount_trm, 0);
          expect(outflow).toBeLessThanOrEqual(Math.min(budget.available_trm, cash));
          for (const d of acting) {
            expect(d.amount_trm).toBeGreaterThan(0);
            if (d.action === "repay") expect(d.amount_trm).toBeLessThanOrEqual(budget.per_request_max_trm);
            if (d.action === "borrow")
              expect(
                d.amount_trm +
                  loanInterestTrm({
                    principal_trm: d.amount_trm,
                    interest_ppm_per_hour: ratePpm,
                    term_hours: BANK_LOAN_TERM_HOURS,
                  }),
              ).toBeLessThanOrEqual(budget.per_request_max_trm);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

const T0 = 1_800_000_000_000;
const people = ["self", "x", "y"].map((l) => signerFor(`bank-prop-${l}`));
const self = people[0]!;
const opened: Ledger[] = [];
afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
});

type Step =
  | { kind: "loan"; lender: number; borrower: number; principal: number; hours: number }
  | { kind: "repay"; loan: number }
  | { kind: "time"; hours: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("loan" as const),
    lender: fc.integer({ min: 0, max: 2 }),
    borrower: fc.integer({ min: 0, max: 2 }),
    principal: fc.integer({ min: 1, max: 400 }),
    hours: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant("repay" as const), loan: fc.nat() }),
  fc.record({ kind: fc.constant("time" as const), hours: fc.integer({ min: 0, max: 3 }) }),
);

function expected(ledger: Ledger) {
  const loans = ledger.loans.list({ account: self.accountId, status: "active", limit: 1_000 });
  const mine = (role: "lender" | "borrower") => loans.filter((l) => l.loan[role] === self.accountId);
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const cash = ledger.balance(self.accountId).effective_balance_trm;
  const lent = sum(mine("lender").map((l) => l.loan.principal_trm));
  const borrowed = sum(mine("borrower").map((l) => l.loan.principal_trm));
  const collateral = sum(mine("borrower").map((l) => l.loan.collateral_trm));
  return {
    cash_trm: cash,
    lent_trm: lent,
    borrowed_trm: borrowed,
    borrowed_due_trm: sum(mine("borrower").map((l) => l.total_due_trm)),
    collateral_trm: collateral,
    net_exposure_trm: cash + lent + collateral - borrowed,
    position_count: mine("lender").length + 2 * mine("borrower").length,
    positions: loans.length,
    defaulted: ledger.loans.stats().defaulted_count,
  };
}

describe("readPortfolio", () => {
  it("equals what the ledger says after any sequence of loans, repayments and defaults", () => {
    let defaults = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const clock = createManualClock(T0);
        const ledger = openLedger({
          path: `${tempDir("bank-prop")}/ledger.db`,
          clock,
          localAccount: self.accountId,
        });
        opened.push(ledger);
        const made: ReturnType<typeof signedLoan>[] = [];
        for (const [i, s] of steps.entries()) {
          try {
            if (s.kind === "loan" && s.lender !== s.borrower) {
              const loan = signedLoan({
                lender: people[s.lender]!,
                borrower: people[s.borrower]!,
                principalTrm: s.principal,
                termHours: s.hours,
                createdMs: clock.nowMs(),
                nonce: i.toString(16).padStart(32, "0"),
              });
              ledger.loans.applySignedLoan(loan);
              made.push(loan);
            } else if (s.kind === "repay" && made.length > 0) {
              const loan = made[s.loan % made.length]!;
              const borrower = people.find((p) => p.accountId === loan.loan.borrower)!;
              ledger.loans.applyRepayment(repaymentOf(loan, borrower, clock.nowMs()));
            } else if (s.kind === "time") {
              clock.advanceMs(s.hours * HOUR_MS + 1);
              ledger.loans.applyDueDefaults(clock.nowMs() + 2 * HOUR_MS);
            }
          } catch (error) {
            if (!isTiramiError(error)) throw error; // refused for what it is (balance, late, not active)
          }
          const portfolio = readPortfolio(ledger, self.accountId, 0);
          const want = expected(ledger);
          const { positions: _loans, defaulted, ...totals } = want;
          defaults += defaulted > 0 ? 1 : 0;
          expect(portfolio).toMatchObject(totals);
          expect(portfolio.positions.length).toBe(want.position_count);
          expect(portfolio.positions_truncated).toBe(false);
        }
        expect(ledger.verify().issues).toEqual([]);
      }),
      { numRuns: 40 },
    );
    expect(defaults).toBeGreaterThan(0); // the histories do reach defaults
  });
});
