/**
 * Proves verify() is not a rubber stamp: starting from a ledger that verifies, each kind of tampering
 * done behind the ledger's back (cached balance, reservation, trade fields, signature, canonical bytes,
 * leaf hash, a deleted journal entry) is reported as its own issue, and the append-only triggers refuse
 * edits made through SQL.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "./ledger.js";

const T0 = 1_800_000_000_000;
const alice = signerFor("alice");
const bob = signerFor("bob");
let ledger: Ledger;
let tradeId: string;

function seeded(): Ledger {
  ledger = openLedger({ path: ":memory:", clock: createManualClock(T0) });
  const t = signedTrade({ provider: alice, consumer: bob, completionTokens: 40, timestampMs: T0, seq: 1 });
  ledger.applySignedTrade(t);
  ledger.applySignedTrade(
    signedTrade({ provider: bob, consumer: alice, completionTokens: 5, timestampMs: T0 + 1, seq: 2 }),
  );
  ledger.reserve({ account: bob.accountId, amountTrm: 100, reason: "hold" });
  ledger.grant({ account: alice.accountId, amountTrm: 7, reason: "grant" });
  tradeId = t.trade_id;
  expect(ledger.verify()).toMatchObject({ ok: true, issue_count: 0 });
  return ledger;
}

/** Runs SQL with the append-only triggers dropped, as an attacker with file access could. */
function tamper(sql: string, ...params: unknown[]): void {
  for (const t of [
    "journal_append_only_update",
    "journal_append_only_delete",
    "trades_append_only_update",
    "trades_append_only_delete",
  ]) {
    ledger.sqlite.exec(`DROP TRIGGER IF EXISTS ${t}`);
  }
  ledger.sqlite.prepare(sql).run(...params);
}

const kinds = () => new Set(ledger.verify().issues.map((i) => i.kind));

afterEach(() => ledger?.close());

describe("verify detects tampering", () => {
  it("refuses UPDATE and DELETE on journal and trades through SQL", () => {
    seeded();
    expect(() => ledger.sqlite.prepare("UPDATE trades SET amount_trm = 1").run()).toThrow(/append-only/);
    expect(() => ledger.sqlite.prepare("DELETE FROM journal").run()).toThrow(/append-only/);
  });

  it("a cached balance that disagrees with the journal", () => {
    seeded();
    tamper("UPDATE accounts SET balance_trm = balance_trm + 5 WHERE account_id = ?", alice.accountId);
    expect(kinds()).toEqual(new Set(["balance_mismatch"]));
    expect(ledger.verify().ok).toBe(false);
  });

  it("a reservation that disagrees with the active holds", () => {
    seeded();
    tamper("UPDATE accounts SET reserved_trm = 0 WHERE account_id = ?", bob.accountId);
    expect(kinds()).toEqual(new Set(["reserved_mismatch"]));
  });

  it("trade fields that no longer match the signed bytes", () => {
    seeded();
    tamper("UPDATE trades SET completion_tokens = 41 WHERE trade_id = ?", tradeId);
    expect(kinds()).toEqual(new Set(["trade_fields_mismatch", "trade_amount"]));
  });

  it("a corrupted signature", () => {
    seeded();
    tamper("UPDATE trades SET consumer_signature = randomblob(64) WHERE trade_id = ?", tradeId);
    expect(kinds()).toEqual(new Set(["trade_signature"]));
  });

  it("rewritten canonical bytes and leaf hash", () => {
    seeded();
    const root = ledger.merkleRoot();
    const canonical = ledger.sqlite
      .prepare("SELECT canonical FROM trades WHERE trade_id = ?")
      .pluck()
      .get(tradeId) as Buffer;
    tamper(
      "UPDATE trades SET canonical = ?, leaf_hash = randomblob(32) WHERE trade_id = ?",
      Buffer.concat([canonical, Buffer.from([0])]),
      tradeId,
    );
    const report = ledger.verify();
    expect(new Set(report.issues.map((i) => i.kind))).toEqual(
      new Set(["trade_id_mismatch", "trade_fields_mismatch", "trade_signature", "leaf_hash_mismatch"]),
    );
    expect(report.root).not.toBe(root);
  });

  it("a deleted journal entry: cache mismatch, broken conservation, incomplete trade journal", () => {
    seeded();
    tamper("DELETE FROM journal WHERE trade_id = ? AND kind = 'trade_credit'", tradeId);
    expect(kinds()).toEqual(new Set(["balance_mismatch", "conservation", "trade_journal"]));
  });

  it("money created out of thin air by editing both journal and cache", () => {
    seeded();
    tamper(
      "UPDATE journal SET amount_trm = amount_trm + 500 WHERE trade_id = ? AND kind = 'trade_credit'",
      tradeId,
    );
    tamper(
      "UPDATE accounts SET balance_trm = balance_trm + 500, contributed_trm = contributed_trm + 500 WHERE account_id = ?",
      alice.accountId,
    );
    expect(kinds()).toEqual(new Set(["conservation", "trade_journal"]));
  });
});
