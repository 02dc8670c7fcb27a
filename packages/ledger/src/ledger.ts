/**
 * `openLedger`: the facade the node app codes against. It wires accounts, journal, holds, trades, the
 * Merkle log, settlement and verify over one SQLite connection, and runs every money-moving write in a
 * better-sqlite3 `BEGIN IMMEDIATE` transaction, so a rejected operation changes nothing.
 * @module
 */
import type Database from "better-sqlite3";
import type { Kysely } from "kysely";
import { type AccountId, assertAmountTrm } from "@tirami/core";
import { type AccountBalance, checkAccountId, checkReason, createAccounts, toBalance } from "./accounts.js";
import { type Admission, createAdmission } from "./admission.js";
import { type LedgerConfig, type OpenLedgerOptions, resolveConfig } from "./config.js";
import { createKysely, type LedgerTables } from "./db/kysely.js";
import { LEDGER_MIGRATIONS } from "./db/migrations.js";
import { openDatabase } from "./db/open.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { EXPIRED_SWEEP_BATCH_MAX, JOURNAL_PAGE_MAX, TRADE_BATCH_MAX } from "./constants.js";
import { checkHoldId, createHolds, type Hold, type ReserveRequest } from "./holds.js";
import { REQUEST_HOLD_REASON_PREFIXES } from "./spend/constants.js";
import { createJournal, type JournalEntry } from "./journal.js";
import { createMerkleLog, type TradeProof } from "./merkle-log.js";
import { createSettlement, type SettlementRequest, type SettlementStatement } from "./settlement.js";
import {
  checkTradeId,
  createTradeQueries,
  type ListTradesRequest,
  type TradesAfterRequest,
} from "./trade-queries.js";
import type { StoredTrade } from "./trade-rows.js";
import {
  type ApplyTradeOptions,
  type ApplyTradeResult,
  createTradeApplier,
  verifySignedTrade,
} from "./trades.js";
import { createTradeIngest, type IngestOptions, type TradeIngest } from "./ingest.js";
import { type BatchTradeResult, createTradeWriter } from "./trade-writer.js";

export type { BatchTradeResult };
import { createVerifier, type VerifyReport } from "./verify.js";
import { createPricing, type Pricing } from "./pricing/index.js";
import { createReputation, type Reputation } from "./reputation/index.js";
import { createSafetyGate, type SafetyGate } from "./safety/index.js";
import { createCredit, createLoanBook, createLoanGate, createLoans, type Loans } from "./loans/index.js";
import { createInsurance, createInsuranceBook, type Insurance } from "./insurance/index.js";
import { createFutures, createFuturesBook, type Futures } from "./futures/index.js";

/** Ledger configuration as resolved at open (defaults filled in). */
export type { LedgerConfig };

/** Result of `settle`. */
export interface HoldSettlement {
  hold_id: string;
  account_id: string;
  settled_trm: number;
  released_trm: number;
}

export interface GrantRequest {
  account: AccountId;
  amountTrm: number;
  /** Logged in the journal with the grant. */
  reason: string;
}

/** The node's ledger. Every method is synchronous; every money-moving one is one IMMEDIATE transaction. */
export interface Ledger {
  readonly config: Readonly<LedgerConfig>;
  /** The raw better-sqlite3 handle, for services that share the connection (safety, pricing, reputation). */
  readonly sqlite: Database.Database;
  /** Typed async kysely view on the same connection, for reads. */
  readonly db: Kysely<LedgerTables>;
  /** Safety gate (kill switch, breakers, budgets, approvals) on the same database. */
  readonly safety: SafetyGate;
  /** Dynamic pricing; its deflation input is this ledger's trade count. */
  readonly pricing: Pricing;
  /** Reputation; every applied trade records a success for its provider, in the trade's transaction. */
  readonly reputation: Reputation;
  /** Loans: dual-signed contracts, repayments, defaults, credit and the lending gate (docs/lending.md). */
  readonly loans: Loans;
  /** Insurance on loans: dual-signed policies, premiums, payouts on default, expiry (docs/bank.md). */
  readonly insurance: Insurance;
  /** Compute futures: dual-signed, margins held, settled against the trade log (docs/bank.md). */
  readonly futures: Futures;

