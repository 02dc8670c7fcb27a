/**
 * Committing verified trades: one trade per IMMEDIATE transaction (`applyOne`), or many in one
 * transaction (`writeBatch`, used by `applySignedTrades` and the ingest pipeline). After each commit the
 * Merkle cache and the trade count learn about the new trades.
 * @module
 */
import type Database from "better-sqlite3";
import { assert, TiramiError } from "@tirami/core";
import { LedgerError } from "./errors.js";
import type { AddedLeaf, MerkleLog } from "./merkle-log.js";
import type { Trade } from "@tirami/proto";
import type { ApplyTradeResult, TradeApplier, VerifiedTrade } from "./trades.js";

/** Per-trade outcome of a batch, in input order. */
export type BatchTradeResult =
  ApplyTradeResult | { status: "rejected"; trade_id: string | null; code: string; message: string };

export interface TradeWriterDeps {
  sqlite: Database.Database;
  applier: TradeApplier;
  merkle: MerkleLog;
  /** Runs `fn` in an IMMEDIATE transaction (throws LEDGER_CLOSED when closed). */
  tx: <T>(fn: () => T) => T;
  countStored: () => number;
  /**
   * Called inside the transaction with the trades it applied (e.g. reputation), once per transaction
   * rather than once per trade; a throw rolls the whole transaction back.
   */
  onApplied?: (trades: readonly Trade[], nowMs: number) => void;
}

/** A typed error as a batch result; anything else is a bug and propagates. */
export function rejected(signed: unknown, error: unknown): BatchTradeResult {
  if (!(error instanceof TiramiError)) throw error;
  const id = (signed as { trade_id?: unknown } | null)?.trade_id;
  return {
    status: "rejected",
    trade_id: typeof id === "string" ? id : null,
    code: error.code,
    message: error.message,
  };
}

export function createTradeWriter(deps: TradeWriterDeps) {
  const { sqlite, applier, merkle, tx } = deps;
  const totalChanges = sqlite.prepare("SELECT total_changes()").pluck(true);
  const writeOne = sqlite.transaction(
    (verified: VerifiedTrade, nowMs: number, holdId: string | undefined) => {
      const applied = applier.write(verified, nowMs, holdId);
      if (applied) deps.onApplied?.([verified.trade], nowMs);
      return applied;
    },
  );
  const leafOf = (v: VerifiedTrade): AddedLeaf => ({
    tradeId: v.tradeId,
    timestampMs: v.trade.timestamp_ms,
    leafHash: v.leafHash,
  });
  /** Trades in the database; counted once, then kept current as trades commit. */
  let tradeTotal: number | undefined;

  function committed(leaves: readonly AddedLeaf[]): void {
    merkle.added(leaves);
    if (tradeTotal !== undefined) tradeTotal += leaves.length;
  }

  /** Verifies and applies one trade in its own IMMEDIATE transaction. */
  function applyOne(signed: unknown, nowMs: number, holdId: string | undefined): ApplyTradeResult {
    const checked = applier.check(signed, nowMs);
    if ("exists" in checked) return { status: "exists", trade_id: checked.exists };
    if (!writeOne.immediate(checked, nowMs, holdId)) return { status: "exists", trade_id: checked.tradeId };
    committed([leafOf(checked)]);
    return { status: "applied", trade_id: checked.tradeId };
  }

  /** Writes verified trades in one IMMEDIATE transaction; each is checked and applied alone. */
  function writeBatch(items: readonly VerifiedTrade[], nowMs: number): BatchTradeResult[] {
    if (items.length === 0) return [];
    const added: AddedLeaf[] = [];
    const appliedTrades: Trade[] = [];
    const results = tx(() => {
      const out = items.map((verified): BatchTradeResult => {
        // No savepoint per trade: `write` throws a LedgerError only before its first write. The change
        // counter proves it; anything else aborts (and rolls back) the whole batch.
        const changesBefore = totalChanges.get() as number;
        try {
          if (!applier.write(verified, nowMs, undefined))
            return { status: "exists", trade_id: verified.tradeId };
          added.push(leafOf(verified));
          appliedTrades.push(verified.trade);
          return { status: "applied", trade_id: verified.tradeId };
        } catch (error) {
          if (!(error instanceof LedgerError)) throw error;
          assert(totalChanges.get() === changesBefore, "a rejected trade wrote to the ledger");
          return rejected({ trade_id: verified.tradeId }, error);
        }
      });
      if (appliedTrades.length > 0) deps.onApplied?.(appliedTrades, nowMs);
      return out;
    });
    committed(added);
    return results;
  }

  /** Checks every trade, then writes the verified ones in one transaction. Results in input order. */
  function applyBatch(batch: readonly unknown[], nowMs: number): BatchTradeResult[] {
    const results: BatchTradeResult[] = new Array(batch.length);
    const pending: { index: number; verified: VerifiedTrade }[] = [];
    batch.forEach((signed, index) => {
      try {
        const checked = applier.check(signed, nowMs);
        if ("exists" in checked) results[index] = { status: "exists", trade_id: checked.exists };
        else pending.push({ index, verified: checked });
      } catch (error) {
        results[index] = rejected(signed, error);
      }
    });
    const written = writeBatch(
      pending.map((p) => p.verified),
      nowMs,
    );
    pending.forEach(({ index }, i) => {
      results[index] = written[i]!;
    });
    return results;
  }

  return { applyOne, applyBatch, writeBatch, count: () => (tradeTotal ??= deps.countStored()) };
}
