/**
 * The futures part of `verify()` (docs/bank.md): every stored future is re-checked from its stored bytes
 * (future_id, rules, both signatures); a settlement is re-derived from the trade log with the same rule
 * (exactly the trades its settlement recorded, each still checked to be in the window) and compared byte for byte; the journal (the
 * loser pays the winner what the settlement says) and both margin holds are checked. Returns the leaves.
 * @module
 */
import type Database from "better-sqlite3";
import { equalBytes, sha256, toHex, verifySignature } from "@tirami/core";
import { futureCanonicalBytes, futureSettlementCanonicalBytes, parseFuture } from "@tirami/proto";
import { leafHash } from "../merkle/hash.js";
import type { VerifyIssue } from "../verify.js";
import type { FuturesBook } from "./book.js";
import { type FutureEventRow, futureFromRow, type FutureRow } from "./rows.js";

export function createFuturesVerifier(db: Database.Database, book: Pick<FuturesBook, "settlement">) {
  const futures = db.prepare("SELECT * FROM futures ORDER BY future_id");
  const events = db.prepare("SELECT * FROM future_events");
  const entries = db.prepare(
    "SELECT future_id, account_id, kind, amount_trm FROM journal WHERE future_id IS NOT NULL",
  );
  const holds = db.prepare(
    "SELECT hold_id, future_id, status, amount_trm, account_id FROM holds WHERE future_id IS NOT NULL",
  );

  return function verifyFutures(report: (issue: VerifyIssue) => void) {
    const byFuture = new Map<string, FutureEventRow[]>();
    for (const e of events.iterate() as IterableIterator<FutureEventRow>)
      byFuture.set(e.future_id, [...(byFuture.get(e.future_id) ?? []), e]);
    const journal = new Map<string, Map<string, number>>();
    for (const e of entries.iterate() as IterableIterator<{
      future_id: string;
      account_id: string;
      kind: string;
      amount_trm: number;
    }>) {
      const m = journal.get(e.future_id) ?? new Map<string, number>();
      m.set(`${e.account_id}|${e.kind}`, (m.get(`${e.account_id}|${e.kind}`) ?? 0) + e.amount_trm);
      journal.set(e.future_id, m);
    }
    const holdRows = holds.all() as {
      hold_id: string;
      future_id: string;
      status: string;
      amount_trm: number;
      account_id: string;
    }[];
    const leaves: { t: number; id: string; leaf: Uint8Array }[] = [];
    let count = 0;
    for (const row of futures.iterate() as IterableIterator<FutureRow>) {
      count += 1;
      const id = row.future_id;
      const issue = (kind: VerifyIssue["kind"], message: string) =>
        report({ kind, message: `future ${id}: ${message}` });
      const canonical = new Uint8Array(row.canonical);
      let fieldsOk = false;
      try {
        fieldsOk = equalBytes(futureCanonicalBytes(parseFuture(futureFromRow(row))), canonical);
      } catch {
        fieldsOk = false;
      }
      if (!fieldsOk)
        issue("future_fields_mismatch", "stored fields do not encode to the stored canonical bytes");
      if (toHex(sha256(canonical)) !== id) issue("future_signature", "sha256(canonical bytes) ≠ future_id");
      if (!verifySignature(row.long, canonical, new Uint8Array(row.long_signature)))
        issue("future_signature", "long signature does not verify");
      if (!verifySignature(row.short, canonical, new Uint8Array(row.short_signature)))
        issue("future_signature", "short signature does not verify");
      const evs = byFuture.get(id) ?? [];
      byFuture.delete(id);
      const created = evs.find((e) => e.kind === "created");
      const settled = evs.find((e) => e.kind === "settled");
      if (
        created === undefined ||
        created.event_id !== id ||
        !equalBytes(new Uint8Array(created.canonical), canonical)
      )
        issue("future_event", "no created event holding the future's own bytes");
      if ((settled !== undefined) !== (row.status === "settled"))
        issue("future_event", `status ${row.status} disagrees with its events`);
      const want = new Map<string, number>();
      if (settled !== undefined) {
        const { settlement: s, inWindow } = book.settlement(row);
        if (!inWindow) issue("future_event", "a trade its settlement counted is outside the price window");
        if (
          !equalBytes(new Uint8Array(settled.canonical), futureSettlementCanonicalBytes(s)) ||
          settled.timestamp_ms !== s.settled_ms
        )
          issue("future_event", "settlement differs from the one derived from the trade log");
        if (row.paid_trm !== s.paid_trm || row.settle_micro_trm_per_token !== s.settle_micro_trm_per_token)
          issue("future_event", "stored settlement columns differ from the derived settlement");
        if (s.paid_trm > 0) {
          const [loser, winner] = s.long_won ? [row.short, row.long] : [row.long, row.short];
          want.set(`${loser}|futures_debit`, s.paid_trm);
          want.set(`${winner}|futures_credit`, s.paid_trm);
        }
      }
      for (const e of evs) {
        const leaf = leafHash(new Uint8Array(e.canonical));
        if (!equalBytes(leaf, new Uint8Array(e.leaf_hash)))
          issue("leaf_hash_mismatch", `event ${e.event_id}: stored leaf hash ≠ SHA-256(0x00 ‖ canonical)`);
        leaves.push({ t: e.timestamp_ms, id: e.event_id, leaf });
      }
      const got = journal.get(id) ?? new Map<string, number>();
      journal.delete(id);
      if (!(want.size === got.size && [...want].every(([k, v]) => got.get(k) === v)))
        issue("future_journal", "journal entries do not match the settlement");
      for (const [side, holdId] of [
        [row.long, row.long_hold_id],
        [row.short, row.short_hold_id],
      ] as const) {
        const hold = holdRows.find((h) => h.hold_id === holdId);
        if (
          hold === undefined ||
          hold.future_id !== id ||
          hold.account_id !== side ||
          hold.amount_trm !== row.margin_trm ||
          (row.status === "open") !== (hold.status === "active")
        )
          issue("future_journal", "margin hold missing, wrong, or not closed with the settlement");
      }
    }
    for (const id of byFuture.keys())
      report({ kind: "future_event", message: `events of a future that is not stored: ${id}` });
    for (const id of journal.keys())
      report({ kind: "future_journal", message: `journal entries of a future that is not stored: ${id}` });
    return { futures: count, leaves };
  };
}
