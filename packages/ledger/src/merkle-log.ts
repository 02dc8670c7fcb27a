/**
 * The ledger's Merkle log: the RFC 9162 tree over every applied trade, leaves ordered by
 * (timestamp_ms, trade_id) so two nodes with the same trade set get the same root whatever the arrival
 * order. Leaf hashes are stored with each trade; the leaf list is cached in memory and dropped whenever
 * this ledger writes a trade (one writer process per database file).
 * @module
 */
import type Database from "better-sqlite3";
import { toHex } from "@tirami/core";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { inclusionProof, merkleRoot } from "./merkle/tree.js";

/** An inclusion proof for one trade, hex-encoded for JSON. Verify with `verifyInclusion`. */
export interface TradeProof {
  trade_id: string;
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  /** Audit path, sibling first (RFC 9162 §2.1.3.1). */
  proof: string[];
  root: string;
}

export interface MerkleLog {
  /** Root of all applied trades, 64 hex characters. */
  root(): string;
  proof(tradeId: string): TradeProof;
  /** Forget cached leaves (after a write). */
  invalidate(): void;
  /** Leaf hashes of the trades with `fromMs ≤ timestamp_ms < toMs`, in leaf order. */
  leavesInWindow(fromMs: number, toMs: number): Uint8Array[];
}

interface LeafCache {
  ids: string[];
  hashes: Uint8Array[];
  root: Uint8Array;
}

export function createMerkleLog(db: Database.Database): MerkleLog {
  const selectAll = db
    .prepare("SELECT trade_id, leaf_hash FROM trades ORDER BY timestamp_ms, trade_id")
    .raw(true);
  const selectWindow = db
    .prepare(
      "SELECT leaf_hash FROM trades WHERE timestamp_ms >= ? AND timestamp_ms < ? ORDER BY timestamp_ms, trade_id",
    )
    .pluck(true);
  let cache: LeafCache | undefined;
  function load(): LeafCache {
    if (cache !== undefined) return cache;
    const rows = selectAll.all() as [string, Uint8Array][];
    const ids = rows.map((r) => r[0]);
    const hashes = rows.map((r) => new Uint8Array(r[1]));
    cache = { ids, hashes, root: merkleRoot(hashes) };
    return cache;
  }
  return {
    root: () => toHex(load().root),
    proof(tradeId) {
      const leaves = load();
      const index = leaves.ids.indexOf(tradeId);
      if (index < 0)
        throw new LedgerError(LedgerErrorCode.TRADE_NOT_FOUND, `no trade ${tradeId}`, {
          details: { trade_id: tradeId },
        });
      return {
        trade_id: tradeId,
        leaf_index: index,
        tree_size: leaves.hashes.length,
        leaf_hash: toHex(leaves.hashes[index]!),
        proof: inclusionProof(index, leaves.hashes).map(toHex),
        root: toHex(leaves.root),
      };
    },
    invalidate() {
      cache = undefined;
    },
    leavesInWindow(fromMs, toMs) {
      return (selectWindow.all(fromMs, toMs) as Uint8Array[]).map((h) => new Uint8Array(h));
    },
  };
}
