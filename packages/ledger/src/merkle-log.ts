/**
 * The ledger's Merkle log: the RFC 9162 tree over every applied trade and loan event (docs/lending.md),
 * leaves ordered by (timestamp_ms, id) so two nodes with the same set get the same root whatever the arrival
 * order. Leaves are domain-separated by kind: each hashes canonical bytes that begin with their own domain
 * (`tirami/trade/v1`, `tirami/loan/v1`, `tirami/loan-repayment/v1`, `tirami/loan-default/v1`). Leaf hashes are stored with each trade; the tree is loaded once and then updated in memory as this
 * ledger commits trades (one writer process per database file: the file is opened exclusively).
 * @module
 */
import type { TradeProof as WireTradeProof } from "@tirami/client";
import type Database from "better-sqlite3";
import { toHex } from "@tirami/core";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { IncrementalTree } from "./merkle/incremental.js";
import { inclusionProof } from "./merkle/tree.js";

/** An inclusion proof for one trade, hex-encoded for JSON. Verify with `verifyInclusion`. */
export type TradeProof = WireTradeProof;

export interface MerkleLog {
  /** Root of all applied trades, 64 hex characters. */
  root(): string;
  proof(tradeId: string): TradeProof;
  /** Adds committed trades to the cached tree (when loaded); O(log n) each for in-order arrivals. */
  added(leaves: readonly AddedLeaf[]): void;
  /** Forget cached leaves. */
  invalidate(): void;
  /** Leaf hashes of the trades with `fromMs ≤ timestamp_ms < toMs`, in leaf order. */
  leavesInWindow(fromMs: number, toMs: number): Uint8Array[];
}

/** A committed trade's leaf. */
export interface AddedLeaf {
  tradeId: string;
  timestampMs: number;
  leafHash: Uint8Array;
}

interface LeafCache {
  ids: string[];
  timestamps: number[];
  tree: IncrementalTree;
}

/** First index whose (timestamp, id) sorts after the given key: the leaf order of docs/architecture.md §5. */
function insertionPoint(cache: LeafCache, timestampMs: number, tradeId: string): number {
  let lo = 0;
  let hi = cache.ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = cache.timestamps[mid]!;
    if (t < timestampMs || (t === timestampMs && cache.ids[mid]! < tradeId)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createMerkleLog(db: Database.Database): MerkleLog {
  const selectAll = db
    .prepare(
      `SELECT trade_id, timestamp_ms, leaf_hash FROM trades
       UNION ALL SELECT event_id, timestamp_ms, leaf_hash FROM loan_events
       UNION ALL SELECT event_id, timestamp_ms, leaf_hash FROM insurance_events
       UNION ALL SELECT event_id, timestamp_ms, leaf_hash FROM future_events ORDER BY 2, 1`,
    )
    .raw(true);
  const selectWindow = db
    .prepare(
      "SELECT leaf_hash FROM trades WHERE timestamp_ms >= ? AND timestamp_ms < ? ORDER BY timestamp_ms, trade_id",
    )
    .pluck(true);
  let cache: LeafCache | undefined;
  function load(): LeafCache {
    if (cache !== undefined) return cache;
    const rows = selectAll.all() as [string, number, Uint8Array][];
    cache = {
      ids: rows.map((r) => r[0]),
      timestamps: rows.map((r) => r[1]),
      tree: new IncrementalTree(rows.map((r) => new Uint8Array(r[2]))),
    };
    return cache;
  }
  return {
    root: () => toHex(load().tree.root()),
    proof(tradeId) {
      const leaves = load();
      const index = leaves.ids.indexOf(tradeId);
      const hashes = leaves.tree.leaves();
      if (index < 0)
        throw new LedgerError(LedgerErrorCode.TRADE_NOT_FOUND, `no trade ${tradeId}`, {
          details: { trade_id: tradeId },
        });
      return {
        trade_id: tradeId,
        leaf_index: index,
        tree_size: hashes.length,
        leaf_hash: toHex(hashes[index]!),
        proof: inclusionProof(index, hashes).map(toHex),
        root: toHex(leaves.tree.root()),
      };
    },
    added(leaves) {
      if (cache === undefined) return;
      for (const leaf of leaves) {
        const position = insertionPoint(cache, leaf.timestampMs, leaf.tradeId);
        cache.ids.splice(position, 0, leaf.tradeId);
        cache.timestamps.splice(position, 0, leaf.timestampMs);
        cache.tree.insert(position, leaf.leafHash);
      }
    },
    invalidate() {
      cache = undefined;
    },
    leavesInWindow(fromMs, toMs) {
      return (selectWindow.all(fromMs, toMs) as Uint8Array[]).map((h) => new Uint8Array(h));
    },
  };
}
