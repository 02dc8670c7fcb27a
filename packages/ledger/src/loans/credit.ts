/**
 * Credit score (docs/lending.md; formula of docs/upstream.md §5.3, with real components where upstream
 * hard-coded them to 0): `score = 0.3·trade + 0.4·repayment + 0.2·uptime + 0.1·age`, each in [0, 1].
 *
 * - trade: lifetime trade volume (TRM earned + spent in trades) ÷ 100,000, capped at 1;
 * - repayment: repaid ÷ (repaid + defaulted) over the account's loans as borrower; 0.5 with none;
 * - uptime: the account's reputation on this node (0.5 for an unknown one);
 * - age: days since this ledger first saw the account ÷ 90, capped at 1.
 * An account this ledger has never seen has `COLD_START_CREDIT` (0.3). Credit is each party's own view (it
 * uses local reputation), so it decides whether a party signs, never whether a signed loan is valid.
 * @module
 */
import type Database from "better-sqlite3";
import type { AccountId } from "@tirami/core";
import type { Reputation } from "../reputation/index.js";
import {
  AGE_SCORE_CAP_DAYS,
  BASE_INTEREST_PPM_PER_HOUR,
  COLD_START_CREDIT,
  CREDIT_WEIGHTS,
  MAX_SINGLE_LOAN_POOL_SHARE,
  NEUTRAL_REPAYMENT_SCORE,
  RISK_PREMIUM_PPM_PER_HOUR,
  TRADE_SCORE_CAP_TRM,
} from "./constants.js";

const DAY_MS = 86_400_000;

export interface CreditComponents {
  trade: number;
  repayment: number;
  uptime: number;
  age: number;
}

export interface CreditScore {
  account: AccountId;
  score: number;
  components: CreditComponents;
  /** False when this ledger has never seen the account (score = cold start). */
  known: boolean;
  loans_repaid: number;
  loans_defaulted: number;
  /** The rate this node offers at this score, ppm per hour. */
  offered_interest_ppm_per_hour: number;
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** `1,000 + ceil((1 − credit) × 5,000)` ppm per hour. */
export function offeredRatePpm(score: number): number {
  return BASE_INTEREST_PPM_PER_HOUR + Math.ceil((1 - clamp01(score)) * RISK_PREMIUM_PPM_PER_HOUR);
}

/** `floor(credit² × pool_available × 0.2)`: the most one borrower may take from a pool. */
export function maxBorrowableTrm(score: number, poolAvailableTrm: number): number {
  const s = clamp01(score);
  return Math.floor(s * s * poolAvailableTrm * MAX_SINGLE_LOAN_POOL_SHARE);
}

export function createCredit(db: Database.Database, reputation: Reputation, nowMs: () => number) {
  const account = db.prepare(
    "SELECT contributed_trm, consumed_trm, first_seen_ms FROM accounts WHERE account_id = ?",
  );
  const outcomes = db.prepare(
    "SELECT sum(status = 'repaid') AS repaid, sum(status = 'defaulted') AS defaulted FROM loans WHERE borrower = ?",
  );
  return function creditOf(id: AccountId): CreditScore {
    const row = account.get(id) as
      { contributed_trm: number; consumed_trm: number; first_seen_ms: number } | undefined;
    const counts = outcomes.get(id) as { repaid: number | null; defaulted: number | null };
    const repaid = counts.repaid ?? 0;
    const defaulted = counts.defaulted ?? 0;
    if (row === undefined) {
      const neutral = { trade: 0, repayment: NEUTRAL_REPAYMENT_SCORE, uptime: 0.5, age: 0 };
      return {
        account: id,
        score: COLD_START_CREDIT,
        components: neutral,
        known: false,
        loans_repaid: 0,
        loans_defaulted: 0,
        offered_interest_ppm_per_hour: offeredRatePpm(COLD_START_CREDIT),
      };
    }
    const components: CreditComponents = {
      trade: clamp01((row.contributed_trm + row.consumed_trm) / TRADE_SCORE_CAP_TRM),
      repayment: repaid + defaulted === 0 ? NEUTRAL_REPAYMENT_SCORE : repaid / (repaid + defaulted),
      uptime: clamp01(reputation.get(id).score),
      age: clamp01((nowMs() - row.first_seen_ms) / DAY_MS / AGE_SCORE_CAP_DAYS),
    };
    const score = clamp01(
      CREDIT_WEIGHTS.trade * components.trade +
        CREDIT_WEIGHTS.repayment * components.repayment +
        CREDIT_WEIGHTS.uptime * components.uptime +
        CREDIT_WEIGHTS.age * components.age,
    );
    return {
      account: id,
      score,
      components,
      known: true,
      loans_repaid: repaid,
      loans_defaulted: defaulted,
      offered_interest_ppm_per_hour: offeredRatePpm(score),
    };
  };
}
