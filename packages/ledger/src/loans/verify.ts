/**
 * The loan part of `verify()` (docs/lending.md): every stored loan is re-checked from its stored canonical
 * bytes (loan_id, contract rules, both signatures), every event from its own bytes (a repayment's
 * borrower signature and amount, a default's record re-derived from the loan), the status against the
 * events, and the journal against the rules: principal lender → borrower; on repayment the total due
 * back; on default the recovered collateral to the lender and the burn. Returns the events' leaves so the
 * caller can recompute the one Merkle root over trades and loan events.
 * @module
 */
import type Database from "better-sqlite3";
import { equalBytes, sha256, toHex, verifySignature } from "@tirami/core";
import {
  loanCanonicalBytes,
  loanDefaultCanonicalBytes,
  loanRepaymentSigningBytes,
  loanTotalDueTrm,
  parseLoan,
} from "@tirami/proto";
import { leafHash } from "../merkle/hash.js";
import type { VerifyIssue } from "../verify.js";
import { COLLATERAL_BURN_PER_MILLE, LOAN_DEFAULT_GRACE_MS } from "./constants.js";
import { type LoanEventRow, loanFromRow, type LoanRow } from "./rows.js";

interface Entry {
  loan_id: string;
  account_id: string;
  kind: string;
  amount_trm: number;
}

