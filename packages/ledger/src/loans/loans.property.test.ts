/**
 * Property test of order independence (docs/lending.md): a random honest history of loans, repayments
 * (some stamped late, some signed by the wrong key), trades and defaults is delivered to several ledgers,
 * each in its own shuffled order, with events that arrive before what they depend on retried (as a sync
 * would) and default sweeps interleaved before the due time; then time passes and every ledger sweeps.
 * Every ledger ends with the same root, balances and loan states as the reference that applied the history
 * in time order, verify() passes everywhere, and Σ balances = Σ free tiers − Σ burns.
 */
import { afterEach, expect, it } from "vitest";
import fc from "fast-check";
import { createManualClock, isTiramiError, type Signer } from "@tirami/core";
import { HOUR_MS } from "@tirami/proto";
import { repaymentOf, signedLoan, signedTrade, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "../ledger.js";

const T0 = 1_800_000_000_000;
const signers: Signer[] = ["a", "b", "c", "d"].map((l) => signerFor(`loan-prop-${l}`));
const opened: Ledger[] = [];
afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
});

type Event =
  | { kind: "loan"; at: number; value: unknown }
  | { kind: "repay"; at: number; value: unknown }
  | { kind: "trade"; at: number; value: unknown };

type Step =
  | { kind: "loan"; lender: number; borrower: number; principal: number; ltv: number; hours: number }
  | { kind: "repay"; loan: number; offsetMs: number; late: boolean; wrongSigner: boolean }
  | { kind: "trade"; provider: number; consumer: number; tokens: number };

const who = fc.integer({ min: 0, max: 3 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("loan" as const),
    lender: who,
    borrower: who,
    principal: fc.integer({ min: 1, max: 600 }),
    ltv: fc.integer({ min: 1, max: 3 }),
    hours: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant("repay" as const),
    loan: fc.nat(),
    offsetMs: fc.integer({ min: 0, max: 50_000 }),
    late: fc.boolean(),
    wrongSigner: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("trade" as const),
    provider: who,
    consumer: who,
    tokens: fc.integer({ min: 1, max: 400 }),
  }),
);

function open(clock = createManualClock(T0)): {
  ledger: Ledger;
  clock: ReturnType<typeof createManualClock>;
} {
  const ledger = openLedger({ path: ":memory:", clock });
  opened.push(ledger);
  return { ledger, clock };
}

/** Refusals that depend on the event alone, never on what arrived before it. */
const INTRINSIC = new Set(["REPAYMENT_LATE", "REPAYMENT_INVALID", "LOAN_SIGNATURE_INVALID", "LOAN_INVALID"]);

/**
 * Applies one event; null when applied (or a replay), else the refusal code. `held` are repayments that
 * arrived before their loan, applied with it as the market's intake does.
 */
function apply(ledger: Ledger, event: Event, held: Map<string, unknown[]> = new Map()): string | null {
  try {
    if (event.kind === "loan") applyLoan(ledger, event, held);
    else if (event.kind === "repay") ledger.loans.applyRepayment(event.value, { nowMs: event.at });
    else ledger.applySignedTrade(event.value, { nowMs: event.at });
    return null;
  } catch (error) {
    if (!isTiramiError(error)) throw error;
    if (event.kind === "repay" && error.code === "LOAN_NOT_FOUND") {
      const id = (event.value as { loan_id: string }).loan_id;
      held.set(id, [...(held.get(id) ?? []), event.value]);
    }
    return error.code;
  }
}

/** A loan the lender cannot fund alone is tried with each repayment held for it. */
function applyLoan(ledger: Ledger, event: Event, held: Map<string, unknown[]>): void {
  const id = (event.value as { loan_id: string }).loan_id;
  try {
    ledger.loans.applySignedLoan(event.value, { nowMs: event.at });
  } catch (error) {
    if (!isTiramiError(error) || error.code !== "INSUFFICIENT_BALANCE") throw error;
    for (const repayment of held.get(id) ?? []) {
      try {
        ledger.loans.applySignedLoan(event.value, { nowMs: event.at, repayment });
        return;
      } catch {
        // the next held repayment
      }
    }
    throw error;
  }
}

