/**
 * Holds (reservations): taken before work starts, settled or released after. A hold never moves money;
 * while active it lowers the account's effective balance (`reserved_trm`), so two concurrent requests
 * cannot both spend the same TRM. Money moves only through a dual-signed trade, which can settle a hold
 * in its own transaction (`applySignedTrade(signed, { holdId })`).
 * @module
 */
import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { assertAmountTrm, isLowerHex } from "@tirami/core";
import { type Accounts, checkAccountId, checkReason } from "./accounts.js";
import { HOLD_TTL_MS_DEFAULT, HOLD_TTL_MS_MAX, HOLDS_PER_ACCOUNT_MAX } from "./constants.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";

export type HoldStatus = "active" | "settled" | "released" | "expired";

/** A hold as stored. */
export interface Hold {
  hold_id: string;
  account_id: string;
  amount_trm: number;
  reason: string;
  created_ms: number;
  expires_ms: number;
  status: HoldStatus;
  settled_trm: number | null;
  trade_id: string | null;
  closed_ms: number | null;
  /** The loan whose collateral this hold is (it never expires by time; the loan closes it). */
  loan_id: string | null;
  /** The insurance policy whose coverage this hold is (it never expires by time; the policy closes it). */
  policy_id: string | null;
  /** The future whose margin this hold is (it never expires by time; the settlement closes it). */
  future_id: string | null;
}

export interface ReserveRequest {
  account: string;
  amountTrm: number;
  reason: string;
  /** Lifetime; defaults to HOLD_TTL_MS_DEFAULT, at most HOLD_TTL_MS_MAX. */
  ttlMs?: number;
}

export interface Holds {
  /** Inside a write transaction: validates and inserts a hold, raising reserved_trm. */
  reserve(request: ReserveRequest, nowMs: number): string;
  /** The hold if it is active and unexpired at `nowMs`, else throws HOLD_NOT_FOUND. */
  active(holdId: string, nowMs: number): Hold;
  /** Inside a write transaction: closes an active hold as settled/released, lowering reserved_trm. */
  close(
    hold: Hold,
    status: "settled" | "released" | "expired",
    settledTrm: number | null,
    tradeId: string | null,
    nowMs: number,
  ): void;
  /**
   * Inside a write transaction: holds a loan's collateral on its borrower until the loan closes it.
   * INSUFFICIENT_BALANCE when the effective balance cannot cover it, HOLD_LIMIT when the account is full.
   */
  lockCollateral(account: string, amountTrm: number, loanId: string, nowMs: number): string;
  /** Inside a write transaction: holds an insurer's coverage for `policyId` (closed by the policy only). */
  lockCoverage(account: string, amountTrm: number, policyId: string, nowMs: number): string;
  /** Inside a write transaction: holds one side's margin for `futureId` (closed by its settlement only). */
  lockMargin(account: string, amountTrm: number, futureId: string, nowMs: number): string;
  get(holdId: string): Hold | undefined;
  listActive(accountId?: string): Hold[];
  expiredBefore(nowMs: number, limit: number): Hold[];
}

/** Random bytes in a hold id (written as 32 lowercase hex characters): unguessable and collision-free. */
const HOLD_ID_BYTES = 16;

/** Throws `TypeError` unless `value` looks like a hold id. */
export function checkHoldId(value: unknown): asserts value is string {
  if (!isLowerHex(value, HOLD_ID_BYTES)) throw new TypeError(`"holdId" expected 32 lowercase hex characters`);
}

