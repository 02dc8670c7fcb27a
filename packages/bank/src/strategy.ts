/**
 * Strategies (docs/bank.md; upstream's formulas in docs/upstream.md §10.1): `decide(strategy, holdings,
 * pool, tolerance)` turns the pool snapshot and what the node holds into decisions. Pure, so every
 * formula has test vectors (`vectors/bank-v1.json`). Amounts are floored to integer TRM.
 *
 * - conservative(f = 0.30): hold (0.9) while the reserve ratio is under 0.6; else lend
 *   `floor(cash × f) − lent` (0.7) if positive, hold (0.95) if not.
 * - high_yield(f = 0.50): `commit = f × multiplier(tolerance)`; while the reserve ratio is above 0.4 lend
 *   `floor(cash × commit) − lent` (0.75) if positive; borrow `min(max_borrow, floor(cash / 2))` (0.6) when
 *   offered under 2,000 ppm/h; hold (0.5) when neither.
 * - balanced(f = 0.50): conservative (its default fraction) under the threshold f, high-yield (its default)
 *   at or above it.
 * @module
 */
import {
  BALANCED_THRESHOLD,
  CONSERVATIVE_MAX_COMMIT_FRACTION,
  CONSERVATIVE_MIN_RESERVE_RATIO,
  HIGH_YIELD_BASE_COMMIT_FRACTION,
  HIGH_YIELD_BORROW_BELOW_PPM_PER_HOUR,
  HIGH_YIELD_MIN_RESERVE_RATIO,
  RISK_MULTIPLIER,
} from "./constants.js";
import { BankError, BankErrorCode } from "./errors.js";
import { type Decision, type PoolSnapshot, RISK_TOLERANCES, type RiskTolerance } from "./types.js";

/** A strategy and its one parameter, serialisable as JSON (upstream's tagged `StrategyKind`). */
export type Strategy =
  | { kind: "conservative"; max_commit_fraction: number }
  | { kind: "high_yield"; base_commit_fraction: number }
  | { kind: "balanced"; threshold: number };

export type StrategyKind = Strategy["kind"];
export const STRATEGY_KINDS: readonly StrategyKind[] = ["conservative", "high_yield", "balanced"];

/** What a strategy reads of the portfolio. */
export interface Holdings {
  cash_trm: number;
  lent_trm: number;
}

/** The default of each strategy. */
export function defaultStrategy(kind: StrategyKind = "balanced"): Strategy {
  if (kind === "conservative") return { kind, max_commit_fraction: CONSERVATIVE_MAX_COMMIT_FRACTION };
  if (kind === "high_yield") return { kind, base_commit_fraction: HIGH_YIELD_BASE_COMMIT_FRACTION };
  return { kind: "balanced", threshold: BALANCED_THRESHOLD };
}

function fraction(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 1)
    throw new BankError(BankErrorCode.INVALID_BANK_SETTING, `"${name}" expected a number in (0, 1]`, {
      details: { field: name },
    });
  return value;
}

/**
 * Builds a strategy from its kind and its fraction (upstream's `base_commit_fraction`, used as the
 * conservative max commit, the high-yield base commit or the balanced threshold). Accepts `highyield`
 * for upstream's spelling. Throws `INVALID_BANK_SETTING`.
 */
export function strategyOf(kind: string, fractionValue?: number): Strategy {
  const k = kind === "highyield" ? "high_yield" : kind;
  if (!(STRATEGY_KINDS as readonly string[]).includes(k))
    throw new BankError(
      BankErrorCode.INVALID_BANK_SETTING,
      `"strategy" expected one of ${STRATEGY_KINDS.join(", ")}`,
      { details: { field: "strategy" } },
    );
  const base = defaultStrategy(k as StrategyKind);
  if (fractionValue === undefined) return base;
  const f = fraction(fractionValue, "fraction");
  if (base.kind === "conservative") return { kind: base.kind, max_commit_fraction: f };
  if (base.kind === "high_yield") return { kind: base.kind, base_commit_fraction: f };
  return { kind: "balanced", threshold: f };
}

