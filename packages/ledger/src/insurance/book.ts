/**
 * The insurance book (docs/bank.md): applying a dual-signed policy on a loan exactly once, paying it when
 * its loan defaults, releasing it at expiry — every movement journalled, every step a Merkle leaf. All
 * writes run inside the caller's `BEGIN IMMEDIATE` transaction.
 *
 * - create: the loan must be known here and the insured must be its lender; the premium moves insured →
 *   insurer (`insurance_debit` / `insurance_credit`), then the coverage is held on the insurer; a
 *   `created` leaf at `created_ms`.
 * - pay: when the loan defaults at `default_ms` with `created_ms ≤ default_ms ≤ expires_ms`, the coverage
 *   is released and paid insurer → insured; a `paid` leaf at `default_ms`. A policy applied after its
 *   loan's default is paid in the same transaction, so arrival order cannot change the verdict.
 * - expire: at `expires_ms`, unless its loan is still active and due to default by then (it waits for the
 *   default), the coverage is released; an `expired` leaf at `expires_ms`.
 * @module
 */
import type Database from "better-sqlite3";
import { fromHex, sha256, toHex } from "@tirami/core";
import {
  checkSignedPolicy,
  insuranceCanonicalBytes,
  insuranceExpiryCanonicalBytes,
  insurancePayoutCanonicalBytes,
  isTradeId,
  parseInsurancePolicy,
  type SignedInsurancePolicy,
} from "@tirami/proto";
import type { Accounts } from "../accounts.js";
import { LedgerError, LedgerErrorCode } from "../errors.js";
import type { Holds } from "../holds.js";
import type { Journal } from "../journal.js";
import { leafHash } from "../merkle/hash.js";
import type { AddedLeaf } from "../merkle-log.js";
import { LOAN_DEFAULT_GRACE_MS } from "../loans/constants.js";
import type { LoanRow } from "../loans/rows.js";
import type { PolicyRow } from "./rows.js";

/** Policies expired per sweep transaction. */
export const EXPIRY_SWEEP_BATCH_MAX = 256;

export type ApplyPolicyResult = { status: "applied" | "exists"; policy_id: string };

export interface InsuranceBook {
  /** Checks that need no write lock; returns the policy to write, or `exists` for an identical replay. */
  check(signed: unknown, nowMs: number): SignedInsurancePolicy | { exists: string };
  /** Inside a write transaction: moves the premium, holds the coverage, writes it; returns its leaves. */
  write(signed: SignedInsurancePolicy, nowMs: number): AddedLeaf[];
  /** Inside the loan's default transaction: pays every active policy on it that covers `defaultMs`. */
  payOnDefault(loanId: string, defaultMs: number, nowMs: number): AddedLeaf[];
  /** Inside a write transaction: expires a batch of policies due for it at `nowMs`. */
  expireDue(nowMs: number): { policyIds: string[]; leaves: AddedLeaf[] };
}

function fail(code: LedgerErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new LedgerError(code, message, { details });
}

