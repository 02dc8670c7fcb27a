/**
 * Property tests: random sequences of grants, holds (reserve/settle/release/expiry), trades (some settling
 * a hold), replays and failures (bad signatures, insufficient funds, stale trades) keep every invariant
 * after every step — conservation, no negative amount, no trade applied twice, balances equal to an
 * independent model, a rejected operation changes nothing, verify() passes — and two ledgers fed the same
 * trades in different orders end with the same Merkle root and balances.
 */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createManualClock, isTiramiError, type Signer } from "@tirami/core";
import type { SignedTrade } from "@tirami/proto";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "./ledger.js";

const T0 = 1_800_000_000_000;
const signers: Signer[] = ["p0", "p1", "p2", "p3"].map(signerFor);

type Command =
  | { kind: "grant"; account: number; amount: number }
  | { kind: "reserve"; account: number; amount: number; ttlMs: number }
  | { kind: "settle"; hold: number; actual: number }
  | { kind: "release"; hold: number }
  | { kind: "trade"; provider: number; consumer: number; tokens: number; skewMs: number; hold: number | null }
  | { kind: "replay"; trade: number }
  | { kind: "badSignature"; provider: number; consumer: number; tokens: number }
  | { kind: "advance"; ms: number }
  | { kind: "batch"; items: { provider: number; consumer: number; tokens: number; replay: boolean }[] };

const account = fc.integer({ min: 0, max: 3 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("grant" as const), account, amount: fc.integer({ min: 1, max: 500 }) }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("reserve" as const),
      account,
      amount: fc.integer({ min: 1, max: 1_200 }),
      ttlMs: fc.integer({ min: 1, max: 5_000 }),
    }),
  },
  fc.record({
    kind: fc.constant("settle" as const),
    hold: fc.nat(20),
    actual: fc.integer({ min: 0, max: 1_300 }),
  }),
  fc.record({ kind: fc.constant("release" as const), hold: fc.nat(20) }),
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("trade" as const),
      provider: account,
      consumer: account,
      tokens: fc.integer({ min: 0, max: 1_500 }),
      skewMs: fc.constantFrom(0, 0, 0, 1_000, -1_000, 3_600_001),
      hold: fc.option(fc.nat(20), { nil: null, freq: 2 }),
    }),
  },
  fc.record({ kind: fc.constant("replay" as const), trade: fc.nat(30) }),
  fc.record({
    kind: fc.constant("badSignature" as const),
    provider: account,
    consumer: account,
    tokens: fc.integer({ min: 0, max: 50 }),
  }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      items: fc.array(
        fc.record({
          provider: account,
          consumer: account,
          tokens: fc.integer({ min: 0, max: 800 }),
          replay: fc.boolean(),
        }),
        {
          minLength: 1,
          maxLength: 5,
        },
      ),
    }),
  },
);

function snapshot(l: Ledger): string {
  return JSON.stringify(
    ["accounts", "journal", "trades", "holds"].map((t) => l.sqlite.prepare(`SELECT * FROM ${t}`).all()),
    (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v),
  );
}

const ledgers: Ledger[] = [];
afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
});

