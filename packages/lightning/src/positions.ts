/**
 * Net positions of a settlement window: for this node and each counterparty, the TRM this node earned
 * from it minus what it spent with it over the window's trades — exchange trades excluded (they are the
 * settlements and deposits themselves) — and whether the window is already settled between them (an
 * exchange trade of theirs whose window overlaps it).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import { EXCHANGE_MODEL_ID, type SettlementWindow, windowsOverlap } from "./exchange.js";
import type { ExchangeRecord } from "./store.js";

/** This node's position towards one counterparty over a window. */
export interface Position {
  counterparty: AccountId;
  /** TRM earned from the counterparty minus TRM spent with it; negative: this node is the debtor. */
  net_trm: number;
  trade_count: number;
  /** The exchange trade that settled an overlapping window between the two, if any. */
  settled_by: string | null;
}

/** Net of `self` towards `counterparty` over the window, from this ledger's trades. */
export function positionsOf(
  ledger: Pick<Ledger, "settlement">,
  self: AccountId,
  window: SettlementWindow,
  exchanges: readonly ExchangeRecord[],
): Position[] {
  const statement = ledger.settlement({ fromMs: window.startMs, toMs: window.endMs });
  const byAccount = new Map<AccountId, Position>();
  for (const trade of statement.trades) {
    if (trade.trade.model_id === EXCHANGE_MODEL_ID) continue;
    const { provider, consumer, amount_trm } = trade.trade;
    if (provider !== self && consumer !== self) continue;
    const other = provider === self ? consumer : provider;
    let p = byAccount.get(other);
    if (p === undefined) {
      p = { counterparty: other, net_trm: 0, trade_count: 0, settled_by: null };
      byAccount.set(other, p);
    }
    p.net_trm += provider === self ? amount_trm : -amount_trm;
    p.trade_count += 1;
  }
  for (const x of exchanges) {
    if (x.window === null || !windowsOverlap(x.window, window)) continue;
    const other = x.buyer === self ? x.seller : x.seller === self ? x.buyer : undefined;
    const p = other === undefined ? undefined : byAccount.get(other);
    if (p !== undefined && p.settled_by === null) p.settled_by = x.trade_id;
  }
  return [...byAccount.values()].sort(
    (a, b) => a.net_trm - b.net_trm || (a.counterparty < b.counterparty ? -1 : 1),
  );
}