  /** Balances of an account; an unseen account reports its implicit free tier with `known: false`. */
  balance(account: AccountId): AccountBalance;
  /** Like `balance`, but throws UNKNOWN_ACCOUNT for an account never seen. */
  getAccount(account: AccountId): AccountBalance;
  listAccounts(): AccountBalance[];
  /** Journal entries of one account, oldest first (`afterEntryId` exclusive cursor, `limit` ≤ 1,000). */
  journal(account: AccountId, options?: { afterEntryId?: number; limit?: number }): JournalEntry[];
  /** Operator grant: credits `amountTrm` (> 0) with a logged reason. Returns the new balance. */
  grant(request: GrantRequest): AccountBalance;
  /** Provider-side admission check (provider defaults to `localAccount`); throws CONSUMER_NOT_ADMITTED. */
  admitConsumer(consumer: AccountId, amountTrm: number, options?: { provider?: AccountId }): Admission;

  /** Reserves TRM on an account; returns the hold id (32 hex). INSUFFICIENT_BALANCE, HOLD_LIMIT. */
  reserve(request: ReserveRequest): string;
  /** Closes a hold as settled at `actualTrm` ≤ its amount (HOLD_EXCEEDED otherwise). Moves no money. */
  settle(holdId: string, actualTrm: number): HoldSettlement;
  /** Releases an active hold. HOLD_NOT_FOUND if not active. */
  release(holdId: string): void;
  /** Releases every hold expired at `nowMs` (default: clock). Returns how many. */
  releaseExpiredHolds(nowMs?: number): number;
  /**
   * Releases every active hold taken for one request (`REQUEST_HOLD_REASON_PREFIXES`: the spend path's
   * and a provider's), each closed as `released` like any release, and returns them. Only for when no
   * request of this ledger can be in flight: a node calls it at start, under its home lock, so holds whose
   * requests died with the previous process (kill -9) do not lower balances until they expire.
   */
  releaseRequestHolds(): Hold[];
  getHold(holdId: string): Hold | undefined;
  listHolds(account?: AccountId): Hold[];

  /** Verifies and applies a dual-signed trade exactly once (see README for the checks and errors). */
  applySignedTrade(signed: unknown, options?: ApplyTradeOptions): ApplyTradeResult;
  /**
   * Applies up to TRADE_BATCH_MAX trades (e.g. one gossip batch) in one IMMEDIATE transaction; each trade
   * is checked alone before anything of it is written, so a rejected trade affects no other. Never throws
   * for a bad trade: its result says why.
   */
  applySignedTrades(batch: readonly unknown[], options?: { nowMs?: number }): BatchTradeResult[];
  /**
   * An ingest pipeline for mesh trades: signatures verified on worker threads, group commits on this
   * thread, each trade's promise resolved after its commit. Close it before closing the ledger.
   */
  createIngest(options?: IngestOptions): TradeIngest;
  getTrade(tradeId: string): StoredTrade | undefined;
  listTrades(request?: ListTradesRequest): StoredTrade[];
  /** Trades strictly after a cursor in Merkle-leaf order, oldest first, and whether more follow (sync). */
  tradesAfter(request: TradesAfterRequest): { trades: StoredTrade[]; more: boolean };
  tradeCount(): number;

  /** RFC 9162 root over all trades in (timestamp_ms, trade_id) order, 64 hex. */
  merkleRoot(): string;
  /** Inclusion proof of one trade in the current tree. TRADE_NOT_FOUND. */
  proof(tradeId: string): TradeProof;
  settlement(request: SettlementRequest): SettlementStatement;
  /** Full audit; read-only. */
  verify(): VerifyReport;
  close(): void;
}

