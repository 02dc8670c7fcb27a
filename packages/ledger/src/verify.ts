/**
 * Full audit of the database: rebuild every balance from the journal, re-verify every stored trade from
 * its stored canonical bytes (trade_id, both signatures, fields, cost, leaf hash) and every loan and loan
 * event (`loans/verify.ts`), recompute the Merkle root over both, and check conservation (Σ balances = Σ
 * free tiers + Σ grants − Σ burns) and holds. Read-only; reports each
 * discrepancy instead of stopping at the first.
 * @module
 */
import type Database from "better-sqlite3";
import { equalBytes, sha256, toHex, verifySignature } from "@tirami/core";
import { tradeCanonicalBytes, tradeCostTrm } from "@tirami/proto";
import type { AccountRow } from "./accounts.js";
import { VERIFY_ISSUES_MAX } from "./constants.js";
import { leafHash } from "./merkle/hash.js";
import { merkleRoot } from "./merkle/tree.js";
import { tradeFromRow, type TradeRow } from "./trade-rows.js";
import { createLoanVerifier } from "./loans/verify.js";
import { createInsuranceVerifier } from "./insurance/verify.js";
import { createFuturesVerifier } from "./futures/verify.js";
import type { FuturesBook } from "./futures/book.js";

export type VerifyIssueKind =
  | "balance_mismatch"
  | "reserved_mismatch"
  | "reserved_exceeds_balance"
  | "negative_amount"
  | "conservation"
  | "trade_id_mismatch"
  | "trade_fields_mismatch"
  | "trade_signature"
  | "trade_amount"
  | "trade_journal"
  | "leaf_hash_mismatch"
  | "trade_count_mismatch"
  | "loan_signature"
  | "loan_fields_mismatch"
  | "loan_event"
  | "loan_journal"
  | "policy_signature"
  | "policy_fields_mismatch"
  | "policy_event"
  | "policy_journal"
  | "future_signature"
  | "future_fields_mismatch"
  | "future_event"
  | "future_journal";

export interface VerifyIssue {
  kind: VerifyIssueKind;
  message: string;
  account_id?: string;
  trade_id?: string;
  loan_id?: string;
}

export interface VerifyReport {
  ok: boolean;
  /** At most VERIFY_ISSUES_MAX; `issue_count` counts them all. */
  issues: VerifyIssue[];
  issue_count: number;
  counts: {
    accounts: number;
    journal_entries: number;
    trades: number;
    active_holds: number;
    loans: number;
    loan_events: number;
    insurance_policies: number;
    insurance_events: number;
    futures: number;
    future_events: number;
  };
  totals: {
    balance_trm: number;
    free_tier_trm: number;
    granted_trm: number;
    reserved_trm: number;
    burned_trm: number;
  };
  /** Merkle root recomputed from the stored canonical bytes. */
  root: string;
}

interface JournalSums {
  account_id: string;
  free_tier: number;
  grant: number;
  credit: number;
  debit: number;
  loan_credit: number;
  loan_debit: number;
  burn: number;
  insurance_credit: number;
  insurance_debit: number;
  futures_credit: number;
  futures_debit: number;
}

