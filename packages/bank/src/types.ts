/**
 * The bank's data types (docs/bank.md; upstream's in docs/upstream.md §10.1), JSON-shaped with units in
 * names: the pool snapshot a strategy decides from, positions and the portfolio read from the ledger,
 * and decisions.
 * @module
 */
import type { AccountId } from "@tirami/core";

/**
 * What a position is: a loan lent or borrowed, collateral held for one, coverage bought (`insured`) or
 * held as an insurer (`insurer`), an open future on either side (`futures_long`/`futures_short`, its
 * margin held here).
 */
export type PositionKind =
  "lent" | "borrowed" | "collateral" | "futures_long" | "futures_short" | "insured" | "insurer";

/** What a decision does (upstream's `ActionKind`). */
export type ActionKind =
  "lend" | "borrow" | "repay" | "hold" | "open_futures" | "close_futures" | "buy_insurance";

export const ACTION_KINDS: readonly ActionKind[] = [
  "lend",
  "borrow",
  "repay",
  "hold",
  "open_futures",
  "close_futures",
  "buy_insurance",
];

/** How much risk the high-yield strategy takes (its commit multiplier). */
export type RiskTolerance = "conservative" | "balanced" | "aggressive";
export const RISK_TOLERANCES: readonly RiskTolerance[] = ["conservative", "balanced", "aggressive"];

/** The lending pool as the bank sees it: the mesh's live offers and active loans, and this node's terms. */
export interface PoolSnapshot {
  /** `lent_trm + available_trm`. */
  total_trm: number;
  /** Principal of every active loan this ledger knows. */
  lent_trm: number;
  /** Σ available of the live lend offers (this node's own included). */
  available_trm: number;
  /** `available / total`; 1 for an empty pool (nothing is lent, everything is in reserve). */
  reserve_ratio: number;
  active_loan_count: number;
  /** Mean rate of the active loans (the 1,000 newest), ppm per hour; 0 without any. */
  avg_interest_ppm_per_hour: number;
  your_max_borrow_trm: number;
  your_offered_interest_ppm_per_hour: number;
}

/** One position, read from the ledger. */
export interface Position {
  kind: PositionKind;
  amount_trm: number;
  counterparty: AccountId | null;
  /** The loan (or contract) it comes from. */
  contract_id: string | null;
  due_ms: number | null;
}

/** The node's treasury as the ledger says it is now. */
export interface Portfolio {
  account: AccountId;
  /** The node's effective balance (balance − holds). */
  cash_trm: number;
  lent_trm: number;
  borrowed_trm: number;
  /** Principal + interest this node owes on its active loans. */
  borrowed_due_trm: number;
  /** The node's own collateral held for the loans it took. */
  collateral_trm: number;
  /** Coverage this node holds as insurer on active policies (part of its balance, not of its cash). */
  insurer_coverage_trm: number;
  /** Coverage this node bought on the loans it lent (paid to it if they default). */
  insured_coverage_trm: number;
  /** Margin this node has held on open futures. */
  futures_margin_trm: number;
  /**
   * `cash + lent + collateral + insurer coverage + futures margin − borrowed` (upstream's `net_cu_exposure`,
   * plus what the node has held for its contracts).
   */
  net_exposure_trm: number;
  /** `lent / (cash + lent)`: how much of what the node could lend is lent (0 when both are 0). */
  utilisation: number;
  position_count: number;
  /** The positions, largest first per kind, at most `POSITIONS_MAX` per kind. */
  positions: Position[];
  /** True when a kind had more positions than were listed (the totals above still count all). */
  positions_truncated: boolean;
  decision_count: number;
}

/** A strategy's decision (upstream's `Decision`): `amount_trm` > 0 unless `hold`. */
export interface Decision {
  action: ActionKind;
  amount_trm: number;
  rationale: string;
  /** In [0, 1]. */
  confidence: number;
  /** The loan a `repay` decision repays. */
  loan_id?: string;
}