export function createLoanVerifier(db: Database.Database) {
  const loans = db.prepare("SELECT * FROM loans ORDER BY loan_id");
  const events = db.prepare("SELECT * FROM loan_events ORDER BY loan_id");
  const entries = db.prepare(
    "SELECT loan_id, account_id, kind, amount_trm FROM journal WHERE loan_id IS NOT NULL",
  );
  const holds = db.prepare(
    "SELECT loan_id, status, amount_trm, account_id FROM holds WHERE loan_id IS NOT NULL",
  );

  return function verifyLoans(report: (issue: VerifyIssue) => void): {
    loans: number;
    leaves: { t: number; id: string; leaf: Uint8Array }[];
  } {
    const byLoan = new Map<string, LoanEventRow[]>();
    for (const event of events.iterate() as IterableIterator<LoanEventRow>) {
      const list = byLoan.get(event.loan_id) ?? [];
      list.push(event);
      byLoan.set(event.loan_id, list);
    }
    const journal = new Map<string, Entry[]>();
    for (const e of entries.iterate() as IterableIterator<Entry>) {
      const list = journal.get(e.loan_id) ?? [];
      list.push(e);
      journal.set(e.loan_id, list);
    }
    const holdOf = new Map(
      (holds.all() as { loan_id: string; status: string; amount_trm: number; account_id: string }[]).map(
        (h) => [h.loan_id, h],
      ),
    );
    const leaves: { t: number; id: string; leaf: Uint8Array }[] = [];
    let count = 0;
    for (const row of loans.iterate() as IterableIterator<LoanRow>) {
      count += 1;
      const id = row.loan_id;
      const issue = (kind: VerifyIssue["kind"], message: string) => report({ kind, loan_id: id, message });
      const canonical = new Uint8Array(row.canonical);
      let fieldsOk = false;
      try {
        fieldsOk = equalBytes(loanCanonicalBytes(parseLoan(loanFromRow(row))), canonical);
      } catch {
        fieldsOk = false;
      }
      if (!fieldsOk)
        issue("loan_fields_mismatch", "stored fields do not encode to the stored canonical bytes");
      if (toHex(sha256(canonical)) !== id) issue("loan_signature", "sha256(canonical bytes) ≠ loan_id");
      if (!verifySignature(row.lender, canonical, new Uint8Array(row.lender_signature)))
        issue("loan_signature", "lender signature does not verify");
      if (!verifySignature(row.borrower, canonical, new Uint8Array(row.borrower_signature)))
        issue("loan_signature", "borrower signature does not verify");
      let totalDue = -1;
      try {
        totalDue = loanTotalDueTrm(row);
      } catch {
        totalDue = -1;
      }
      if (totalDue !== row.total_due_trm)
        issue("loan_fields_mismatch", "total_due_trm ≠ principal + interest");

      const evs = byLoan.get(id) ?? [];
      byLoan.delete(id);
      const created = evs.find((e) => e.kind === "created");
      const repaid = evs.find((e) => e.kind === "repaid");
      const defaulted = evs.find((e) => e.kind === "defaulted");
      if (
        created === undefined ||
        created.event_id !== id ||
        !equalBytes(new Uint8Array(created.canonical), canonical)
      )
        issue("loan_event", "no created event holding the loan's own bytes");
      if (repaid !== undefined && defaulted !== undefined) issue("loan_event", "both repaid and defaulted");
      const expectedStatus =
        repaid !== undefined ? "repaid" : defaulted !== undefined ? "defaulted" : "active";
      if (row.status !== expectedStatus)
        issue("loan_event", `status ${row.status}, events say ${expectedStatus}`);
      if (repaid !== undefined) {
        const bytes = new Uint8Array(repaid.canonical);
        const expected = loanRepaymentSigningBytes({
          loan_id: id,
          borrower: row.borrower,
          amount_trm: row.total_due_trm,
          timestamp_ms: repaid.timestamp_ms,
        });
        if (!equalBytes(bytes, expected) || toHex(sha256(bytes)) !== repaid.event_id)
          issue("loan_event", "repayment bytes are not the total due to this loan's lender by its borrower");
        if (
          repaid.signature === null ||
          !verifySignature(row.borrower, bytes, new Uint8Array(repaid.signature))
        )
          issue("loan_signature", "repayment signature does not verify");
        if (repaid.timestamp_ms > row.due_ms || repaid.timestamp_ms < row.created_ms)
          issue("loan_event", "repayment stamped outside the loan's term");
      }
      let recovered = 0;
      let burned = 0;
      if (defaulted !== undefined) {
        burned = Math.floor((row.collateral_trm * COLLATERAL_BURN_PER_MILLE) / 1000);
        recovered = row.collateral_trm - burned;
        const expected = loanDefaultCanonicalBytes({
          loan_id: id,
          borrower: row.borrower,
          lender: row.lender,
          collateral_trm: row.collateral_trm,
          burned_trm: burned,
          recovered_trm: recovered,
          default_ms: row.due_ms + LOAN_DEFAULT_GRACE_MS,
        });
        if (
          !equalBytes(new Uint8Array(defaulted.canonical), expected) ||
          defaulted.timestamp_ms !== row.due_ms + LOAN_DEFAULT_GRACE_MS
        )
          issue("loan_event", "default record differs from the one derived from the loan");
      }
      for (const e of evs) {
        const leaf = leafHash(new Uint8Array(e.canonical));
        if (!equalBytes(leaf, new Uint8Array(e.leaf_hash)))
          issue("leaf_hash_mismatch", `event ${e.event_id}: stored leaf hash ≠ SHA-256(0x00 ‖ canonical)`);
        leaves.push({ t: e.timestamp_ms, id: e.event_id, leaf });
      }
      // The journal: what each party must have paid and received for this loan.
      const want = new Map<string, number>();
      const add = (account: string, kind: string, amount: number) => {
        if (amount === 0) return;
        const key = `${account}|${kind}`;
        want.set(key, (want.get(key) ?? 0) + amount);
      };
      add(row.lender, "loan_debit", row.principal_trm);
      add(row.borrower, "loan_credit", row.principal_trm);
      if (repaid !== undefined) {
        add(row.borrower, "loan_debit", row.total_due_trm);
        add(row.lender, "loan_credit", row.total_due_trm);
      }
      if (defaulted !== undefined) {
        add(row.borrower, "loan_debit", recovered);
        add(row.lender, "loan_credit", recovered);
        add(row.borrower, "burn", burned);
      }
      const got = new Map<string, number>();
      for (const e of journal.get(id) ?? [])
        got.set(`${e.account_id}|${e.kind}`, (got.get(`${e.account_id}|${e.kind}`) ?? 0) + e.amount_trm);
      journal.delete(id);
      const same = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);
      if (!same) issue("loan_journal", "journal entries do not match the loan's events");
      const hold = holdOf.get(id);
      const holdOk =
        hold !== undefined &&
        hold.account_id === row.borrower &&
        hold.amount_trm === row.collateral_trm &&
        (row.status === "active") === (hold.status === "active");
      if (!holdOk) issue("loan_journal", "collateral hold missing, wrong, or not closed with the loan");
    }
    for (const id of byLoan.keys())
      report({ kind: "loan_event", loan_id: id, message: "events of a loan that is not stored" });
    for (const id of journal.keys())
      report({ kind: "loan_journal", loan_id: id, message: "journal entries of a loan that is not stored" });
    return { loans: count, leaves };
  };
}