export function createInsuranceBook(deps: {
  db: Database.Database;
  accounts: Accounts;
  journal: Journal;
  holds: Holds;
  freshnessWindowMs: number;
}): InsuranceBook {
  const { db, accounts, journal, holds } = deps;
  const select = db.prepare("SELECT * FROM insurance_policies WHERE policy_id = ?");
  const selectLoan = db.prepare("SELECT * FROM loans WHERE loan_id = ?");
  const insert =
    db.prepare(`INSERT INTO insurance_policies (policy_id, insurer, insured, loan_id, coverage_trm,
    premium_trm, created_ms, expires_ms, nonce, canonical, insurer_signature, insured_signature, status, hold_id,
    closed_ms, applied_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, ?)`);
  const close = db.prepare(
    "UPDATE insurance_policies SET status = ?, closed_ms = ? WHERE policy_id = ? AND status = 'active'",
  );
  const insertEvent = db.prepare(`INSERT INTO insurance_events (event_id, policy_id, kind, timestamp_ms,
    canonical, leaf_hash, applied_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const activeOnLoan = db.prepare(
    "SELECT * FROM insurance_policies WHERE loan_id = ? AND status = 'active' ORDER BY policy_id",
  );
  // Expires unless the loan is still active and defaults (due + grace) no later than the expiry.
  const dueToExpire = db.prepare(`SELECT p.* FROM insurance_policies p JOIN loans l ON l.loan_id = p.loan_id
    WHERE p.status = 'active' AND p.expires_ms <= ?
      AND NOT (l.status = 'active' AND l.due_ms + ? <= p.expires_ms)
    ORDER BY p.expires_ms, p.policy_id LIMIT ?`);

  function event(
    row: PolicyRow,
    kind: "created" | "paid" | "expired",
    at: number,
    bytes: Uint8Array,
    nowMs: number,
  ) {
    const leaf = leafHash(bytes);
    const id = kind === "created" ? row.policy_id : toHex(sha256(bytes));
    insertEvent.run(id, row.policy_id, kind, at, bytes, leaf, nowMs);
    return { tradeId: id, timestampMs: at, leafHash: leaf };
  }

  function move(
    from: string,
    to: string,
    amountTrm: number,
    policyId: string,
    reason: string,
    nowMs: number,
  ) {
    journal.append({ accountId: from, kind: "insurance_debit", amountTrm, policyId, reason, nowMs });
    journal.append({ accountId: to, kind: "insurance_credit", amountTrm, policyId, reason, nowMs });
  }

  function releaseCoverage(row: PolicyRow, nowMs: number) {
    const hold = row.hold_id === null ? undefined : holds.get(row.hold_id);
    if (hold !== undefined && hold.status === "active") holds.close(hold, "released", null, null, nowMs);
  }

  function pay(row: PolicyRow, defaultMs: number, nowMs: number): AddedLeaf {
    releaseCoverage(row, nowMs);
    move(
      row.insurer,
      row.insured,
      row.coverage_trm,
      row.policy_id,
      "insurance payout: loan defaulted",
      nowMs,
    );
    close.run("paid", defaultMs, row.policy_id);
    const bytes = insurancePayoutCanonicalBytes({ ...row, payout_ms: defaultMs });
    return event(row, "paid", defaultMs, bytes, nowMs);
  }

  const covers = (row: PolicyRow, defaultMs: number) =>
    row.created_ms <= defaultMs && defaultMs <= row.expires_ms;

  return {
    check(signed, nowMs) {
      const id = (signed as { policy_id?: unknown } | null)?.policy_id;
      const failure = checkSignedPolicy(signed);
      if (isTradeId(id) && failure === null) {
        const stored = select.get(id) as PolicyRow | undefined;
        if (stored !== undefined) {
          const s = signed as SignedInsurancePolicy;
          const same =
            s.insurer_signature === toHex(new Uint8Array(stored.insurer_signature)) &&
            s.insured_signature === toHex(new Uint8Array(stored.insured_signature));
          if (same) return { exists: id };
          fail(LedgerErrorCode.POLICY_CONFLICT, `policy ${id} exists with other signatures`, {
            policy_id: id,
          });
        }
      }
      if (failure === "malformed") {
        let reason = "malformed signed policy";
        try {
          parseInsurancePolicy((signed as { policy?: unknown } | null)?.policy);
        } catch (error) {
          reason = (error as Error).message;
        }
        fail(LedgerErrorCode.POLICY_INVALID, reason);
      }
      if (failure !== null)
        fail(
          LedgerErrorCode.POLICY_SIGNATURE_INVALID,
          `policy ${String(id)}: ${failure.replace(/_/g, " ")} does not verify`,
          {
            policy_id: id,
            failure,
          },
        );
      const clean = signed as SignedInsurancePolicy;
      const policy = parseInsurancePolicy(clean.policy);
      if (Math.abs(nowMs - policy.created_ms) > deps.freshnessWindowMs)
        fail(
          LedgerErrorCode.POLICY_STALE,
          `policy ${clean.policy_id} was made outside the freshness window`,
          {
            policy_id: clean.policy_id,
          },
        );
      return { ...clean, policy };
    },

    write(signed, nowMs) {
      const { policy, policy_id: policyId } = signed;
      const loan = selectLoan.get(policy.loan_id) as LoanRow | undefined;
      if (loan === undefined)
        fail(LedgerErrorCode.LOAN_NOT_FOUND, `no loan ${policy.loan_id} to insure`, {
          loan_id: policy.loan_id,
        });
      if (loan.lender !== policy.insured)
        fail(LedgerErrorCode.POLICY_INVALID, "the insured is not the loan's lender", { policy_id: policyId });
      if (select.get(policyId) !== undefined)
        fail(LedgerErrorCode.POLICY_CONFLICT, `policy ${policyId} exists`, { policy_id: policyId });
      const insured = accounts.ensure(policy.insured, nowMs);
      if (insured.balance_trm - insured.reserved_trm < policy.premium_trm)
        fail(
          LedgerErrorCode.INSUFFICIENT_BALANCE,
          `the insured cannot pay the premium of ${policy.premium_trm} TRM`,
          {
            role: "insured",
            policy_id: policyId,
          },
        );
      accounts.ensure(policy.insurer, nowMs);
      move(policy.insured, policy.insurer, policy.premium_trm, policyId, "insurance premium", nowMs);
      let holdId: string;
      try {
        holdId = holds.lockCoverage(policy.insurer, policy.coverage_trm, policyId, nowMs);
      } catch (error) {
        if (error instanceof LedgerError)
          throw new LedgerError(error.code, `insurer cannot hold the coverage: ${error.message}`, {
            details: { ...error.details, role: "insurer", policy_id: policyId },
          });
        throw error;
      }
      const canonical = insuranceCanonicalBytes(policy);
      insert.run(
        policyId,
        policy.insurer,
        policy.insured,
        policy.loan_id,
        policy.coverage_trm,
        policy.premium_trm,
        policy.created_ms,
        policy.expires_ms,
        policy.nonce,
        canonical,
        fromHex(signed.insurer_signature),
        fromHex(signed.insured_signature),
        holdId,
        nowMs,
      );
      const row = select.get(policyId) as PolicyRow;
      const leaves = [event(row, "created", policy.created_ms, canonical, nowMs)];
      const defaultMs = loan.due_ms + LOAN_DEFAULT_GRACE_MS;
      if (loan.status === "defaulted" && covers(row, defaultMs)) leaves.push(pay(row, defaultMs, nowMs));
      return leaves;
    },

    payOnDefault(loanId, defaultMs, nowMs) {
      return (activeOnLoan.all(loanId) as PolicyRow[])
        .filter((row) => covers(row, defaultMs))
        .map((row) => pay(row, defaultMs, nowMs));
    },

    expireDue(nowMs) {
      const rows = dueToExpire.all(nowMs, LOAN_DEFAULT_GRACE_MS, EXPIRY_SWEEP_BATCH_MAX) as PolicyRow[];
      const leaves = rows.map((row) => {
        releaseCoverage(row, nowMs);
        close.run("expired", row.expires_ms, row.policy_id);
        return event(row, "expired", row.expires_ms, insuranceExpiryCanonicalBytes(row), nowMs);
      });
      return { policyIds: rows.map((r) => r.policy_id), leaves };
    },
  };
}
