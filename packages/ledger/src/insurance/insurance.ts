/**
 * `ledger.insurance` (docs/bank.md): the insurance book behind one facade — each money-moving call is one
 * IMMEDIATE transaction whose leaves reach the Merkle cache after commit — plus queries.
 * @module
 */
import type Database from "better-sqlite3";
import type { AccountId } from "@tirami/core";
import { isTradeId } from "@tirami/proto";
import { checkAccountId } from "../accounts.js";
import type { MerkleLog } from "../merkle-log.js";
import { type ApplyPolicyResult, type InsuranceBook } from "./book.js";
import {
  type PolicyEventRow,
  type PolicyRow,
  type PolicyStatus,
  type StoredPolicy,
  storedPolicy,
} from "./rows.js";

/** Most policies one list returns. */
export const POLICY_PAGE_MAX = 1_000;

/** One account's active policies, summed. */
export interface InsuranceExposure {
  /** Coverage this account holds as insurer on active policies, and how many. */
  insurer_coverage_trm: number;
  insurer_count: number;
  /** Coverage this account is insured for on active policies, and how many. */
  insured_coverage_trm: number;
  insured_count: number;
}

export interface Insurance {
  /** Verifies (fields, rules, id, both signatures, freshness) and applies a policy exactly once. */
  applySignedPolicy(signed: unknown, options?: { nowMs?: number }): ApplyPolicyResult;
  /** Expires every policy due for it at `nowMs` (default: clock); returns them. */
  applyDueExpiries(nowMs?: number): StoredPolicy[];
  get(policyId: string): StoredPolicy | undefined;
  /** Newest first; `account` as insurer or insured; `loanId` on one loan. */
  list(request?: {
    account?: AccountId;
    loanId?: string;
    status?: PolicyStatus;
    limit?: number;
  }): StoredPolicy[];
  /** The policy's events (Merkle leaves), oldest first. */
  events(policyId: string): { event_id: string; kind: string; timestamp_ms: number }[];
  exposure(account: AccountId): InsuranceExposure;
}

export function createInsurance(deps: {
  db: Database.Database;
  book: InsuranceBook;
  merkle: MerkleLog;
  tx: <T>(fn: () => T) => T;
  now: () => number;
  open: () => void;
}): Insurance {
  const { db, book, merkle, tx, now, open } = deps;
  const get = db.prepare("SELECT * FROM insurance_policies WHERE policy_id = ?");
  const events = db.prepare(
    "SELECT * FROM insurance_events WHERE policy_id = ? ORDER BY timestamp_ms, event_id",
  );
  const exposure = db.prepare(`SELECT
      coalesce(sum(CASE WHEN insurer = ? THEN coverage_trm END), 0) AS insurer_coverage_trm,
      coalesce(sum(insurer = ?), 0) AS insurer_count,
      coalesce(sum(CASE WHEN insured = ? THEN coverage_trm END), 0) AS insured_coverage_trm,
      coalesce(sum(insured = ?), 0) AS insured_count
    FROM insurance_policies WHERE status = 'active' AND (insurer = ? OR insured = ?)`);
  const time = (nowMs: number | undefined) => {
    const t = nowMs ?? now();
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`"nowMs" expected a non-negative integer`);
    return t;
  };
  return {
    applySignedPolicy(signed, options = {}) {
      open();
      const checked = book.check(signed, time(options.nowMs));
      if ("exists" in checked) return { status: "exists", policy_id: checked.exists };
      const leaves = tx(() => book.write(checked, now()));
      merkle.added(leaves);
      return { status: "applied", policy_id: checked.policy_id };
    },
    applyDueExpiries(nowMs) {
      open();
      const { policyIds, leaves } = tx(() => book.expireDue(time(nowMs)));
      merkle.added(leaves);
      return policyIds.map((id) => storedPolicy(get.get(id) as PolicyRow));
    },
    get(policyId) {
      open();
      if (!isTradeId(policyId)) throw new TypeError(`"policyId" expected 64 lowercase hex characters`);
      const row = get.get(policyId) as PolicyRow | undefined;
      return row === undefined ? undefined : storedPolicy(row);
    },
    list(request = {}) {
      open();
      const limit = request.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > POLICY_PAGE_MAX)
        throw new RangeError(`"limit" expected 1..${POLICY_PAGE_MAX}`);
      const where: string[] = [];
      const args: unknown[] = [];
      if (request.account !== undefined) {
        checkAccountId(request.account, "account");
        where.push("(insurer = ? OR insured = ?)");
        args.push(request.account, request.account);
      }
      if (request.loanId !== undefined) {
        where.push("loan_id = ?");
        args.push(request.loanId);
      }
      if (request.status !== undefined) {
        if (!["active", "paid", "expired"].includes(request.status))
          throw new RangeError(`"status" expected active, paid or expired`);
        where.push("status = ?");
        args.push(request.status);
      }
      const sql = `SELECT * FROM insurance_policies ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY created_ms DESC, policy_id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, limit) as PolicyRow[]).map(storedPolicy);
    },
    events(policyId) {
      open();
      return (events.all(policyId) as PolicyEventRow[]).map((e) => ({
        event_id: e.event_id,
        kind: e.kind,
        timestamp_ms: e.timestamp_ms,
      }));
    },
    exposure(account) {
      open();
      checkAccountId(account, "account");
      return exposure.get(...new Array<string>(6).fill(account)) as InsuranceExposure;
    },
  };
}
