/**
 * Proves the ledger's behaviour case by case on a real SQLite database: free tier on first sight, grants,
 * holds (reserve/settle/release/expiry), trade checks and their typed errors, exactly-once application,
 * hold-settling trades, admission, listing, settlement and verify — and that each rejection changes nothing.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, isTiramiError, type ManualClock } from "@tirami/core";
import { tempDir } from "@tirami/test-kit";
import { signBoth, signedTrade, signerFor, tradeOf } from "@tirami/test-trades";
import { LedgerErrorCode } from "./errors.js";
import { type Ledger, openLedger } from "./ledger.js";

const T0 = 1_800_000_000_000;
const alice = signerFor("alice");
const bob = signerFor("bob");
const carol = signerFor("carol");

let ledger: Ledger;
let clock: ManualClock;

function open(extra: Partial<Parameters<typeof openLedger>[0]> = {}): Ledger {
  clock = createManualClock(T0);
  ledger = openLedger({ path: ":memory:", clock, localAccount: alice.accountId, ...extra });
  return ledger;
}

function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isTiramiError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}

/** A fingerprint of everything stored, to prove a rejected operation changed nothing. */
function snapshot(l: Ledger): string {
  const tables = ["accounts", "journal", "trades", "holds", "admissions", "reputation_scores"];
  return JSON.stringify(
    tables.map((t) => l.sqlite.prepare(`SELECT * FROM ${t}`).all()),
    (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v),
  );
}

afterEach(() => ledger?.close());

describe("accounts", () => {
  it("reports the implicit free tier for an unseen account and stores nothing", () => {
    open();
    const view = ledger.balance(bob.accountId);
    expect(view).toMatchObject({ balance_trm: 1000, effective_balance_trm: 1000, known: false });
    expectCode(() => ledger.getAccount(bob.accountId), LedgerErrorCode.UNKNOWN_ACCOUNT);
    expect(ledger.listAccounts()).toEqual([]);
  });

  it("journals the free tier on first sight and grants with a reason", () => {
    open();
    const after = ledger.grant({ account: bob.accountId, amountTrm: 250, reason: "test grant" });
    expect(after).toMatchObject({ balance_trm: 1250, free_tier_trm: 1000, granted_trm: 250, known: true });
    const entries = ledger.journal(bob.accountId);
    expect(entries.map((e) => [e.kind, e.amount_trm, e.reason])).toEqual([
      ["free_tier", 1000, null],
      ["grant", 250, "test grant"],
    ]);
    expect(() => ledger.grant({ account: bob.accountId, amountTrm: -1, reason: "x" })).toThrow();
    expect(() => ledger.grant({ account: bob.accountId, amountTrm: 1, reason: "" })).toThrow(TypeError);
    expect(ledger.verify().ok).toBe(true);
  });
});

describe("holds", () => {
  it("reserve lowers the effective balance; settle and release restore it", () => {
    open();
    const h1 = ledger.reserve({ account: bob.accountId, amountTrm: 600, reason: "inference" });
    expect(ledger.balance(bob.accountId)).toMatchObject({
      balance_trm: 1000,
      reserved_trm: 600,
      effective_balance_trm: 400,
    });
    const before = snapshot(ledger);
    expectCode(
      () => ledger.reserve({ account: bob.accountId, amountTrm: 401, reason: "too much" }),
      LedgerErrorCode.INSUFFICIENT_BALANCE,
    );
    expectCode(() => ledger.settle(h1, 601), LedgerErrorCode.HOLD_EXCEEDED);
    expect(snapshot(ledger)).toBe(before);
    expect(ledger.settle(h1, 200)).toMatchObject({ settled_trm: 200, released_trm: 400 });
    expect(ledger.balance(bob.accountId).reserved_trm).toBe(0);
    expectCode(() => ledger.release(h1), LedgerErrorCode.HOLD_NOT_FOUND);
    const h2 = ledger.reserve({ account: bob.accountId, amountTrm: 5, reason: "again" });
    ledger.release(h2);
    expect(ledger.getHold(h2)?.status).toBe("released");
    expect(ledger.verify().ok).toBe(true);
  });

  it("expired holds stop counting for settle and are released by the sweep", () => {
    open();
    const hold = ledger.reserve({ account: bob.accountId, amountTrm: 100, reason: "short", ttlMs: 1_000 });
    clock.advanceMs(1_000);
    expectCode(() => ledger.settle(hold, 10), LedgerErrorCode.HOLD_NOT_FOUND);
    expect(ledger.releaseExpiredHolds()).toBe(1);
    expect(ledger.getHold(hold)?.status).toBe("expired");
    expect(ledger.balance(bob.accountId).reserved_trm).toBe(0);
    expect(ledger.releaseExpiredHolds()).toBe(0);
  });
});

