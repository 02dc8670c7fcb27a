/**
 * The provider's book of consumers that owe a signature: a consumer that did not answer a trade proposal
 * (or answered with an invalid signature) is refused until the trade reaches the ledger or the operator
 * forgives it. The book lives in a SQLite table `unsettled` of a database the caller owns (the node keeps it
 * in node.db), so restarting the provider does not wipe a debt; it holds at most `UNSETTLED_MAX` consumers
 * (the oldest entry goes first), one entry each (the latest). Rows are parsed again when read.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { parseTrade, type Trade } from "@tirami/proto";
import type Database from "better-sqlite3";
import { UNSETTLED_MAX } from "./constants.js";

/** A consumer that did not settle a proposal: the trade it owes. */
export interface UnsettledEntry {
  consumer: AccountId;
  trade_id: string;
  trade: Trade;
  provider_signature: string;
  since_ms: number;
  reason: string;
}

/** The book. */
export interface UnsettledBook {
  get(consumer: AccountId): UnsettledEntry | undefined;
  /** Records `entry` as the consumer's debt (replacing an earlier one), evicting the oldest beyond the cap. */
  put(entry: UnsettledEntry): void;
  /** Removes the consumer's entry; false when there was none. */
  delete(consumer: AccountId): boolean;
  /** Every entry, oldest first. */
  list(): UnsettledEntry[];
}

interface Row {
  consumer: string;
  trade_id: string;
  trade_json: string;
  provider_signature: string;
  since_ms: number;
  reason: string;
}

const entryOf = (row: Row): UnsettledEntry => ({
  consumer: row.consumer as AccountId,
  trade_id: row.trade_id,
  trade: parseTrade(JSON.parse(row.trade_json)),
  provider_signature: row.provider_signature,
  since_ms: row.since_ms,
  reason: row.reason,
});

/** The table the book keeps (created when missing; the node's node.db migrations create the same). */
export const UNSETTLED_TABLE_SQL = `CREATE TABLE IF NOT EXISTS unsettled (
  consumer TEXT PRIMARY KEY,
  trade_id TEXT NOT NULL,
  trade_json TEXT NOT NULL,
  provider_signature TEXT NOT NULL,
  since_ms INTEGER NOT NULL,
  reason TEXT NOT NULL
) STRICT`;

/** The book in `db`'s `unsettled` table, created when missing. */
export function createUnsettledBook(db: Database.Database, maxEntries = UNSETTLED_MAX): UnsettledBook {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  db.exec(UNSETTLED_TABLE_SQL);
  const select = db.prepare<[string], Row>("SELECT * FROM unsettled WHERE consumer = ?");
  const upsert = db.prepare<[string, string, string, string, number, string]>(
    `INSERT INTO unsettled (consumer, trade_id, trade_json, provider_signature, since_ms, reason)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (consumer) DO UPDATE SET trade_id = excluded.trade_id, trade_json = excluded.trade_json,
       provider_signature = excluded.provider_signature, since_ms = excluded.since_ms, reason = excluded.reason`,
  );
  const evict = db.prepare<[number]>(
    `DELETE FROM unsettled WHERE consumer IN (
       SELECT consumer FROM unsettled ORDER BY since_ms, rowid LIMIT max(0, (SELECT count(*) FROM unsettled) - ?))`,
  );
  const remove = db.prepare<[string]>("DELETE FROM unsettled WHERE consumer = ?");
  const all = db.prepare<[], Row>("SELECT * FROM unsettled ORDER BY since_ms, rowid");
  const put = db.transaction((entry: UnsettledEntry) => {
    upsert.run(
      entry.consumer,
      entry.trade_id,
      JSON.stringify(entry.trade),
      entry.provider_signature,
      entry.since_ms,
      entry.reason,
    );
    evict.run(maxEntries);
  });
  return {
    get: (consumer) => {
      const row = select.get(consumer);
      return row === undefined ? undefined : entryOf(row);
    },
    put: (entry) => put.immediate(entry),
    delete: (consumer) => remove.run(consumer).changes > 0,
    list: () => all.all().map(entryOf),
  };
}
