/**
 * What the economy routes answer (`/v1/tirami/balance`, `trades`, `proof`, `settlement`, `network`,
 * `pricing`): JSON shapes, integers for every TRM amount. The node's handlers are checked against these
 * types at compile time (`satisfies`), so the client and the node share one definition.
 * @module
 */

/** A dual-signed trade as the ledger stores and serves it (docs/canonical-encoding.md). */
export interface WireTrade {
  trade: {
    provider: string;
    consumer: string;
    amount_trm: number;
    prompt_tokens: number;
    completion_tokens: number;
    model_id: string;
    price_trm_per_token: number;
    timestamp_ms: number;
    nonce: string;
    request_id: string;
  };
  trade_id: string;
  provider_signature: string;
  consumer_signature: string;
  applied_ms: number;
}

/** `GET /v1/tirami/balance`: the node account's balance, as the caller (operator or agent) sees it. */
export interface BalanceResponse {
  account_id: string;
  balance_trm: number;
  reserved_trm: number;
  effective_balance_trm: number;
  contributed_trm: number;
  consumed_trm: number;
  trade_count: number;
  known: boolean;
  spender: string;
  usage: Record<string, number>;
  [field: string]: unknown;
}

/** `GET /v1/tirami/trades`. */
export interface TradesResponse {
  count: number;
  trades: WireTrade[];
}

/** `GET /v1/tirami/proof/:trade_id`: an RFC 9162 inclusion proof, hex-encoded. */
export interface TradeProof {
  trade_id: string;
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  proof: string[];
  root: string;
}

/** One account of a settlement statement. */
export interface SettlementAccount {
  account_id: string;
  gross_earned_trm: number;
  gross_spent_trm: number;
  net_trm: number;
  trade_count: number;
  estimated_value_sats?: number;
}

/** `GET /v1/tirami/settlement`: the trades of a window, their Merkle root and the net per account. */
export interface SettlementStatement {
  generated_at_ms: number;
  window_start_ms: number;
  window_end_ms: number;
  trade_count: number;
  total_trm_transferred: number;
  merkle_root: string;
  reference_price_sats_per_trm: number | null;
  accounts: SettlementAccount[];
  trades: WireTrade[];
}

/** A trade as `GET /v1/tirami/trades/stream` pushes it: where it came from and where its proof is. */
export interface StreamedTrade extends Omit<WireTrade, "applied_ms"> {
  source: string;
  proof_path: string;
}

/** One event of the trade stream: `ready` first, then a `trade` per applied trade; `overflow` ends it. */
export type TradeStreamEvent =
  | { event: "ready"; data: { heartbeat_ms: number; mesh: boolean } }
  | { event: "trade"; data: StreamedTrade }
  | { event: "overflow"; data: { queue_max: number } };

/** `GET /v1/tirami/network`. */
export interface NetworkResponse {
  local_account: string;
  total_accounts: number;
  trading_accounts: number;
  total_trades: number;
  total_contributed_trm: number;
  total_consumed_trm: number;
  merkle_root: string;
  mesh: Record<string, unknown> | null;
}

/** The pricing engine's state: the live price and what moves it. */
export interface PricingSnapshot {
  price_trm_per_token: number;
  base_price_trm_per_token: number;
  price_floor_trm_per_token: number;
  deflation_factor: number;
  /** EMA of the demand factor, in [0.5, 3]. */
  demand_factor: number;
  /** EMA of the supply factor, in [0.5, 2]. */
  supply_factor: number;
  /** The last instantaneous (pre-EMA) factors. */
  raw_demand_factor: number;
  raw_supply_factor: number;
  /** The last live inputs: supply = providers seen, demand = requests in flight. */
  supply: number;
  demand: number;
  peers_known: number;
  trades_total: number;
  ema_alpha: number;
  observations_total: number;
  observed_at_ms: number | null;
  ema_updated_at_ms: number | null;
}

/** `GET /v1/tirami/pricing`: the snapshot and the cost of 100 and 1,000 tokens at the live price. */
export interface PricingResponse extends PricingSnapshot {
  estimated_cost_100_tokens_trm: number;
  estimated_cost_1000_tokens_trm: number;
}
