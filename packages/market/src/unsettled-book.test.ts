/**
 * The provider's unsettled book on a real SQLite file: a debt survives closing and reopening the
 * database (a provider restart does not forgive it), one entry per consumer (the latest), the oldest
 * evicted beyond the cap, and delete (the operator's forgive) removes exactly one consumer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, generateSeed } from "@tirami/core";
import { computeTradeId, createTrade } from "@tirami/proto";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { createUnsettledBook, type UnsettledEntry } from "./unsettled-book.js";

const provider = createSigner(generateSeed());
const dirs: string[] = [];
const dbs: Database.Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "tirami-unsettled-"));
  dirs.push(dir);
  return join(dir, "node.db");
}

function open(path: string): Database.Database {
  const db = new Database(path);
  dbs.push(db);
  return db;
}

function entry(sinceMs: number, reason = "no answer to the trade proposal"): UnsettledEntry {
  const consumer = createSigner(generateSeed()).accountId;
  const trade = createTrade({
    provider: provider.accountId,
    consumer,
    amount_trm: 12,
    prompt_tokens: 3,
    completion_tokens: 12,
    model_id: "stories260K",
    price_trm_per_token: 1,
    timestamp_ms: sinceMs,
    request_id: `req-${sinceMs}`,
  });
  return {
    consumer,
    trade_id: computeTradeId(trade),
    trade,
    provider_signature: "ab".repeat(64),
    since_ms: sinceMs,
    reason,
  };
}

describe("createUnsettledBook", () => {
  it("keeps a debt across a restart, until it is deleted", () => {
    const path = tempDbPath();
    const owed = entry(1_000);
    createUnsettledBook(open(path)).put(owed);
    dbs[0]?.close();

    const reopened = createUnsettledBook(open(path));
    expect(reopened.get(owed.consumer)).toEqual(owed);
    expect(reopened.list()).toEqual([owed]);
    expect(reopened.delete(owed.consumer)).toBe(true);
    expect(reopened.delete(owed.consumer)).toBe(false);
    expect(reopened.get(owed.consumer)).toBeUndefined();
  });

  it("holds one entry per consumer, the latest", () => {
    const book = createUnsettledBook(open(tempDbPath()));
    const first = entry(1_000);
    const later = { ...entry(2_000, "invalid consumer signature"), consumer: first.consumer };
    book.put(first);
    book.put(later);
    expect(book.list()).toEqual([later]);
  });

  it("evicts the oldest entries beyond its cap, and lists oldest first", () => {
    const book = createUnsettledBook(open(tempDbPath()), 3);
    const entries = [5_000, 1_000, 4_000, 2_000, 3_000].map((ms) => entry(ms));
    for (const e of entries) book.put(e);
    expect(book.list().map((e) => e.since_ms)).toEqual([3_000, 4_000, 5_000]);
    expect(() => createUnsettledBook(open(tempDbPath()), 0)).toThrow(RangeError);
  });
});