describe("ledger invariants under random operation sequences", () => {
  it("hold after every step", () => {
    // Outcomes seen across all runs, so the test proves it exercised each path.
    const outcomes = new Map<string, number>();
    const note = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => {
        const clock = createManualClock(T0);
        const ledger = openLedger({ path: ":memory:", clock });
        ledgers.push(ledger);
        // Independent model: balances only (holds are modelled by their amounts).
        const balance = new Map<string, number>();
        const reserved = new Map<string, number>();
        const seen = (id: string) => {
          if (!balance.has(id)) balance.set(id, 1_000);
        };
        const holdIds: string[] = [];
        const holdInfo = new Map<
          string,
          { account: string; amount: number; expiresMs: number; open: boolean }
        >();
        const applied: SignedTrade[] = [];
        let seq = 0;
        for (const cmd of commands) {
          const before = snapshot(ledger);
          try {
            switch (cmd.kind) {
              case "grant": {
                const id = signers[cmd.account]!.accountId;
                ledger.grant({ account: id, amountTrm: cmd.amount, reason: "property" });
                seen(id);
                balance.set(id, balance.get(id)! + cmd.amount);
                break;
              }
              case "reserve": {
                const id = signers[cmd.account]!.accountId;
                const holdId = ledger.reserve({
                  account: id,
                  amountTrm: cmd.amount,
                  reason: "property",
                  ttlMs: cmd.ttlMs,
                });
                seen(id);
                holdIds.push(holdId);
                holdInfo.set(holdId, {
                  account: id,
                  amount: cmd.amount,
                  expiresMs: clock.nowMs() + cmd.ttlMs,
                  open: true,
                });
                reserved.set(id, (reserved.get(id) ?? 0) + cmd.amount);
                break;
              }
              case "settle":
              case "release": {
                const holdId = holdIds[cmd.hold % Math.max(1, holdIds.length)] ?? "0".repeat(32);
                if (cmd.kind === "settle") ledger.settle(holdId, cmd.actual);
                else ledger.release(holdId);
                const info = holdInfo.get(holdId)!;
                info.open = false;
                reserved.set(info.account, reserved.get(info.account)! - info.amount);
                break;
              }
              case "trade": {
                const holdId =
                  cmd.hold === null ? undefined : holdIds[cmd.hold % Math.max(1, holdIds.length)];
                const held = holdId === undefined ? undefined : holdInfo.get(holdId);
                const provider = signers[cmd.provider]!;
                // With a hold, usually trade as its account, for amounts around the hold's size.
                const consumer =
                  held === undefined || cmd.tokens % 5 === 0
                    ? signers[cmd.consumer]!
                    : signers.find((x) => x.accountId === held.account)!;
                if (provider === consumer) break; // proto forbids self-trades; covered elsewhere
                const tokens = held === undefined ? cmd.tokens : cmd.tokens % (held.amount + 20);
                const signed = signedTrade({
                  provider,
                  consumer,
                  completionTokens: tokens,
                  timestampMs: clock.nowMs() + cmd.skewMs,
                  seq: seq++,
                });
                const result = ledger.applySignedTrade(signed, holdId === undefined ? {} : { holdId });
                expect(result.status).toBe("applied");
                note(holdId === undefined ? "trade" : "trade+hold");
                seen(provider.accountId);
                seen(consumer.accountId);
                balance.set(consumer.accountId, balance.get(consumer.accountId)! - signed.trade.amount_trm);
                balance.set(provider.accountId, balance.get(provider.accountId)! + signed.trade.amount_trm);
                if (holdId !== undefined) {
                  const info = holdInfo.get(holdId)!;
                  info.open = false;
                  reserved.set(info.account, reserved.get(info.account)! - info.amount);
                }
                applied.push(signed);
                break;
              }
              case "replay": {
                const signed = applied[cmd.trade % Math.max(1, applied.length)];
                if (signed === undefined) break;
                expect(ledger.applySignedTrade(structuredClone(signed)).status).toBe("exists");
                expect(snapshot(ledger)).toBe(before);
                break;
              }
              case "badSignature": {
                if (cmd.provider === cmd.consumer) break;
                const signed = signedTrade({
                  provider: signers[cmd.provider]!,
                  consumer: signers[cmd.consumer]!,
                  completionTokens: cmd.tokens,
                  timestampMs: clock.nowMs(),
                  seq: seq++,
                });
                const forged = { ...signed, consumer_signature: signed.provider_signature };
                expect(() => ledger.applySignedTrade(forged)).toThrow(
                  expect.objectContaining({ code: "TRADE_SIGNATURE_INVALID" }),
                );
                break;
              }
              case "batch": {
                const batch = cmd.items
                  .filter((item) => item.provider !== item.consumer)
                  .map((item) =>
                    item.replay && applied.length > 0
                      ? applied[item.tokens % applied.length]!
                      : signedTrade({
                          provider: signers[item.provider]!,
                          consumer: signers[item.consumer]!,
                          completionTokens: item.tokens,
                          timestampMs: clock.nowMs(),
                          seq: seq++,
                        }),
                  );
                const results = ledger.applySignedTrades(batch);
                results.forEach((result, i) => {
                  const t = batch[i]!;
                  if (result.status === "applied") {
                    note("batch:applied");
                    seen(t.trade.provider);
                    seen(t.trade.consumer);
                    balance.set(t.trade.consumer, balance.get(t.trade.consumer)! - t.trade.amount_trm);
                    balance.set(t.trade.provider, balance.get(t.trade.provider)! + t.trade.amount_trm);
                    applied.push(t);
                  } else if (result.status === "rejected") {
                    note(`batch:${result.code}`);
                    expect(result.code).toBe("INSUFFICIENT_BALANCE");
                  } else {
                    expect(applied.some((a) => a.trade_id === t.trade_id)).toBe(true);
                  }
                });
                break;
              }
              case "advance": {
                clock.advanceMs(cmd.ms);
                const expired = [...holdInfo.entries()].filter(
                  ([, h]) => h.open && h.expiresMs <= clock.nowMs(),
                );
                expect(ledger.releaseExpiredHolds()).toBe(expired.length);
                for (const [, h] of expired) {
                  h.open = false;
                  reserved.set(h.account, reserved.get(h.account)! - h.amount);
                }
                break;
              }
            }
          } catch (error) {
            if (!isTiramiError(error) && !(error instanceof TypeError) && !(error instanceof RangeError))
              throw error;
            if (isTiramiError(error) && error.code === "INVALID_AMOUNT") throw error;
            note(`${cmd.kind}:${isTiramiError(error) ? error.code : "argument"}`);
            // A rejected operation changes nothing.
            expect(snapshot(ledger)).toBe(before);
          }
          // Invariants after every step.
          const accounts = ledger.listAccounts();
          for (const a of accounts) {
            expect(a.balance_trm).toBeGreaterThanOrEqual(0);
            expect(a.reserved_trm).toBeGreaterThanOrEqual(0);
            expect(a.reserved_trm).toBeLessThanOrEqual(a.balance_trm);
            expect(a.balance_trm).toBe(balance.get(a.account_id));
            expect(a.reserved_trm).toBe(reserved.get(a.account_id) ?? 0);
          }
          expect(accounts.length).toBe(balance.size);
          const total = accounts.reduce((s, a) => s + a.balance_trm, 0);
          const minted = accounts.reduce((s, a) => s + a.free_tier_trm + a.granted_trm, 0);
          expect(total).toBe(minted);
          expect(ledger.tradeCount()).toBe(applied.length);
          const report = ledger.verify();
          expect(report.issues).toEqual([]);
          expect(report.ok).toBe(true);
          // The incrementally maintained root equals the one rebuilt from the stored bytes.
          expect(ledger.merkleRoot()).toBe(report.root);
        }
        ledger.close();
      }),
      // A fixed seed keeps the coverage check below deterministic (it asserts every path was exercised);
      // set FC_SEED to explore other sequences.
      { numRuns: 60, seed: Number(process.env["FC_SEED"] ?? 20_261_127) },
    );
    for (const key of [
      "trade",
      "trade+hold",
      "trade:INSUFFICIENT_BALANCE",
      "trade:TRADE_STALE",
      "reserve:INSUFFICIENT_BALANCE",
      "settle:HOLD_EXCEEDED",
    ]) {
      expect(
        outcomes.get(key) ?? 0,
        `${key} never happened: ${JSON.stringify([...outcomes])}`,
      ).toBeGreaterThan(0);
    }
  });
});