export function createVerifier(db: Database.Database, futuresBook: Pick<FuturesBook, "settlement">) {
  const accounts = db.prepare("SELECT * FROM accounts ORDER BY account_id");
  const sums = db.prepare(`SELECT account_id,
      coalesce(sum(CASE kind WHEN 'free_tier' THEN amount_trm END), 0) AS free_tier,
      coalesce(sum(CASE kind WHEN 'grant' THEN amount_trm END), 0) AS "grant",
      coalesce(sum(CASE kind WHEN 'trade_credit' THEN amount_trm END), 0) AS credit,
      coalesce(sum(CASE kind WHEN 'trade_debit' THEN amount_trm END), 0) AS debit,
      coalesce(sum(CASE kind WHEN 'loan_credit' THEN amount_trm END), 0) AS loan_credit,
      coalesce(sum(CASE kind WHEN 'loan_debit' THEN amount_trm END), 0) AS loan_debit,
      coalesce(sum(CASE kind WHEN 'burn' THEN amount_trm END), 0) AS burn,
      coalesce(sum(CASE kind WHEN 'insurance_credit' THEN amount_trm END), 0) AS insurance_credit,
      coalesce(sum(CASE kind WHEN 'insurance_debit' THEN amount_trm END), 0) AS insurance_debit,
      coalesce(sum(CASE kind WHEN 'futures_credit' THEN amount_trm END), 0) AS futures_credit,
      coalesce(sum(CASE kind WHEN 'futures_debit' THEN amount_trm END), 0) AS futures_debit
    FROM journal GROUP BY account_id`);
  const verifyLoans = createLoanVerifier(db);
  const verifyInsurance = createInsuranceVerifier(db);
  const verifyFutures = createFuturesVerifier(db, futuresBook);
  const reserved = db.prepare(
    "SELECT account_id, sum(amount_trm) AS n FROM holds WHERE status = 'active' GROUP BY account_id",
  );
  const tradeCounts = db.prepare(
    "SELECT a, count(*) AS n FROM (SELECT provider AS a FROM trades UNION ALL SELECT consumer AS a FROM trades) GROUP BY a",
  );
  const journalCount = db.prepare("SELECT count(*) FROM journal").pluck(true);
  const activeHolds = db.prepare("SELECT count(*) FROM holds WHERE status = 'active'").pluck(true);
  const trades = db.prepare("SELECT * FROM trades ORDER BY timestamp_ms, trade_id");
  const tradeEntries = db.prepare(
    "SELECT trade_id, account_id, kind, amount_trm FROM journal WHERE trade_id IS NOT NULL",
  );

  return function verify(): VerifyReport {
    const issues: VerifyIssue[] = [];
    let issueCount = 0;
    const report = (issue: VerifyIssue) => {
      issueCount += 1;
      if (issues.length < VERIFY_ISSUES_MAX) issues.push(issue);
    };
    return db.transaction(() => {
      const rows = accounts.all() as AccountRow[];
      const journalSums = new Map((sums.all() as JournalSums[]).map((s) => [s.account_id, s]));
      const reservedByAccount = new Map(
        (reserved.all() as { account_id: string; n: number }[]).map((r) => [r.account_id, r.n]),
      );
      const countByAccount = new Map(
        (tradeCounts.all() as { a: string; n: number }[]).map((r) => [r.a, r.n]),
      );
      const totals = { balance_trm: 0, free_tier_trm: 0, granted_trm: 0, reserved_trm: 0, burned_trm: 0 };
      for (const row of rows)
        checkAccount(
          row,
          journalSums.get(row.account_id),
          reservedByAccount.get(row.account_id) ?? 0,
          countByAccount.get(row.account_id) ?? 0,
          report,
          totals,
        );
      for (const id of journalSums.keys()) {
        if (!rows.some((r) => r.account_id === id))
          report({
            kind: "balance_mismatch",
            account_id: id,
            message: "journal entries for an account without a row",
          });
      }
      if (totals.balance_trm !== totals.free_tier_trm + totals.granted_trm - totals.burned_trm) {
        report({
          kind: "conservation",
          message: `Σ balances ${totals.balance_trm} ≠ Σ free tiers ${totals.free_tier_trm} + Σ grants ${totals.granted_trm} − Σ burns ${totals.burned_trm}`,
        });
      }
      const entries = tradeEntriesById(tradeEntries.all() as TradeEntry[]);
      const keyed: { t: number; id: string; leaf: Uint8Array }[] = [];
      let tradeCount = 0;
      for (const row of trades.iterate() as IterableIterator<TradeRow>) {
        tradeCount += 1;
        keyed.push({
          t: row.timestamp_ms,
          id: row.trade_id,
          leaf: checkTrade(row, entries.get(row.trade_id), report),
        });
        entries.delete(row.trade_id);
      }
      for (const id of entries.keys())
        report({
          kind: "trade_journal",
          trade_id: id,
          message: "journal entries for a trade that is not stored",
        });
      const loanReport = verifyLoans(report);
      // Loan events are Merkle leaves too: merge them into (timestamp_ms, id) order.
      keyed.push(...loanReport.leaves);
      const insuranceReport = verifyInsurance(report);
      keyed.push(...insuranceReport.leaves);
      const futuresReport = verifyFutures(report);
      keyed.push(...futuresReport.leaves);
      keyed.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return {
        ok: issueCount === 0,
        issues,
        issue_count: issueCount,
        counts: {
          accounts: rows.length,
          journal_entries: journalCount.get() as number,
          trades: tradeCount,
          active_holds: activeHolds.get() as number,
          loans: loanReport.loans,
          loan_events: loanReport.leaves.length,
          insurance_policies: insuranceReport.policies,
          insurance_events: insuranceReport.leaves.length,
          futures: futuresReport.futures,
          future_events: futuresReport.leaves.length,
        },
        totals,
        root: toHex(merkleRoot(keyed.map((k) => k.leaf))),
      };
    })();
  };
}