export function createHolds(db: Database.Database, accounts: Accounts): Holds {
  const insert = db.prepare(
    "INSERT INTO holds (hold_id, account_id, amount_trm, reason, created_ms, expires_ms, status) VALUES (?, ?, ?, ?, ?, ?, 'active')",
  );
  const select = db.prepare("SELECT * FROM holds WHERE hold_id = ?");
  const countActive = db.prepare(
    "SELECT count(*) AS n FROM holds WHERE account_id = ? AND status = 'active'",
  );
  const update = db.prepare(
    "UPDATE holds SET status = ?, settled_trm = ?, trade_id = ?, closed_ms = ? WHERE hold_id = ? AND status = 'active'",
  );
  const listAll = db.prepare("SELECT * FROM holds WHERE status = 'active' ORDER BY created_ms, hold_id");
  const listOf = db.prepare(
    "SELECT * FROM holds WHERE status = 'active' AND account_id = ? ORDER BY created_ms, hold_id",
  );
  const expired = db.prepare(
    "SELECT * FROM holds WHERE status = 'active' AND expires_ms <= ? ORDER BY expires_ms, hold_id LIMIT ?",
  );
  const insertCollateral = db.prepare(
    "INSERT INTO holds (hold_id, account_id, amount_trm, reason, created_ms, expires_ms, status, loan_id) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
  );
  const insertCoverage = db.prepare(
    "INSERT INTO holds (hold_id, account_id, amount_trm, reason, created_ms, expires_ms, status, policy_id) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
  );
  const insertMargin = db.prepare(
    "INSERT INTO holds (hold_id, account_id, amount_trm, reason, created_ms, expires_ms, status, future_id) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
  );
  const get = (holdId: string) => select.get(holdId) as Hold | undefined;
  /** Throws HOLD_LIMIT or INSUFFICIENT_BALANCE unless `account` can hold `amountTrm` more. */
  function checkRoom(account: string, amountTrm: number, nowMs: number): void {
    const row = accounts.ensure(account, nowMs);
    const { n } = countActive.get(account) as { n: number };
    if (n >= HOLDS_PER_ACCOUNT_MAX) {
      throw new LedgerError(
        LedgerErrorCode.HOLD_LIMIT,
        `account has ${n} active holds (max ${HOLDS_PER_ACCOUNT_MAX})`,
      );
    }
    const effectiveTrm = row.balance_trm - row.reserved_trm;
    if (amountTrm > effectiveTrm) {
      throw new LedgerError(
        LedgerErrorCode.INSUFFICIENT_BALANCE,
        `cannot reserve ${amountTrm} TRM: effective balance is ${effectiveTrm}`,
        {
          details: { account, requested_trm: amountTrm, effective_balance_trm: effectiveTrm },
        },
      );
    }
  }
  return {
    reserve(request, nowMs) {
      checkAccountId(request.account, "account");
      assertAmountTrm(request.amountTrm, "amountTrm");
      if (request.amountTrm === 0) throw new RangeError(`"amountTrm" must be positive for a hold`);
      checkReason(request.reason);
      const ttlMs = request.ttlMs ?? HOLD_TTL_MS_DEFAULT;
      if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > HOLD_TTL_MS_MAX) {
        throw new RangeError(`"ttlMs" expected an integer from 1 to ${HOLD_TTL_MS_MAX}`);
      }
      checkRoom(request.account, request.amountTrm, nowMs);
      const holdId = randomBytes(HOLD_ID_BYTES).toString("hex");
      insert.run(holdId, request.account, request.amountTrm, request.reason, nowMs, nowMs + ttlMs);
      accounts.addReserved(request.account, request.amountTrm);
      return holdId;
    },
    active(holdId, nowMs) {
      checkHoldId(holdId);
      const hold = get(holdId);
      // A loan's collateral is closed by its loan only: to every other caller it is not a hold to settle.
      if (
        hold === undefined ||
        hold.status !== "active" ||
        hold.expires_ms <= nowMs ||
        hold.loan_id !== null ||
        hold.policy_id !== null ||
        hold.future_id !== null
      ) {
        throw new LedgerError(LedgerErrorCode.HOLD_NOT_FOUND, `no active hold ${holdId}`, {
          details: {
            hold_id: holdId,
            status:
              hold === undefined
                ? "unknown"
                : hold.loan_id !== null && hold.status === "active"
                  ? "loan_collateral"
                  : hold.policy_id !== null && hold.status === "active"
                    ? "insurance_coverage"
                    : hold.status === "active"
                      ? "expired"
                      : hold.status,
          },
        });
      }
      return hold;
    },
    close(hold, status, settledTrm, tradeId, nowMs) {
      const result = update.run(status, settledTrm, tradeId, nowMs, hold.hold_id);
      if (result.changes !== 1) throw new Error(`holds: ${hold.hold_id} was not active`);
      accounts.addReserved(hold.account_id, -hold.amount_trm);
    },
    lockCollateral(account, amountTrm, loanId, nowMs) {
      checkRoom(account, amountTrm, nowMs);
      const holdId = randomBytes(HOLD_ID_BYTES).toString("hex");
      insertCollateral.run(
        holdId,
        account,
        amountTrm,
        `collateral of loan ${loanId}`,
        nowMs,
        Number.MAX_SAFE_INTEGER,
        loanId,
      );
      accounts.addReserved(account, amountTrm);
      return holdId;
    },
    lockCoverage(account, amountTrm, policyId, nowMs) {
      checkRoom(account, amountTrm, nowMs);
      const holdId = randomBytes(HOLD_ID_BYTES).toString("hex");
      insertCoverage.run(
        holdId,
        account,
        amountTrm,
        `coverage of insurance policy ${policyId}`,
        nowMs,
        Number.MAX_SAFE_INTEGER,
        policyId,
      );
      accounts.addReserved(account, amountTrm);
      return holdId;
    },
    lockMargin(account, amountTrm, futureId, nowMs) {
      checkRoom(account, amountTrm, nowMs);
      const holdId = randomBytes(HOLD_ID_BYTES).toString("hex");
      insertMargin.run(
        holdId,
        account,
        amountTrm,
        `margin of future ${futureId}`,
        nowMs,
        Number.MAX_SAFE_INTEGER,
        futureId,
      );
      accounts.addReserved(account, amountTrm);
      return holdId;
    },
    get,
    listActive(accountId) {
      return (accountId === undefined ? listAll.all() : listOf.all(accountId)) as Hold[];
    },
    expiredBefore(nowMs, limit) {
      return expired.all(nowMs, limit) as Hold[];
    },
  };
}
