/**
 * Proves compute futures on a real SQLite ledger (docs/bank.md): a dual-signed future holds both margins;
 * at expiry + 1 h it settles against the volume-weighted price of the trades in the hour before expiry —
 * price up pays the long, price down pays the short, a move beyond the margin pays the margin, no trade
 * in the window pays nothing — and releases both margins; two ledgers that applied the same trades and
 * future in different orders settle identically (same root and balances); a window trade applied after
 * the settlement changes nothing and verify() still agrees; tampered and half-signed futures are refused
 * and change nothing; verify() re-derives every settlement from the trade log.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock } from "@tirami/core";
import { assembleSignedFuture, createFuture, HOUR_MS, type SignedFuture, signFuture } from "@tirami/proto";
import { tempDir } from "@tirami/test-kit";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "../ledger.js";
import { FUTURE_SETTLE_DELAY_MS } from "./price.js";

const T0 = 1_800_000_000_000;
const long = signerFor("fut-long");
const short = signerFor("fut-short");
const provider = signerFor("fut-provider");
const consumer = signerFor("fut-consumer");
const opened: Ledger[] = [];
afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
});

function ledgerAt(clock: ManualClock): Ledger {
  const ledger = openLedger({ path: `${tempDir("futures")}/ledger.db`, clock, localAccount: long.accountId });
  opened.push(ledger);
  return ledger;
}

/** 100,000 tokens at a strike of 2,000 micro-TRM (0.002 TRM) per token, 100 TRM margin, 2 h to expiry. */
function future(o: { marginTrm?: number; nonce?: string } = {}): SignedFuture {
  const f = createFuture({
    long: long.accountId,
    short: short.accountId,
    notional_tokens: 100_000,
    strike_micro_trm_per_token: 2_000,
    margin_trm: o.marginTrm ?? 100,
    created_ms: T0,
    expires_ms: T0 + 2 * HOUR_MS,
    nonce: o.nonce ?? "11".repeat(16),
  });
  return assembleSignedFuture(f, signFuture(f, long), signFuture(f, short));
}

/** A trade in the price window: `tokens` completion tokens at `price` TRM per token. */
const windowTrade = (price: number, tokens: number, seq: number) =>
  signedTrade({
    provider,
    consumer,
    priceTrmPerToken: price,
    completionTokens: tokens,
    timestampMs: T0 + HOUR_MS + seq,
    seq,
  });

const sides = (ledger: Ledger) =>
  [long, short].map((s) => {
    const b = ledger.balance(s.accountId);
    return [b.balance_trm, b.reserved_trm];
  });

function settleWith(trades: ReturnType<typeof windowTrade>[], f = future()) {
  const clock = createManualClock(T0);
  const ledger = ledgerAt(clock);
  expect(ledger.futures.applySignedFuture(f)).toEqual({ status: "applied", future_id: f.future_id });
  expect(sides(ledger)).toEqual([
    [1_000, f.future.margin_trm],
    [1_000, f.future.margin_trm],
  ]);
  clock.advanceMs(HOUR_MS + 10);
  for (const t of trades) ledger.applySignedTrade(t);
  clock.advanceMs(HOUR_MS + FUTURE_SETTLE_DELAY_MS);
  expect(ledger.futures.applyDueSettlements().map((x) => x.future_id)).toEqual([f.future_id]);
  expect(ledger.verify().issues).toEqual([]);
  return { ledger, clock, stored: ledger.futures.get(f.future_id)! };
}

