/**
 * The per-spender circuit breaker and velocity rule (step 2). The breaker trips after the spender's
 * policy's `breaker_consecutive_errors_max` failed outcomes in a row, or when the spender already had
 * `velocity_spends_per_minute_max` spends allowed in the last minute (defaults: 5 and 30 for an agent,
 * 20 and 600 for the operator); a tripped breaker denies every spend and resets by itself
 * `BREAKER_RESET_MS` after it tripped. Only allowed spends count toward velocity.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { BREAKER_RESET_MS } from "./constants.js";
import { SafetyError, SafetyErrorCode } from "./errors.js";
import { deny, type Outcome } from "./outcome.js";
import { assertSpenderName, type SafetyPolicy } from "./policy.js";
import type { BreakerRow, SafetyStore } from "./store.js";
import type { BreakerState } from "./types.js";

export interface Breaker {
  /** Step 2a: a denial while the spender's breaker is open; resets a breaker whose time is up. */
  checkOpen(spender: string, nowMs: number): Outcome | null;
  /** Step 2b: a denial (which trips the breaker) when the policy's velocity limit is already reached. */
  checkVelocity(spender: string, policy: SafetyPolicy, nowMs: number): Outcome | null;
  /** Counts one allowed spend toward velocity. */
  countSpend(spender: string, nowMs: number): void;
  /** Reports a spend outcome against the spender's policy; runs in its own IMMEDIATE transaction. */
  recordOutcome(spender: string, ok: boolean): BreakerState;
  /** Every stored breaker as seen at `nowMs`, at most `limit`. */
  states(nowMs: number, limit: number): BreakerState[];
}

/** The breaker as seen at `nowMs`: one past its reset time reads as closed even before the next check resets it. */
export function breakerState(row: BreakerRow, nowMs: number): BreakerState {
  const open = row.tripped_at_ms !== null && nowMs < row.tripped_at_ms + BREAKER_RESET_MS;
  return {
    spender: row.spender,
    consecutive_errors: open || row.tripped_at_ms === null ? row.consecutive_errors : 0,
    tripped: open,
    tripped_at_ms: open ? row.tripped_at_ms : null,
    trip_code: open ? row.trip_code : null,
    resets_at_ms: open && row.tripped_at_ms !== null ? row.tripped_at_ms + BREAKER_RESET_MS : null,
  };
}

/** The row after one outcome: success clears the error run; the failure that reaches `errorsMax` trips it. */
function nextBreakerRow(row: BreakerRow, ok: boolean, nowMs: number, errorsMax: number): BreakerRow {
  const next: BreakerRow = ok
    ? { ...row, consecutive_errors: 0 }
    : { ...row, consecutive_errors: Math.min(row.consecutive_errors + 1, 1_000_000) };
  if (!ok && next.consecutive_errors >= errorsMax && next.tripped_at_ms === null) {
    next.tripped_at_ms = nowMs;
    next.trip_code = "CONSECUTIVE_ERRORS";
  }
  return next;
}

export function createBreaker(deps: {
  db: BetterSqlite3.Database;
  store: SafetyStore;
  now: () => number;
  /** The spender's effective policy (its breaker settings). */
  policyOf(spender: string): SafetyPolicy;
}): Breaker {
  const { db, store, now, policyOf } = deps;

  const breakerRow = (spender: string): BreakerRow =>
    store.breaker(spender) ?? { spender, consecutive_errors: 0, tripped_at_ms: null, trip_code: null };

  const recordOutcome = db.transaction((spender: string, ok: boolean): BreakerState => {
    assertSpenderName(spender);
    if (typeof ok !== "boolean")
      throw new SafetyError(SafetyErrorCode.INVALID_ARGUMENT, `"ok" expected a boolean`);
    const nowMs = now();
    const errorsMax = policyOf(spender).breaker_consecutive_errors_max;
    const next = nextBreakerRow(breakerRow(spender), ok, nowMs, errorsMax);
    store.putBreaker(next);
    return breakerState(next, nowMs);
  });

  return {
    checkOpen(spender, nowMs) {
      const breaker = breakerRow(spender);
      if (breaker.tripped_at_ms === null) return null;
      const resetsAtMs = breaker.tripped_at_ms + BREAKER_RESET_MS;
      if (nowMs < resetsAtMs) {
        return deny(
          SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED,
          `circuit breaker open (${breaker.trip_code ?? "tripped"})`,
          { retryAfterMs: resetsAtMs - nowMs },
        );
      }
      store.putBreaker({ spender, consecutive_errors: 0, tripped_at_ms: null, trip_code: null });
      return null;
    },
    checkVelocity(spender, policy, nowMs) {
      const spendsMax = policy.velocity_spends_per_minute_max;
      const recentSpends = store.velocityCount(spender, nowMs);
      if (recentSpends < spendsMax) return null;
      store.putBreaker({
        ...breakerRow(spender),
        tripped_at_ms: nowMs,
        trip_code: SafetyErrorCode.VELOCITY_ANOMALY,
      });
      return deny(
        SafetyErrorCode.VELOCITY_ANOMALY,
        `more than ${spendsMax} spends in a minute; breaker tripped`,
        { retryAfterMs: BREAKER_RESET_MS },
      );
    },
    countSpend(spender, nowMs) {
      store.velocityAdd(spender, nowMs);
    },
    recordOutcome: (spender, ok) => recordOutcome.immediate(spender, ok),
    states: (nowMs, limit) => store.breakers(limit).map((row) => breakerState(row, nowMs)),
  };
}