describe("trades", () => {
  it("applies a dual-signed trade once and reports a replay as exists", () => {
    open();
    const signed = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 120,
      timestampMs: T0,
      seq: 1,
    });
    expect(ledger.applySignedTrade(signed)).toEqual({ status: "applied", trade_id: signed.trade_id });
    expect(ledger.applySignedTrade(structuredClone(signed))).toEqual({
      status: "exists",
      trade_id: signed.trade_id,
    });
    expect(ledger.balance(alice.accountId)).toMatchObject({
      balance_trm: 1120,
      contributed_trm: 120,
      trade_count: 1,
    });
    expect(ledger.balance(bob.accountId)).toMatchObject({
      balance_trm: 880,
      consumed_trm: 120,
      trade_count: 1,
    });
    expect(ledger.getTrade(signed.trade_id)).toMatchObject({ ...signed, applied_ms: T0 });
    expect(ledger.tradeCount()).toBe(1);
    // An old replay is still "exists", not stale: gossip may re-deliver it any time.
    clock.advanceMs(10 * 3_600_000);
    expect(ledger.applySignedTrade(signed).status).toBe("exists");
    expect(ledger.verify()).toMatchObject({ ok: true, counts: { trades: 1, accounts: 2 } });
  });

  it("rejects bad trades with typed errors and changes nothing", () => {
    open();
    const good = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 10,
      timestampMs: T0,
      seq: 2,
    });
    const before = snapshot(ledger);
    const flipped = {
      ...good,
      provider_signature: good.provider_signature.replace(/^./, (c) => (c === "0" ? "1" : "0")),
    };
    expectCode(() => ledger.applySignedTrade(flipped), LedgerErrorCode.TRADE_SIGNATURE_INVALID);
    const wrongConsumerSig = {
      ...good,
      consumer_signature: signBoth(good.trade, alice, alice).consumer_signature,
    };
    expectCode(() => ledger.applySignedTrade(wrongConsumerSig), LedgerErrorCode.TRADE_SIGNATURE_INVALID);
    expectCode(
      () => ledger.applySignedTrade({ ...good, trade_id: "0".repeat(64) }),
      LedgerErrorCode.TRADE_SIGNATURE_INVALID,
    );
    expectCode(() => ledger.applySignedTrade({ nope: 1 }), LedgerErrorCode.TRADE_INVALID);
    expectCode(() => ledger.applySignedTrade(null), LedgerErrorCode.TRADE_INVALID);
    const stale = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 10,
      timestampMs: T0 - 3_600_001,
      seq: 3,
    });
    expectCode(() => ledger.applySignedTrade(stale), LedgerErrorCode.TRADE_STALE);
    const future = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 10,
      timestampMs: T0 + 3_600_001,
      seq: 4,
    });
    expectCode(() => ledger.applySignedTrade(future), LedgerErrorCode.TRADE_STALE);
    const overpriced = {
      ...tradeOf({ provider: alice, consumer: bob, completionTokens: 10, timestampMs: T0, seq: 5 }),
      amount_trm: 11,
    };
    expectCode(
      () => ledger.applySignedTrade(signBoth(overpriced, alice, bob)),
      LedgerErrorCode.TRADE_INVALID,
    );
    const tooBig = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 1001,
      timestampMs: T0,
      seq: 6,
    });
    expectCode(() => ledger.applySignedTrade(tooBig), LedgerErrorCode.INSUFFICIENT_BALANCE);
    expect(snapshot(ledger)).toBe(before);
    expect(ledger.applySignedTrade(good).status).toBe("applied");
    const conflicting = { ...good, provider_signature: flipped.provider_signature };
    expectCode(() => ledger.applySignedTrade(conflicting), LedgerErrorCode.TRADE_CONFLICT);
  });

  it("applies a batch in one transaction, each trade alone: good, replayed, duplicated and bad trades", () => {
    open();
    const t1 = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 10,
      timestampMs: T0,
      seq: 400,
    });
    const t2 = signedTrade({
      provider: bob,
      consumer: carol,
      completionTokens: 20,
      timestampMs: T0,
      seq: 401,
    });
    const broke = signedTrade({
      provider: carol,
      consumer: bob,
      completionTokens: 1011,
      timestampMs: T0,
      seq: 402,
    });
    const forged = { ...t2, consumer_signature: t2.provider_signature };
    ledger.applySignedTrade(t1);
    const results = ledger.applySignedTrades([t1, t2, t2, forged, broke, "junk"]);
    expect(results.map((r) => r.status)).toEqual([
      "exists",
      "applied",
      "exists",
      "rejected",
      "rejected",
      "rejected",
    ]);
    expect(results.map((r) => ("code" in r ? r.code : null))).toEqual([
      null,
      null,
      null,
      LedgerErrorCode.TRADE_SIGNATURE_INVALID,
      LedgerErrorCode.INSUFFICIENT_BALANCE,
      LedgerErrorCode.TRADE_INVALID,
    ]);
    // bob: 1000 − 10 + 20 = 1010, one short of the 1011 trade.
    expect(ledger.balance(bob.accountId).balance_trm).toBe(1010);
    expect(ledger.tradeCount()).toBe(2);
    expect(ledger.verify().ok).toBe(true);
    expect(() => ledger.applySignedTrades(new Array(1001).fill(t1))).toThrow(RangeError);
  });

  it("fractional prices are charged ceil(tokens × price)", () => {
    open();
    const signed = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 3,
      priceTrmPerToken: 0.5,
      timestampMs: T0,
      seq: 7,
    });
    expect(signed.trade.amount_trm).toBe(2);
    expect(ledger.applySignedTrade(signed).status).toBe("applied");
    expect(ledger.balance(bob.accountId).balance_trm).toBe(998);
  });

  it("a trade settles the consumer's hold atomically and may spend the held TRM", () => {
    open();
    const hold = ledger.reserve({ account: bob.accountId, amountTrm: 900, reason: "request r1" });
    const trade = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 850,
      timestampMs: T0,
      seq: 8,
    });
    // Without the hold, bob's effective balance (100) cannot pay.
    expectCode(() => ledger.applySignedTrade(trade), LedgerErrorCode.INSUFFICIENT_BALANCE);
    const tooBig = signedTrade({
      provider: alice,
      consumer: bob,
      completionTokens: 901,
      timestampMs: T0,
      seq: 9,
    });
    expectCode(() => ledger.applySignedTrade(tooBig, { holdId: hold }), LedgerErrorCode.HOLD_EXCEEDED);
    const carolHold = ledger.reserve({ account: carol.accountId, amountTrm: 900, reason: "other" });
    expectCode(() => ledger.applySignedTrade(trade, { holdId: carolHold }), LedgerErrorCode.HOLD_EXCEEDED);
    expect(ledger.applySignedTrade(trade, { holdId: hold }).status).toBe("applied");
    expect(ledger.getHold(hold)).toMatchObject({
      status: "settled",
      settled_trm: 850,
      trade_id: trade.trade_id,
    });
    expect(ledger.balance(bob.accountId)).toMatchObject({
      balance_trm: 150,
      reserved_trm: 0,
      effective_balance_trm: 150,
    });
    expect(ledger.verify().ok).toBe(true);
  });
});