describe("Merkle root is independent of arrival order", () => {
  it("two ledgers applying the same trades shuffled agree on root and balances", () => {
    const trades = Array.from({ length: 24 }, (_, i) =>
      signedTrade({
        provider: signers[i % 4]!,
        consumer: signers[(i + 1 + (i % 3)) % 4]!,
        completionTokens: 1 + ((i * 7) % 20),
        timestampMs: T0 + ((i * 37) % 5) * 1_000, // several trades share a timestamp: ties order by trade_id
        seq: 10_000 + i,
      }),
    );
    fc.assert(
      fc.property(
        fc.shuffledSubarray(trades, { minLength: 24, maxLength: 24 }),
        fc.shuffledSubarray(trades, { minLength: 24, maxLength: 24 }),
        (orderA, orderB) => {
          const a = openLedger({ path: ":memory:", clock: createManualClock(T0) });
          const b = openLedger({ path: ":memory:", clock: createManualClock(T0) });
          ledgers.push(a, b);
          for (const t of orderA) a.applySignedTrade(t);
          for (const t of orderB) b.applySignedTrade(t);
          expect(a.merkleRoot()).toBe(b.merkleRoot());
          expect(a.verify().root).toBe(a.merkleRoot());
          const view = (l: Ledger) => l.listAccounts().map((x) => [x.account_id, x.balance_trm]);
          expect(view(a)).toEqual(view(b));
          const statementA = a.settlement({ fromMs: T0, toMs: T0 + 3_000 });
          const statementB = b.settlement({ fromMs: T0, toMs: T0 + 3_000 });
          expect(statementA.merkle_root).toBe(statementB.merkle_root);
          for (const t of orderA.slice(0, 3)) {
            const p = a.proof(t.trade_id);
            expect(p).toEqual(b.proof(t.trade_id));
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
