/**
 * The lightning records on the ledger's database (tables of migration `007_lightning`): payments this
 * node made or invoiced, anchors it prepared, and the exchange trades (settlements, deposits) it holds,
 * read back from `trades`. Statements are prepared once; writes are single statements or run inside the
 * caller's IMMEDIATE transaction.
 * @module
 */
import type Database from "better-sqlite3";
import type { AccountId } from "@tirami/core";
import { ANCHORS_LIST_MAX, PAYMENTS_LIST_MAX } from "./constants.js";
import { EXCHANGE_MODEL_ID, type ExchangeTerms, parseExchange, type SettlementWindow } from "./exchange.js";
import type { BitcoinNetwork } from "./network.js";

/** Exchange trades read at once (settlements and deposits this ledger holds). */
export const EXCHANGES_SCAN_MAX = 100_000;

export type PaymentStatus = "pending" | "paid" | "exchanged" | "failed" | "expired";

/** One row of `lightning_payments`. */
export interface PaymentRecord {
  payment_hash: string;
  direction: "outgoing" | "incoming";
  purpose: "settlement" | "deposit";
  counterparty: AccountId;
  amount_trm: number;
  amount_msat: number;
  window_start_ms: number | null;
  window_end_ms: number | null;
  bolt11: string;
  expires_at_ms: number;
  status: PaymentStatus;
  preimage: string | null;
  hold_id: string | null;
  trade_id: string | null;
  created_ms: number;
  updated_ms: number;
}

/** One row of `lightning_anchors`. */
export interface AnchorRecord {
  window_start_ms: number;
  window_end_ms: number;
  network: BitcoinNetwork;
  merkle_root: string;
  trade_count: number;
  created_ms: number;
  txid: string | null;
  txid_reported_ms: number | null;
}

/** An exchange trade as this ledger holds it. */
export interface ExchangeRecord extends ExchangeTerms {
  trade_id: string;
  /** The buyer of TRM (the trade's provider): for a settlement, the debtor that paid. */
  buyer: AccountId;
  /** The seller of TRM (the trade's consumer): for a settlement, the creditor that was paid. */
  seller: AccountId;
  amount_trm: number;
  timestamp_ms: number;
}

interface ExchangeRow {
  trade_id: string;
  provider: AccountId;
  consumer: AccountId;
  amount_trm: number;
  prompt_tokens: number;
  completion_tokens: number;
  price_trm_per_token: number;
  model_id: string;
  request_id: string;
  timestamp_ms: number;
}

