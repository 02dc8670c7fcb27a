/**
 * The insurance part of `verify()` (docs/bank.md): every stored policy is re-checked from its stored
 * canonical bytes (policy_id, rules, both signatures), the insured against its loan's lender, every event
 * from the bytes every node derives (a payout at its loan's default time, inside the policy's window; an
 * expiry at `expires_ms`), the status against the events, the journal (the premium insured → insurer, the
 * coverage insurer → insured when paid) and the coverage hold. Returns the events' leaves for the root.
 * @module
 */
import type Database from "better-sqlite3";
import { equalBytes, sha256, toHex, verifySignature } from "@tirami/core";
import {
  insuranceCanonicalBytes,
  insuranceExpiryCanonicalBytes,
  insurancePayoutCanonicalBytes,
  parseInsurancePolicy,
} from "@tirami/proto";
import { leafHash } from "../merkle/hash.js";
import { LOAN_DEFAULT_GRACE_MS } from "../loans/constants.js";
import type { VerifyIssue } from "../verify.js";
import { policyFromRow, type PolicyEventRow, type PolicyRow } from "./rows.js";

interface Entry {
  policy_id: string;
  account_id: string;
  kind: string;
  amount_trm: number;
}

export function createInsuranceVerifier(db: Database.Database) {
  const policies = db.prepare("SELECT * FROM insurance_policies ORDER BY policy_id");
  const events = db.prepare("SELECT * FROM insurance_events");
  const entries = db.prepare(
    "SELECT policy_id, account_id, kind, amount_trm FROM journal WHERE policy_id IS NOT NULL",
  );
  const holds = db.prepare(
    "SELECT policy_id, status, amount_trm, account_id FROM holds WHERE policy_id IS NOT NULL",
  );
  const loan = db.prepare("SELECT lender, status, due_ms FROM loans WHERE loan_id = ?");

  function group<T extends { policy_id: string }>(rows: Iterable<T>): Map<string, T[]> {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.policy_id, [...(map.get(row.policy_id) ?? []), row]);
    return map;
  }

  return function verifyInsurance(report: (issue: VerifyIssue) => void): {
    policies: number;
    leaves: { t: number; id: string; leaf: Uint8Array }[];
  } {
    const byPolicy = group(events.iterate() as IterableIterator<PolicyEventRow>);
    const journal = group(entries.iterate() as IterableIterator<Entry>);
    const holdOf = new Map(
      (holds.all() as { policy_id: string; status: string; amount_trm: number; account_id: string }[]).map(
        (h) => [h.policy_id, h],
      ),
    );
    const leaves: { t: number; id: string; leaf: Uint8Array }[] = [];
    let count = 0;
    for (const row of policies.iterate() as IterableIterator<PolicyRow>) {
      count += 1;
      const id = row.policy_id;
      const issue = (kind: VerifyIssue["kind"], message: string) =>
        report({ kind, loan_id: row.loan_id, message: `policy ${id}: ${message}` });
      const canonical = new Uint8Array(row.canonical);
      let fieldsOk = false;
      try {
        fieldsOk = equalBytes(insuranceCanonicalBytes(parseInsurancePolicy(policyFromRow(row))), canonical);
      } catch {
        fieldsOk = false;
      }
      if (!fieldsOk)
        issue("policy_fields_mismatch", "stored fields do not encode to the stored canonical bytes");
      if (toHex(sha256(canonical)) !== id) issue("policy_signature", "sha256(canonical bytes) ≠ policy_id");
      if (!verifySignature(row.insurer, canonical, new Uint8Array(row.insurer_signature)))
        issue("policy_signature", "insurer signature does not verify");
      if (!verifySignature(row.insured, canonical, new Uint8Array(row.insured_signature)))
        issue("policy_signature", "insured signature does not verify");
      const l = loan.get(row.loan_id) as { lender: string; status: string; due_ms: number } | undefined;
      if (l === undefined || l.lender !== row.insured)
        issue("policy_event", "its loan is missing or not lent by the insured");
      const defaultMs = l === undefined ? -1 : l.due_ms + LOAN_DEFAULT_GRACE_MS;

      const evs = byPolicy.get(id) ?? [];
      byPolicy.delete(id);
      const created = evs.find((e) => e.kind === "created");
      const paid = evs.find((e) => e.kind === "paid");
      const expired = evs.find((e) => e.kind === "expired");
      if (
        created === undefined ||
        created.event_id !== id ||
        !equalBytes(new Uint8Array(created.canonical), canonical)
      )
        issue("policy_event", "no created event holding the policy's own bytes");
      if (paid !== undefined && expired !== undefined) issue("policy_event", "both paid and expired");
      const status = paid !== undefined ? "paid" : expired !== undefined ? "expired" : "active";
      if (row.status !== status) issue("policy_event", `status ${row.status}, events say ${status}`);
      if (paid !== undefined) {
        const expected = insurancePayoutCanonicalBytes({ ...row, payout_ms: defaultMs });
        const covered =
          l?.status === "defaulted" && row.created_ms <= defaultMs && defaultMs <= row.expires_ms;
        if (
          !covered ||
          !equalBytes(new Uint8Array(paid.canonical), expected) ||
          paid.timestamp_ms !== defaultMs
        )
          issue("policy_event", "payout differs from the one derived from the policy and its loan's default");
      }
      if (expired !== undefined) {
        const expected = insuranceExpiryCanonicalBytes(row);
        if (
          !equalBytes(new Uint8Array(expired.canonical), expected) ||
          expired.timestamp_ms !== row.expires_ms
        )
          issue("policy_event", "expiry record differs from the one derived from the policy");
      }
      for (const e of evs) {
        const leaf = leafHash(new Uint8Array(e.canonical));
        if (!equalBytes(leaf, new Uint8Array(e.leaf_hash)))
          issue("leaf_hash_mismatch", `event ${e.event_id}: stored leaf hash ≠ SHA-256(0x00 ‖ canonical)`);
        leaves.push({ t: e.timestamp_ms, id: e.event_id, leaf });
      }
      const want = new Map<string, number>();
      const add = (account: string, kind: string, amount: number) =>
        want.set(`${account}|${kind}`, (want.get(`${account}|${kind}`) ?? 0) + amount);
      add(row.insured, "insurance_debit", row.premium_trm);
      add(row.insurer, "insurance_credit", row.premium_trm);
      if (paid !== undefined) {
        add(row.insurer, "insurance_debit", row.coverage_trm);
        add(row.insured, "insurance_credit", row.coverage_trm);
      }
      const got = new Map<string, number>();
      for (const e of journal.get(id) ?? [])
        got.set(`${e.account_id}|${e.kind}`, (got.get(`${e.account_id}|${e.kind}`) ?? 0) + e.amount_trm);
      journal.delete(id);
      if (!(want.size === got.size && [...want].every(([k, v]) => got.get(k) === v)))
        issue("policy_journal", "journal entries do not match the policy's events");
      const hold = holdOf.get(id);
      if (
        hold === undefined ||
        hold.account_id !== row.insurer ||
        hold.amount_trm !== row.coverage_trm ||
        (row.status === "active") !== (hold.status === "active")
      )
        issue("policy_journal", "coverage hold missing, wrong, or not closed with the policy");
    }
    for (const id of byPolicy.keys())
      report({ kind: "policy_event", message: `events of a policy that is not stored: ${id}` });
    for (const id of journal.keys())
      report({ kind: "policy_journal", message: `journal entries of a policy that is not stored: ${id}` });
    return { policies: count, leaves };
  };
}