/** Validates an untrusted value as a `Strategy` (as stored or sent). Throws `INVALID_BANK_SETTING`. */
export function parseStrategy(value: unknown): Strategy {
  if (value === null || typeof value !== "object")
    throw new BankError(BankErrorCode.INVALID_BANK_SETTING, "strategy: expected an object");
  const v = value as Record<string, unknown>;
  const kind = String(v["kind"]);
  const param =
    kind === "conservative"
      ? "max_commit_fraction"
      : kind === "high_yield"
        ? "base_commit_fraction"
        : "threshold";
  if (Object.keys(v).some((key) => key !== "kind" && key !== param))
    throw new BankError(BankErrorCode.INVALID_BANK_SETTING, `strategy: only "kind" and "${param}" allowed`);
  return strategyOf(kind, fraction(v[param], param));
}

/** Validates a risk tolerance. Throws `INVALID_BANK_SETTING`. */
export function parseRiskTolerance(value: unknown): RiskTolerance {
  if (typeof value !== "string" || !(RISK_TOLERANCES as readonly string[]).includes(value))
    throw new BankError(
      BankErrorCode.INVALID_BANK_SETTING,
      `"tolerance" expected one of ${RISK_TOLERANCES.join(", ")}`,
      { details: { field: "tolerance" } },
    );
  return value as RiskTolerance;
}

const hold = (confidence: number, rationale: string): Decision => ({
  action: "hold",
  amount_trm: 0,
  rationale,
  confidence,
});

function conservative(f: number, h: Holdings, pool: PoolSnapshot): Decision[] {
  if (pool.reserve_ratio < CONSERVATIVE_MIN_RESERVE_RATIO)
    return [
      hold(0.9, `pool reserve ${pool.reserve_ratio.toFixed(3)} under ${CONSERVATIVE_MIN_RESERVE_RATIO}`),
    ];
  const room = Math.floor(h.cash_trm * f) - h.lent_trm;
  if (room <= 0) return [hold(0.95, `already lent ${h.lent_trm} TRM of a ${f} commitment`)];
  return [
    { action: "lend", amount_trm: room, rationale: `conservative: lend up to ${f} of cash`, confidence: 0.7 },
  ];
}

function highYield(f: number, h: Holdings, pool: PoolSnapshot, tolerance: RiskTolerance): Decision[] {
  const commit = f * RISK_MULTIPLIER[tolerance];
  const decisions: Decision[] = [];
  if (pool.reserve_ratio > HIGH_YIELD_MIN_RESERVE_RATIO) {
    const room = Math.floor(h.cash_trm * commit) - h.lent_trm;
    if (room > 0)
      decisions.push({
        action: "lend",
        amount_trm: room,
        rationale: `high-yield: lend up to ${commit} of cash (${tolerance})`,
        confidence: 0.75,
      });
  }
  if (
    pool.your_offered_interest_ppm_per_hour < HIGH_YIELD_BORROW_BELOW_PPM_PER_HOUR &&
    pool.your_max_borrow_trm > 0
  ) {
    const amount = Math.min(pool.your_max_borrow_trm, Math.floor(h.cash_trm / 2));
    if (amount > 0)
      decisions.push({
        action: "borrow",
        amount_trm: amount,
        rationale: `high-yield: offered ${pool.your_offered_interest_ppm_per_hour} ppm/h, under ${HIGH_YIELD_BORROW_BELOW_PPM_PER_HOUR}`,
        confidence: 0.6,
      });
  }
  return decisions.length > 0 ? decisions : [hold(0.5, "high-yield: nothing worth doing")];
}

/** The strategy's decisions for these holdings and this pool (never empty: a `hold` when nothing else). */
export function decide(
  strategy: Strategy,
  holdings: Holdings,
  pool: PoolSnapshot,
  tolerance: RiskTolerance,
): Decision[] {
  if (strategy.kind === "conservative") return conservative(strategy.max_commit_fraction, holdings, pool);
  if (strategy.kind === "high_yield")
    return highYield(strategy.base_commit_fraction, holdings, pool, tolerance);
  return pool.reserve_ratio < strategy.threshold
    ? conservative(CONSERVATIVE_MAX_COMMIT_FRACTION, holdings, pool)
    : highYield(HIGH_YIELD_BASE_COMMIT_FRACTION, holdings, pool, tolerance);
}