/** Opens (creating and migrating if needed) the ledger at `options.path`. */
export function openLedger(options: OpenLedgerOptions): Ledger {
  const config = resolveConfig(options);
  const sqlite = openDatabase({
    path: config.path,
    synchronous: config.synchronous,
    exclusive: config.exclusive,
    migrations: LEDGER_MIGRATIONS,
  });
  const now = () => config.clock.nowMs();
  let closed = false;
  const open = () => {
    if (closed) throw new LedgerError(LedgerErrorCode.LEDGER_CLOSED, "ledger is closed");
  };
  const tx = <T>(fn: () => T): T => {
    open();
    return sqlite.transaction(fn).immediate();
  };
  const journal = createJournal(sqlite);
  const accounts = createAccounts(sqlite, journal, config.freeTierTrm);
  const holds = createHolds(sqlite, accounts);
  const merkle = createMerkleLog(sqlite);
  const trades = createTradeQueries(sqlite);
  const safety = createSafetyGate({
    db: sqlite,
    clock: config.clock,
    ...(options.safetyDefaults === undefined ? {} : { defaults: options.safetyDefaults }),
  });
  const reputation = createReputation({
    db: sqlite,
    clock: config.clock,
    ...(config.localAccount === undefined ? {} : { localAccount: config.localAccount }),
  });
  const applier = createTradeApplier({
    db: sqlite,
    accounts,
    journal,
    holds,
    freshnessWindowMs: config.freshnessWindowMs,
    freeTierTrm: config.freeTierTrm,
  });
  const admit = createAdmission(sqlite, accounts, config);
  const settlement = createSettlement(sqlite);
  const futuresBook = createFuturesBook({
    db: sqlite,
    accounts,
    journal,
    holds,
    freshnessWindowMs: config.freshnessWindowMs,
  });
  const verify = createVerifier(sqlite, futuresBook);
  const db = createKysely(sqlite);
  const writer = createTradeWriter({
    sqlite,
    applier,
    merkle,
    tx,
    countStored: () => trades.count(),
    // A completed dual-signed trade raises the provider's reputation, atomically with the trade.
    onApplied: (applied) => reputation.recordSuccesses(applied.map((trade) => trade.provider)),
  });
  const ingests: TradeIngest[] = [];
  const pricing = createPricing({ db: sqlite, clock: config.clock, tradesTotal: () => writer.count() });
  const insuranceBook = createInsuranceBook({
    db: sqlite,
    accounts,
    journal,
    holds,
    freshnessWindowMs: config.freshnessWindowMs,
  });
  const insurance = createInsurance({ db: sqlite, book: insuranceBook, merkle, tx, now, open });
  const futures = createFutures({ db: sqlite, book: futuresBook, merkle, tx, now, open });
  const loans = createLoans({
    db: sqlite,
    book: createLoanBook({
      db: sqlite,
      accounts,
      journal,
      holds,
      reputation,
      freshnessWindowMs: config.freshnessWindowMs,
      now,
      onDefault: (loanId, defaultMs, nowMs) => insuranceBook.payOnDefault(loanId, defaultMs, nowMs),
    }),
    merkle,
    gate: createLoanGate({ db: sqlite, safety, localAccount: config.localAccount, nowMs: now }),
    credit: createCredit(sqlite, reputation, now),
    tx,
    now,
    open,
  });

  return {
    config: Object.freeze({ ...config }),
    sqlite,
    db,
    safety,
    pricing,
    reputation,
    loans,
    insurance,
    futures,
    balance(account) {
      open();
      checkAccountId(account, "account");
      return accounts.balance(account);
    },
    getAccount(account) {
      open();
      checkAccountId(account, "account");
      const row = accounts.row(account);
      if (row === undefined)
        throw new LedgerError(LedgerErrorCode.UNKNOWN_ACCOUNT, `unknown account ${account}`, {
          details: { account },
        });
      return toBalance(row);
    },
    listAccounts: () => (open(), accounts.list()),
    journal(account, { afterEntryId = 0, limit = 100 } = {}) {
      open();
      checkAccountId(account, "account");
      if (!Number.isSafeInteger(afterEntryId) || afterEntryId < 0)
        throw new RangeError(`"afterEntryId" expected a non-negative integer`);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > JOURNAL_PAGE_MAX)
        throw new RangeError(`"limit" expected 1..${JOURNAL_PAGE_MAX}`);
      return journal.entriesOf(account, afterEntryId, limit);
    },
    grant(request) {
      checkAccountId(request?.account, "account");
      assertAmountTrm(request.amountTrm, "amountTrm");
      if (request.amountTrm === 0) throw new RangeError(`"amountTrm" must be positive for a grant`);
      checkReason(request.reason);
      return tx(() => {
        const nowMs = now();
        accounts.ensure(request.account, nowMs);
        journal.append({
          accountId: request.account,
          kind: "grant",
          amountTrm: request.amountTrm,
          reason: request.reason,
          nowMs,
        });
        return toBalance(accounts.row(request.account)!);
      });
    },
    admitConsumer(consumer, amountTrm, admitOptions = {}) {
      const provider = admitOptions.provider ?? config.localAccount;
      if (provider === undefined)
        throw new LedgerError(
          LedgerErrorCode.NO_LOCAL_ACCOUNT,
          "admitConsumer needs a provider or localAccount",
        );
      return tx(() => admit(provider, consumer, amountTrm, now()));
    },
    reserve(request) {
      if (request === null || typeof request !== "object")
        throw new TypeError(`reserve expected a request object`);
      return tx(() => holds.reserve(request, now()));
    },
    settle(holdId, actualTrm) {
      checkHoldId(holdId);
      assertAmountTrm(actualTrm, "actualTrm");
      return tx(() => {
        const nowMs = now();
        const hold = holds.active(holdId, nowMs);
        if (actualTrm > hold.amount_trm) {
          throw new LedgerError(
            LedgerErrorCode.HOLD_EXCEEDED,
            `settle ${actualTrm} TRM exceeds hold of ${hold.amount_trm}`,
            {
              details: { hold_id: holdId, hold_trm: hold.amount_trm, actual_trm: actualTrm },
            },
          );
        }
        holds.close(hold, "settled", actualTrm, null, nowMs);
        return {
          hold_id: holdId,
          account_id: hold.account_id,
          settled_trm: actualTrm,
          released_trm: hold.amount_trm - actualTrm,
        };
      });
    },
    release(holdId) {
      checkHoldId(holdId);
      tx(() => {
        const nowMs = now();
        holds.close(holds.active(holdId, nowMs), "released", null, null, nowMs);
      });
    },
    releaseExpiredHolds(nowMs = now()) {
      if (!Number.isSafeInteger(nowMs) || nowMs < 0)
        throw new RangeError(`"nowMs" expected a non-negative integer`);
      return tx(() => {
        const expired = holds.expiredBefore(nowMs, EXPIRED_SWEEP_BATCH_MAX);
        for (const hold of expired) holds.close(hold, "expired", null, null, nowMs);
        return expired.length;
      });
    },
    releaseRequestHolds() {
      return tx(() => {
        const nowMs = now();
        const orphaned = holds
          .listActive()
          .filter((hold) => REQUEST_HOLD_REASON_PREFIXES.some((prefix) => hold.reason.startsWith(prefix)));
        for (const hold of orphaned) holds.close(hold, "released", null, null, nowMs);
        return orphaned.map((hold) => ({ ...hold, status: "released" as const, closed_ms: nowMs }));
      });
    },
    getHold: (holdId) => (open(), checkHoldId(holdId), holds.get(holdId)),
    listHolds(account) {
      open();
      if (account !== undefined) checkAccountId(account, "account");
      return holds.listActive(account);
    },
    applySignedTrade(signed, applyOptions = {}) {
      open();
      const nowMs = applyOptions.nowMs ?? now();
      if (!Number.isSafeInteger(nowMs) || nowMs < 0)
        throw new RangeError(`"nowMs" expected a non-negative integer`);
      if (applyOptions.holdId !== undefined) checkHoldId(applyOptions.holdId);
      return writer.applyOne(signed, nowMs, applyOptions.holdId);
    },
    applySignedTrades(batch, batchOptions = {}) {
      open();
      if (!Array.isArray(batch) || batch.length > TRADE_BATCH_MAX)
        throw new RangeError(`"batch" expected an array of at most ${TRADE_BATCH_MAX} trades`);
      const nowMs = batchOptions.nowMs ?? now();
      if (!Number.isSafeInteger(nowMs) || nowMs < 0)
        throw new RangeError(`"nowMs" expected a non-negative integer`);
      return writer.applyBatch(batch, nowMs);
    },
    createIngest(ingestOptions) {
      open();
      const ingest = createTradeIngest(
        {
          freshnessWindowMs: config.freshnessWindowMs,
          now,
          lookup: (signed) => (open(), applier.lookup(signed)),
          verify: (signed, nowMs) => verifySignedTrade(signed, nowMs, config.freshnessWindowMs),
          writeBatch: (items, nowMs) => (open(), writer.writeBatch(items, nowMs)),
        },
        ingestOptions,
      );
      ingests.push(ingest);
      return ingest;
    },
    getTrade: (tradeId) => (open(), trades.get(tradeId)),
    listTrades: (request) => (open(), trades.list(request)),
    tradesAfter: (request) => (open(), trades.after(request)),
    tradeCount: () => (open(), writer.count()),
    merkleRoot: () => (open(), merkle.root()),
    proof(tradeId) {
      open();
      checkTradeId(tradeId);
      return merkle.proof(tradeId);
    },
    settlement: (request) => (open(), settlement(request, now())),
    verify: () => (open(), verify()),
    close() {
      if (closed) return;
      closed = true;
      // Workers of ingests not closed by their owner: stop them (their pending trades fail closed).
      for (const ingest of ingests) void ingest.close().catch(() => undefined);
      sqlite.close();
    },
  };
}