function state(ledger: Ledger) {
  return {
    root: ledger.merkleRoot(),
    balances: signers.map((s) => ledger.balance(s.accountId)).map((b) => [b.balance_trm, b.reserved_trm]),
    loans: ledger.loans.list({ limit: 1_000 }).map((l) => [l.loan_id, l.status, l.closed_ms]),
  };
}

it("shuffled delivery to several ledgers converges to the reference and conserves TRM", () => {
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 1, maxLength: 24 }),
      fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
      (steps, seeds) => {
        // The reference applies the history in time order; only what it accepts becomes the history.
        const reference = open();
        const history: Event[] = [];
        const loans: ReturnType<typeof signedLoan>[] = [];
        let t = T0;
        steps.forEach((s, index) => {
          t += 1_000;
          let event: Event | undefined;
          if (s.kind === "loan" && s.lender !== s.borrower) {
            const loan = signedLoan({
              lender: signers[s.lender]!,
              borrower: signers[s.borrower]!,
              principalTrm: s.principal,
              collateralTrm: Math.ceil(s.principal / s.ltv),
              termHours: s.hours,
              createdMs: t,
              nonce: index.toString(16).padStart(32, "0"),
            });
            loans.push(loan);
            event = { kind: "loan", at: t, value: loan };
          } else if (s.kind === "repay" && loans.length > 0) {
            const loan = loans[s.loan % loans.length]!;
            const borrower = signers.find((x) => x.accountId === loan.loan.borrower)!;
            const signer = s.wrongSigner ? signers.find((x) => x !== borrower)! : borrower;
            const at = s.late
              ? loan.loan.due_ms + 1 + s.offsetMs
              : Math.min(loan.loan.created_ms + s.offsetMs, loan.loan.due_ms);
            event = { kind: "repay", at, value: repaymentOf(loan, signer, at) };
          } else if (s.kind === "trade" && s.provider !== s.consumer) {
            const value = signedTrade({
              provider: signers[s.provider]!,
              consumer: signers[s.consumer]!,
              completionTokens: s.tokens,
              timestampMs: t,
              seq: index,
            });
            event = { kind: "trade", at: t, value };
          }
          if (event === undefined) return;
          // Hostile events refused for what they are stay in the history: every replica must refuse them
          // too. Events refused for want of funds are dropped: an honest party never signs them (a party
          // that signs more than it holds is the double spend docs/lending.md discusses).
          const refusal = apply(reference.ledger, event);
          if (refusal === null || INTRINSIC.has(refusal)) history.push(event);
        });
        history.sort((a, b) => a.at - b.at);
        const end = T0 + 10 * HOUR_MS;
        reference.clock.setMs(end);
        reference.ledger.loans.applyDueDefaults();
        const expected = state(reference.ledger);

        for (let replica = 0; replica < 3; replica++) {
          const { ledger, clock } = open(createManualClock(T0 + 30 * 60_000));
          const order = history
            .map((event, i) => ({
              event,
              key: seeds[(i + replica * 7) % seeds.length]! * 31 + i * (replica + 1),
            }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.event);
          const held = new Map<string, unknown[]>();
          let pending = order;
          for (let round = 0; round < history.length + 1 && pending.length > 0; round++) {
            const next: Event[] = [];
            for (const event of pending) {
              if (apply(ledger, event, held) !== null) next.push(event);
              if ((seeds[next.length % seeds.length]! & 3) === 0) ledger.loans.applyDueDefaults(); // too early: no effect
            }
            if (next.length === pending.length) break;
            pending = next;
          }
          clock.setMs(end);
          ledger.loans.applyDueDefaults();
          expect(state(ledger)).toEqual(expected);
          const report = ledger.verify();
          expect(report.issues).toEqual([]);
          expect(report.totals.balance_trm).toBe(report.totals.free_tier_trm - report.totals.burned_trm);
        }
      },
    ),
    { numRuns: Number(process.env.LOAN_PROPERTY_RUNS ?? 25) },
  );
}, 300_000);
