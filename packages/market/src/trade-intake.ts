/**
 * Taking in a signed trade from another node (gossip or sync): the ledger verifies both signatures, the
 * id and the amount, then applies it exactly once. The outcome decides what gossip does with it:
 *
 * - `applied` → forward; `exists` (a replay) → drop quietly, change nothing;
 * - `invalid` (bad signature, tampered content, same id with other content, bad amount) → reject: not
 *   forwarded, the delivering peer is penalised;
 * - `stale` (outside the freshness window) → drop. Sync, which carries trades that were fresh when they
 *   were made, re-applies a stale trade at its own timestamp (the ledger still refuses a replay by id);
 * - `unfunded` (signatures fine, but this node's view lacks the consumer's earlier income) → forward, and
 *   ask for a sync: the missing trades arrive in Merkle order and this one with them.
 * @module
 */
import { isTiramiError } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";

export type IntakeOutcome = "applied" | "exists" | "invalid" | "stale" | "unfunded";

/** The ledger calls intake makes. */
export type IntakeLedger = Pick<Ledger, "applySignedTrade">;

export interface IntakeResult {
  outcome: IntakeOutcome;
  tradeId: string | undefined;
  /** The ledger's error code when not applied. */
  code?: string;
}

const INVALID_CODES = new Set(["TRADE_INVALID", "TRADE_SIGNATURE_INVALID", "TRADE_CONFLICT"]);

function tradeIdOf(signed: unknown): string | undefined {
  const id = (signed as { trade_id?: unknown } | null)?.trade_id;
  return typeof id === "string" ? id : undefined;
}

function timestampOf(signed: unknown): number | undefined {
  const ts = (signed as { trade?: { timestamp_ms?: unknown } } | null)?.trade?.timestamp_ms;
  return typeof ts === "number" && Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined;
}

/** Applies one received signed trade; never throws for a bad trade (only for a closed ledger or a bug). */
export function intakeTrade(
  ledger: IntakeLedger,
  signed: unknown,
  options: { allowStale: boolean; nowMs?: number },
): IntakeResult {
  try {
    const result = ledger.applySignedTrade(
      signed,
      options.nowMs === undefined ? {} : { nowMs: options.nowMs },
    );
    return { outcome: result.status, tradeId: result.trade_id };
  } catch (error) {
    if (!isTiramiError(error)) throw error;
    if (INVALID_CODES.has(error.code))
      return { outcome: "invalid", tradeId: tradeIdOf(signed), code: error.code };
    if (error.code === "INSUFFICIENT_BALANCE")
      return { outcome: "unfunded", tradeId: tradeIdOf(signed), code: error.code };
    if (error.code === "TRADE_STALE") {
      const ts = timestampOf(signed);
      // Only the past: a trade stamped in the future is refused however it arrives.
      if (options.allowStale && ts !== undefined && ts <= Date.now())
        return intakeTrade(ledger, signed, { allowStale: false, nowMs: ts });
      return { outcome: "stale", tradeId: tradeIdOf(signed), code: error.code };
    }
    if (error.code === "LEDGER_CLOSED") throw error;
    return { outcome: "invalid", tradeId: tradeIdOf(signed), code: error.code };
  }
}
