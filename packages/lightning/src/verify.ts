/**
 * The Lightning audit, beside `ledger.verify()` (which already re-checks every exchange trade's
 * signatures, id and journal entries, as for any trade): each trade of `model_id` `tirami/exchange/v1`
 * must carry well-formed terms (preimage, msat, window; input-priced at 1 TRM per token); no two
 * settlements between the same two accounts may cover overlapping windows; and every payment recorded
 * as exchanged must point to a trade whose preimage hashes to its payment hash. Read-only.
 * @module
 */
import type Database from "better-sqlite3";
import { EXCHANGE_MODEL_ID, parseExchange, windowsOverlap } from "./exchange.js";
import type { ExchangeRecord, LightningStore } from "./store.js";

/** One finding. */
export interface LightningIssue {
  kind: "malformed_exchange" | "overlapping_settlement" | "payment_trade_mismatch";
  id: string;
  message: string;
}

/** The audit's result. */
export interface LightningVerifyReport {
  ok: boolean;
  exchanges: number;
  issues: LightningIssue[];
}

/** Most issues reported (the audit stops listing after that many). */
export const LIGHTNING_ISSUES_MAX = 100;

/** Audits the Lightning records of the ledger at `db`. */
export function verifyLightning(db: Database.Database, store: LightningStore): LightningVerifyReport {
  const issues: LightningIssue[] = [];
  const add = (issue: LightningIssue) => {
    if (issues.length < LIGHTNING_ISSUES_MAX) issues.push(issue);
  };
  const rows = db
    .prepare(
      `SELECT trade_id, model_id, request_id, prompt_tokens, completion_tokens, price_trm_per_token, amount_trm
       FROM trades WHERE model_id = ? LIMIT 100000`,
    )
    .all(EXCHANGE_MODEL_ID) as Array<Parameters<typeof parseExchange>[0] & { trade_id: string }>;
  for (const row of rows) {
    if (parseExchange(row) === null)
      add({
        kind: "malformed_exchange",
        id: row.trade_id,
        message: "an exchange trade without well-formed terms",
      });
  }
  const exchanges = store.exchanges();
  const settlements = exchanges.filter(
    (x): x is ExchangeRecord & { window: NonNullable<ExchangeRecord["window"]> } => x.window !== null,
  );
  const pair = (x: ExchangeRecord) => [x.buyer, x.seller].sort().join(":");
  for (let i = 0; i < settlements.length; i++) {
    for (let j = i + 1; j < settlements.length; j++) {
      const [x, y] = [settlements[i]!, settlements[j]!];
      if (pair(x) === pair(y) && windowsOverlap(x.window, y.window))
        add({
          kind: "overlapping_settlement",
          id: y.trade_id,
          message: `overlaps the window settled by ${x.trade_id}`,
        });
    }
  }
  const byTrade = new Map(exchanges.map((x) => [x.trade_id, x]));
  for (const payment of store.payments()) {
    if (payment.status !== "exchanged") continue;
    const trade = byTrade.get(payment.trade_id as string);
    if (trade === undefined || trade.payment_hash !== payment.payment_hash)
      add({
        kind: "payment_trade_mismatch",
        id: payment.payment_hash,
        message: "the exchanged payment's trade is missing or for another invoice",
      });
  }
  return { ok: issues.length === 0, exchanges: exchanges.length, issues };
}
