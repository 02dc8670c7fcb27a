/**
 * The shapes of the node's API answers the console reads (a subset of each; the node's routes are the
 * source of truth, see apps/node/README.md).
 * @module
 */

/** A trade as recorded (docs/architecture.md §4). */
export interface Trade {
  provider: string;
  consumer: string;
  amount_trm: number;
  prompt_tokens: number;
  completion_tokens: number;
  model_id: string;
  price_trm_per_token: number;
  timestamp_ms: number;
  request_id: string;
}

/** A signed trade from `GET /trades` or the stream. */
export interface TradeEvent {
  trade_id: string;
  trade: Trade;
  source?: string;
  proof_path?: string;
}

/** `GET /v1/tirami/balance`. */
export interface Balance {
  account_id: string;
  balance_trm: number;
  free_tier_trm: number;
  granted_trm: number;
  contributed_trm: number;
  consumed_trm: number;
  reserved_trm: number;
  effective_balance_trm: number;
  trade_count: number;
  spender: string;
  usage: { requests: number; prompt_tokens: number; completion_tokens: number; spent_trm: number };
}

/** Who signed in. */
export type Principal = { kind: "operator" } | { kind: "agent"; name: string };

/** A pending or decided approval. */
export interface Approval {
  approval_id: string;
  spender: string;
  amount_trm: number;
  request_id: string | null;
  reason: string;
  status: string;
  created_at_ms: number;
  deadline_ms: number;
}