/** Builds the store over the ledger's database. */
export function createLightningStore(db: Database.Database) {
  const insertPayment = db.prepare(
    `INSERT INTO lightning_payments (payment_hash, direction, purpose, counterparty, amount_trm, amount_msat,
       window_start_ms, window_end_ms, bolt11, expires_at_ms, status, preimage, hold_id, trade_id, created_ms, updated_ms)
     VALUES (@payment_hash, @direction, @purpose, @counterparty, @amount_trm, @amount_msat, @window_start_ms,
       @window_end_ms, @bolt11, @expires_at_ms, @status, @preimage, @hold_id, @trade_id, @created_ms, @updated_ms)`,
  );
  const getPayment = db.prepare("SELECT * FROM lightning_payments WHERE payment_hash = ?");
  const setStatus = db.prepare(
    "UPDATE lightning_payments SET status = ?, preimage = coalesce(?, preimage), trade_id = ?, updated_ms = ? WHERE payment_hash = ?",
  );
  const byWindow = db.prepare(
    `SELECT * FROM lightning_payments WHERE counterparty = ? AND direction = ? AND purpose = 'settlement'
       AND window_start_ms < ? AND ? < window_end_ms ORDER BY created_ms`,
  );
  const recent = db.prepare("SELECT * FROM lightning_payments ORDER BY created_ms DESC LIMIT ?");
  const paidDeposit = db.prepare(
    `SELECT * FROM lightning_payments WHERE counterparty = ? AND direction = 'outgoing' AND purpose = 'deposit'
       AND status = 'paid' AND amount_trm = ? ORDER BY created_ms LIMIT 1`,
  );
  const outgoingSince = db
    .prepare(
      "SELECT coalesce(sum(amount_msat), 0) FROM lightning_payments WHERE direction = 'outgoing' AND status IN ('paid', 'exchanged') AND created_ms >= ?",
    )
    .pluck(true);
  const openExpired = db.prepare(
    "SELECT * FROM lightning_payments WHERE direction = 'incoming' AND status = 'pending' AND expires_at_ms < ? LIMIT 1000",
  );
  const exchanges = db.prepare(
    `SELECT trade_id, provider, consumer, amount_trm, prompt_tokens, completion_tokens, price_trm_per_token, model_id,
       request_id, timestamp_ms FROM trades WHERE model_id = ? ORDER BY timestamp_ms, trade_id LIMIT ?`,
  );
  const upsertAnchor = db.prepare(
    `INSERT INTO lightning_anchors (window_start_ms, window_end_ms, network, merkle_root, trade_count, created_ms)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET merkle_root = excluded.merkle_root, trade_count = excluded.trade_count,
       created_ms = excluded.created_ms
     WHERE lightning_anchors.txid IS NULL AND lightning_anchors.merkle_root <> excluded.merkle_root`,
  );
  const getAnchor = db.prepare(
    "SELECT * FROM lightning_anchors WHERE window_start_ms = ? AND window_end_ms = ? AND network = ?",
  );
  const setTxid = db.prepare(
    "UPDATE lightning_anchors SET txid = ?, txid_reported_ms = ? WHERE window_start_ms = ? AND window_end_ms = ? AND network = ?",
  );
  const listAnchors = db.prepare(
    "SELECT * FROM lightning_anchors ORDER BY window_start_ms DESC, network LIMIT ?",
  );

  return {
    insertPayment(record: PaymentRecord): void {
      insertPayment.run(record);
    },
    payment(paymentHash: string): PaymentRecord | undefined {
      return getPayment.get(paymentHash) as PaymentRecord | undefined;
    },
    setStatus(
      paymentHash: string,
      status: PaymentStatus,
      nowMs: number,
      extra: { preimage?: string; tradeId?: string } = {},
    ): void {
      setStatus.run(status, extra.preimage ?? null, extra.tradeId ?? null, nowMs, paymentHash);
    },
    /** Settlement payments with `counterparty` in one direction whose window overlaps `window`. */
    overlapping(
      counterparty: AccountId,
      direction: "outgoing" | "incoming",
      window: SettlementWindow,
    ): PaymentRecord[] {
      return byWindow.all(counterparty, direction, window.endMs, window.startMs) as PaymentRecord[];
    },
    /** A deposit to `counterparty` paid but not yet exchanged (its exchange step is to be resumed). */
    paidDeposit(counterparty: AccountId, amountTrm: number): PaymentRecord | undefined {
      return paidDeposit.get(counterparty, amountTrm) as PaymentRecord | undefined;
    },
    payments(limit = PAYMENTS_LIST_MAX): PaymentRecord[] {
      return recent.all(Math.min(limit, PAYMENTS_LIST_MAX)) as PaymentRecord[];
    },
    /** msat this node paid out since `sinceMs`. */
    outgoingMsatSince(sinceMs: number): number {
      return outgoingSince.get(sinceMs) as number;
    },
    expiredIncoming(nowMs: number): PaymentRecord[] {
      return openExpired.all(nowMs) as PaymentRecord[];
    },
    /** Every well-formed exchange trade in the ledger, oldest first. */
    exchanges(): ExchangeRecord[] {
      const out: ExchangeRecord[] = [];
      for (const row of exchanges.all(EXCHANGE_MODEL_ID, EXCHANGES_SCAN_MAX) as ExchangeRow[]) {
        const terms = parseExchange(row);
        if (terms === null) continue;
        out.push({
          ...terms,
          trade_id: row.trade_id,
          buyer: row.provider,
          seller: row.consumer,
          amount_trm: row.amount_trm,
          timestamp_ms: row.timestamp_ms,
        });
      }
      return out;
    },
    /**
     * Records the anchor of a window, or refreshes its root while no txid was reported (trades of the
     * window may still arrive late); once broadcast, the record keeps the root that went on chain.
     */
    recordAnchor(anchor: Omit<AnchorRecord, "txid" | "txid_reported_ms">): AnchorRecord {
      upsertAnchor.run(
        anchor.window_start_ms,
        anchor.window_end_ms,
        anchor.network,
        anchor.merkle_root,
        anchor.trade_count,
        anchor.created_ms,
      );
      return getAnchor.get(anchor.window_start_ms, anchor.window_end_ms, anchor.network) as AnchorRecord;
    },
    anchor(window: SettlementWindow, network: BitcoinNetwork): AnchorRecord | undefined {
      return getAnchor.get(window.startMs, window.endMs, network) as AnchorRecord | undefined;
    },
    setAnchorTxid(window: SettlementWindow, network: BitcoinNetwork, txid: string, nowMs: number): boolean {
      return setTxid.run(txid, nowMs, window.startMs, window.endMs, network).changes === 1;
    },
    anchors(limit = ANCHORS_LIST_MAX): AnchorRecord[] {
      return listAnchors.all(Math.min(limit, ANCHORS_LIST_MAX)) as AnchorRecord[];
    },
  };
}

export type LightningStore = ReturnType<typeof createLightningStore>;
