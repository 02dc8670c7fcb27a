/**
 * Which spender paid for each recent trade this node bought: noted by the spend path when a spend
 * settles (before the market announces the trade), read by the trade stream so an agent sees only its
 * own purchases. In memory and bounded: the stream only needs trades made while it is open.
 * @module
 */

/** Trades remembered; the oldest is forgotten past this (an agent is capped at 30 spends a minute). */
export const TRADE_OWNERS_MAX = 10_000;

/** The spender of each recent purchase. */
export interface TradeOwners {
  note(tradeId: string, spender: string): void;
  /** The spender who paid for `tradeId`, if this node bought it recently. */
  ownerOf(tradeId: string): string | undefined;
}

/** Creates an empty, bounded record (insertion order: a Map forgets its oldest key first). */
export function createTradeOwners(max = TRADE_OWNERS_MAX): TradeOwners {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError("max expected a positive integer");
  const owners = new Map<string, string>();
  return {
    note(tradeId, spender) {
      owners.delete(tradeId);
      owners.set(tradeId, spender);
      if (owners.size > max) owners.delete(owners.keys().next().value as string);
    },
    ownerOf: (tradeId) => owners.get(tradeId),
  };
}