describe("admission", () => {
  it("bounds zero-history consumers per provider and their credit", () => {
    open({ zeroHistoryConsumersMax: 2, zeroHistoryCreditCapTrm: 100 });
    const c = [1, 2, 3].map((i) => signerFor(`consumer-${i}`).accountId);
    expect(ledger.admitConsumer(c[0]!, 50)).toMatchObject({ zero_history: true, zero_history_admitted: 1 });
    expect(ledger.admitConsumer(c[0]!, 50)).toMatchObject({ zero_history_admitted: 1 });
    expectCode(() => ledger.admitConsumer(c[1]!, 101), LedgerErrorCode.CONSUMER_NOT_ADMITTED);
    ledger.admitConsumer(c[1]!, 100);
    let denial: unknown;
    try {
      ledger.admitConsumer(c[2]!, 1);
    } catch (error) {
      denial = error;
    }
    expect(denial).toMatchObject({
      code: LedgerErrorCode.CONSUMER_NOT_ADMITTED,
      details: { reason: "zero_history_cap" },
    });
    // A consumer with trade history is not capped.
    ledger.applySignedTrade(
      signedTrade({ provider: bob, consumer: carol, completionTokens: 1, timestampMs: T0, seq: 10 }),
    );
    expect(ledger.admitConsumer(carol.accountId, 500)).toMatchObject({ zero_history: false });
    expectCode(() => ledger.admitConsumer(carol.accountId, 5000), LedgerErrorCode.INSUFFICIENT_BALANCE);
    const l2 = openLedger({ path: ":memory:" });
    expectCode(() => l2.admitConsumer(carol.accountId, 1), LedgerErrorCode.NO_LOCAL_ACCOUNT);
    l2.close();
  });
});