function checkAccount(
  row: AccountRow,
  s: JournalSums | undefined,
  reservedTrm: number,
  tradeCount: number,
  report: (issue: VerifyIssue) => void,
  totals: VerifyReport["totals"],
): void {
  const id = row.account_id;
  const j = s ?? {
    account_id: id,
    free_tier: 0,
    grant: 0,
    credit: 0,
    debit: 0,
    loan_credit: 0,
    loan_debit: 0,
    burn: 0,
    insurance_credit: 0,
    insurance_debit: 0,
    futures_credit: 0,
    futures_debit: 0,
  };
  const rebuilt =
    j.free_tier +
    j.grant +
    j.credit -
    j.debit +
    j.loan_credit -
    j.loan_debit -
    j.burn +
    j.insurance_credit -
    j.insurance_debit +
    j.futures_credit -
    j.futures_debit;
  totals.balance_trm += rebuilt;
  totals.free_tier_trm += j.free_tier;
  totals.granted_trm += j.grant;
  totals.burned_trm += j.burn;
  totals.reserved_trm += reservedTrm;
  const pairs: [string, number, number][] = [
    ["balance_trm", row.balance_trm, rebuilt],
    ["free_tier_trm", row.free_tier_trm, j.free_tier],
    ["granted_trm", row.granted_trm, j.grant],
    ["contributed_trm", row.contributed_trm, j.credit],
    ["consumed_trm", row.consumed_trm, j.debit],
  ];
  for (const [column, cached, fromJournal] of pairs) {
    if (cached !== fromJournal)
      report({
        kind: "balance_mismatch",
        account_id: id,
        message: `${column} cached ${cached}, journal says ${fromJournal}`,
      });
  }
  if (rebuilt < 0 || row.balance_trm < 0 || row.reserved_trm < 0)
    report({ kind: "negative_amount", account_id: id, message: `negative balance or reservation` });
  if (row.reserved_trm !== reservedTrm)
    report({
      kind: "reserved_mismatch",
      account_id: id,
      message: `reserved_trm ${row.reserved_trm}, active holds sum to ${reservedTrm}`,
    });
  if (reservedTrm > rebuilt)
    report({
      kind: "reserved_exceeds_balance",
      account_id: id,
      message: `holds ${reservedTrm} exceed balance ${rebuilt}`,
    });
  if (row.trade_count !== tradeCount)
    report({
      kind: "trade_count_mismatch",
      account_id: id,
      message: `trade_count ${row.trade_count}, trades say ${tradeCount}`,
    });
}

interface TradeEntry {
  trade_id: string;
  account_id: string;
  kind: string;
  amount_trm: number;
}

function tradeEntriesById(entries: TradeEntry[]): Map<string, TradeEntry[]> {
  const map = new Map<string, TradeEntry[]>();
  for (const e of entries) {
    const list = map.get(e.trade_id);
    if (list === undefined) map.set(e.trade_id, [e]);
    else list.push(e);
  }
  return map;
}

/** Checks one stored trade; returns the leaf hash recomputed from its canonical bytes. */
function checkTrade(
  row: TradeRow,
  entries: TradeEntry[] | undefined,
  report: (issue: VerifyIssue) => void,
): Uint8Array {
  const id = row.trade_id;
  const canonical = new Uint8Array(row.canonical);
  if (toHex(sha256(canonical)) !== id)
    report({ kind: "trade_id_mismatch", trade_id: id, message: "sha256(canonical bytes) ≠ trade_id" });
  const trade = tradeFromRow(row);
  let fieldsMatch = false;
  try {
    fieldsMatch = equalBytes(tradeCanonicalBytes(trade), canonical);
  } catch {
    fieldsMatch = false;
  }
  if (!fieldsMatch)
    report({
      kind: "trade_fields_mismatch",
      trade_id: id,
      message: "stored fields do not encode to the stored canonical bytes",
    });
  if (!verifySignature(row.provider, canonical, new Uint8Array(row.provider_signature)))
    report({ kind: "trade_signature", trade_id: id, message: "provider signature does not verify" });
  if (!verifySignature(row.consumer, canonical, new Uint8Array(row.consumer_signature)))
    report({ kind: "trade_signature", trade_id: id, message: "consumer signature does not verify" });
  let expected = -1;
  try {
    expected = tradeCostTrm(row);
  } catch {
    expected = -1;
  }
  if (expected !== row.amount_trm)
    report({
      kind: "trade_amount",
      trade_id: id,
      message: `amount_trm ${row.amount_trm} ≠ cost ${expected}`,
    });
  const debit = entries?.filter((e) => e.kind === "trade_debit") ?? [];
  const credit = entries?.filter((e) => e.kind === "trade_credit") ?? [];
  const journalOk =
    entries?.length === 2 &&
    debit.length === 1 &&
    credit.length === 1 &&
    debit[0]!.account_id === row.consumer &&
    credit[0]!.account_id === row.provider &&
    debit[0]!.amount_trm === row.amount_trm &&
    credit[0]!.amount_trm === row.amount_trm;
  if (!journalOk)
    report({
      kind: "trade_journal",
      trade_id: id,
      message: "journal does not hold exactly one matching debit and credit",
    });
  const leaf = leafHash(canonical);
  if (!equalBytes(leaf, new Uint8Array(row.leaf_hash)))
    report({
      kind: "leaf_hash_mismatch",
      trade_id: id,
      message: "stored leaf hash ≠ SHA-256(0x00 ‖ canonical)",
    });
  return leaf;
}