describe("compute futures", () => {
  it("price up pays the long: VWAP 0.0025 TRM/token → (2,500 − 2,000) × 100,000 / 10⁶ = 50 TRM", () => {
    // 1,000 tokens at 0.002 (2 TRM) and 1,000 at 0.003 (3 TRM): 5 TRM over 2,000 tokens.
    const { ledger, stored } = settleWith([windowTrade(0.002, 1_000, 1), windowTrade(0.003, 1_000, 2)]);
    expect(stored).toMatchObject({ status: "settled", settle_micro_trm_per_token: 2_500, paid_trm: 50 });
    expect(sides(ledger)).toEqual([
      [1_050, 0],
      [950, 0],
    ]);
  });

  it("settles both ways and caps at the margin", () => {
    const up = settleWith([windowTrade(0.01, 1_000, 1), windowTrade(0.02, 1_000, 2)]);
    // amount = ceil(1,000 × 0.01) + ceil(1,000 × 0.02) = 30 TRM over 2,000 tokens = 15,000 µTRM/token.
    expect(up.stored).toMatchObject({ settle_micro_trm_per_token: 15_000, paid_trm: 100 });
    expect(sides(up.ledger)).toEqual([
      [1_100, 0],
      [900, 0],
    ]);
    const down = settleWith([windowTrade(0.001, 1_000, 3)], future({ nonce: "22".repeat(16) }));
    // 1 TRM over 1,000 tokens = 1,000 µTRM/token: the long loses (1,000 − 2,000) × 100,000 / 10⁶ = 100.
    expect(down.stored).toMatchObject({ settle_micro_trm_per_token: 1_000, paid_trm: 100 });
    expect(sides(down.ledger)).toEqual([
      [900, 0],
      [1_100, 0],
    ]);
    const small = settleWith([windowTrade(0.0017, 10_000, 4)], future({ nonce: "33".repeat(16) }));
    // 17 TRM over 10,000 tokens = 1,700 µTRM/token: the short gains 300 × 100,000 / 10⁶ = 30.
    expect(small.stored).toMatchObject({ settle_micro_trm_per_token: 1_700, paid_trm: 30 });
    expect(sides(small.ledger)).toEqual([
      [970, 0],
      [1_030, 0],
    ]);
    const none = settleWith([], future({ nonce: "44".repeat(16) }));
    expect(none.stored).toMatchObject({ settle_micro_trm_per_token: 2_000, paid_trm: 0 });
  });

  it("two ledgers in different orders settle the same; a late window trade changes nothing", () => {
    const f = future();
    const trades = [windowTrade(0.01, 200, 1), windowTrade(0.004, 300, 2)];
    const a = settleWith(trades, f);
    const clock = createManualClock(T0 + HOUR_MS + 20);
    const b = ledgerAt(clock);
    for (const t of [...trades].reverse()) b.applySignedTrade(t);
    b.futures.applySignedFuture(f, { nowMs: T0 });
    clock.advanceMs(2 * HOUR_MS);
    b.futures.applyDueSettlements();
    expect(b.futures.get(f.future_id)).toMatchObject({ status: "settled", paid_trm: a.stored.paid_trm });
    expect(b.merkleRoot()).toBe(a.ledger.merkleRoot());
    expect(sides(b)).toEqual(sides(a.ledger));
    const late = windowTrade(0.5, 1_000, 9);
    a.ledger.applySignedTrade(late, { nowMs: late.trade.timestamp_ms });
    expect(a.ledger.futures.get(f.future_id)?.paid_trm).toBe(a.stored.paid_trm);
    expect(a.ledger.verify().issues).toEqual([]);
  });

  it("refuses tampered, half-signed and unfunded futures and changes nothing", () => {
    const ledger = ledgerAt(createManualClock(T0));
    const before = { root: ledger.merkleRoot(), sides: sides(ledger) };
    const good = future();
    const cases: [unknown, string][] = [
      [{ ...good, future: { ...good.future, margin_trm: 1 } }, "FUTURE_SIGNATURE_INVALID"],
      [{ ...good, short_signature: good.long_signature }, "FUTURE_SIGNATURE_INVALID"],
      [{ ...good, short_signature: undefined }, "FUTURE_INVALID"],
      [future({ marginTrm: 5_000, nonce: "55".repeat(16) }), "INSUFFICIENT_BALANCE"],
    ];
    for (const [value, code] of cases)
      expect(() => ledger.futures.applySignedFuture(value), code).toThrow(expect.objectContaining({ code }));
    expect({ root: ledger.merkleRoot(), sides: sides(ledger) }).toEqual(before);
    expect(ledger.verify().issues).toEqual([]);
  });

  it("verify() finds a settlement that the trade log does not give", () => {
    const { ledger, stored } = settleWith([windowTrade(0.01, 1_000, 1)]);
    ledger.sqlite.exec("DROP TRIGGER futures_terms_fixed");
    ledger.sqlite.prepare("UPDATE futures SET paid_trm = 1 WHERE future_id = ?").run(stored.future_id);
    expect(ledger.verify().issues.map((i) => i.kind)).toContain("future_event");
  });
});