describe("listing, Merkle and settlement", () => {
  it("pages trades newest first, filters by account, proves inclusion and settles a window", () => {
    open();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const [p, c] = i % 2 === 0 ? [alice, bob] : [carol, alice];
      const s = signedTrade({
        provider: p,
        consumer: c,
        completionTokens: 10 + i,
        timestampMs: T0 + i * 1000,
        seq: 100 + i,
      });
      ledger.applySignedTrade(s);
      ids.push(s.trade_id);
    }
    const page1 = ledger.listTrades({ limit: 3 });
    expect(page1.map((t) => t.trade_id)).toEqual([ids[6], ids[5], ids[4]]);
    const page2 = ledger.listTrades({ limit: 3, before: page1[2]!.trade_id });
    expect(page2.map((t) => t.trade_id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(ledger.listTrades({ account: carol.accountId }).length).toBe(3);
    expectCode(() => ledger.listTrades({ before: "f".repeat(64) }), LedgerErrorCode.TRADE_NOT_FOUND);
    expect(() => ledger.listTrades({ limit: 0 })).toThrow(RangeError);

    // Sync pages: oldest first in leaf order, strictly after the cursor, with a "more" flag.
    const start = { afterTimestampMs: 0, afterTradeId: "0".repeat(64) };
    const first = ledger.tradesAfter({ ...start, limit: 4 });
    expect(first.trades.map((t) => t.trade_id)).toEqual(ids.slice(0, 4));
    expect(first.more).toBe(true);
    const last = first.trades[3]!;
    const rest = ledger.tradesAfter({
      afterTimestampMs: last.trade.timestamp_ms,
      afterTradeId: last.trade_id,
      limit: 4,
    });
    expect(rest.trades.map((t) => t.trade_id)).toEqual(ids.slice(4));
    expect(rest.more).toBe(false);
    expect(() => ledger.tradesAfter({ ...start, limit: 0 })).toThrow(RangeError);
    expect(() => ledger.tradesAfter({ ...start, afterTimestampMs: -1, limit: 1 })).toThrow(RangeError);

    const report = ledger.verify();
    expect(report.ok).toBe(true);
    expect(report.root).toBe(ledger.merkleRoot());
    const proof = ledger.proof(ids[3]!);
    expect(proof).toMatchObject({ leaf_index: 3, tree_size: 7, root: ledger.merkleRoot() });
    expectCode(() => ledger.proof("e".repeat(64)), LedgerErrorCode.TRADE_NOT_FOUND);

    const statement = ledger.settlement({ fromMs: T0 + 1000, toMs: T0 + 4000, referencePriceSatsPerTrm: 2 });
    expect(statement.trade_count).toBe(3);
    expect(statement.total_trm_transferred).toBe(11 + 12 + 13);
    const byId = Object.fromEntries(statement.accounts.map((a) => [a.account_id, a]));
    expect(byId[alice.accountId]).toMatchObject({
      gross_earned_trm: 12,
      gross_spent_trm: 24,
      net_trm: -12,
      estimated_value_sats: -24,
    });
    expect(statement.accounts[0]!.net_trm).toBeGreaterThanOrEqual(statement.accounts[1]!.net_trm);
    expect(JSON.parse(JSON.stringify(statement))).toEqual(statement);
    expect(ledger.settlement({ fromMs: 0, toMs: 1 })).toMatchObject({
      trade_count: 0,
      merkle_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
  });
});

describe("services sharing the connection", () => {
  it("applies all migrations and exposes safety, pricing and reputation on the same database", () => {
    open();
    const ids = ledger.sqlite.prepare("SELECT id FROM schema_migrations ORDER BY id").pluck().all();
    expect(ids).toEqual([
      "001_core",
      "002_safety",
      "003_pricing",
      "004_reputation",
      "005_safety_breaker_policies",
      "006_loans",
      "007_lightning",
      "008_bank",
      "008_bank_contracts",
    ]);
    const before = ledger.reputation.get(alice.accountId).score;
    ledger.applySignedTrade(
      signedTrade({ provider: alice, consumer: bob, completionTokens: 4, timestampMs: T0, seq: 300 }),
    );
    expect(ledger.reputation.get(alice.accountId).score).toBeGreaterThan(before);
    expect(ledger.reputation.get(alice.accountId).successes).toBe(1);
    expect(ledger.pricing.quote().price_trm_per_token).toBeGreaterThan(0);
    expect(ledger.safety.killSwitch().active).toBe(false);
  });

  it("serves typed async reads through kysely on the same connection", async () => {
    open();
    ledger.applySignedTrade(
      signedTrade({ provider: alice, consumer: bob, completionTokens: 3, timestampMs: T0, seq: 301 }),
    );
    const rows = await ledger.db
      .selectFrom("accounts")
      .select(["account_id", "balance_trm"])
      .orderBy("balance_trm")
      .execute();
    expect(rows).toEqual([
      { account_id: bob.accountId, balance_trm: 997 },
      { account_id: alice.accountId, balance_trm: 1003 },
    ]);
  });
});

describe("lifecycle", () => {
  it("refuses calls after close and reopens a file with its data", () => {
    const path = join(tempDir("ledger-test-"), "ledger.db");
    try {
      clock = createManualClock(T0);
      const first = openLedger({ path, clock });
      first.applySignedTrade(
        signedTrade({ provider: alice, consumer: bob, completionTokens: 5, timestampMs: T0, seq: 200 }),
      );
      const root = first.merkleRoot();
      first.close();
      expectCode(() => first.balance(bob.accountId), LedgerErrorCode.LEDGER_CLOSED);
      ledger = openLedger({ path, clock });
      expect(ledger.merkleRoot()).toBe(root);
      expect(ledger.balance(bob.accountId).balance_trm).toBe(995);
      expect(ledger.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
      // Exclusive by default: a second connection to the same file cannot write behind this one.
      const intruder = new Database(path, { timeout: 0 });
      try {
        expect(() => intruder.prepare("SELECT count(*) FROM trades").get()).toThrow(/locked|busy/i);
      } finally {
        intruder.close();
      }
      expect(ledger.verify().ok).toBe(true);
    } finally {
      ledger.close();
    }
  });
});
