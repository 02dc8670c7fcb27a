/**
 * Options of `openLedger`, validated once at open (a bad option is a programmer error: TypeError/RangeError).
 * @module
 */
import { type AccountId, type Clock, isAccountId, isAmountTrm, systemClock } from "@tirami/core";
import {
  FREE_TIER_TRM_DEFAULT,
  FRESHNESS_WINDOW_MS_DEFAULT,
  FRESHNESS_WINDOW_MS_MAX,
  ZERO_HISTORY_CONSUMERS_MAX_DEFAULT,
  ZERO_HISTORY_CREDIT_CAP_TRM_DEFAULT,
} from "./constants.js";
import type { SynchronousMode } from "./db/open.js";
import type { SafetyPolicy } from "./safety/index.js";

export interface OpenLedgerOptions {
  /** SQLite file (created if missing), or ":memory:" for a private in-memory ledger. */
  path: string;
  /** Time source for freshness, holds and journal timestamps. Default: the system clock. */
  clock?: Clock;
  /** Implicit free tier per account; must be the same on every node of a mesh. Default 1,000 TRM. */
  freeTierTrm?: number;
  /** Allowed |now − timestamp_ms| of a trade. Default 3,600,000 ms (1 h). */
  freshnessWindowMs?: number;
  /** Admission: distinct zero-history consumers per provider. Default 50. */
  zeroHistoryConsumersMax?: number;
  /** Admission: most a zero-history consumer may ask for. Default 1,000 TRM. */
  zeroHistoryCreditCapTrm?: number;
  /** Commit durability, see `openDatabase`. Default "normal" (WAL: survives kill -9, not power loss). */
  synchronous?: SynchronousMode;
  /**
   * Hold the database file's lock while open (default true): faster commits, and no second process can
   * write the ledger behind this one. Set false to let other processes read the file concurrently.
   */
  exclusive?: boolean;
  /** This node's account: the default provider for `admitConsumer`; reputation skips its own observations. */
  localAccount?: AccountId;
  /** Overrides of the safety gate's default spending policy. */
  safetyDefaults?: Partial<SafetyPolicy>;
}

export interface LedgerConfig {
  path: string;
  clock: Clock;
  freeTierTrm: number;
  freshnessWindowMs: number;
  zeroHistoryConsumersMax: number;
  zeroHistoryCreditCapTrm: number;
  synchronous: SynchronousMode;
  exclusive: boolean;
  localAccount: AccountId | undefined;
}

function amount(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isAmountTrm(value)) throw new RangeError(`"${field}" expected a non-negative safe integer`);
  return value;
}

export function resolveConfig(options: OpenLedgerOptions): LedgerConfig {
  if (options === null || typeof options !== "object")
    throw new TypeError(`openLedger expected an options object`);
  if (typeof options.path !== "string" || options.path === "")
    throw new TypeError(`"path" expected a file path or ":memory:"`);
  const freshnessWindowMs = amount(
    options.freshnessWindowMs,
    "freshnessWindowMs",
    FRESHNESS_WINDOW_MS_DEFAULT,
  );
  if (freshnessWindowMs > FRESHNESS_WINDOW_MS_MAX)
    throw new RangeError(`"freshnessWindowMs" at most ${FRESHNESS_WINDOW_MS_MAX}`);
  const synchronous = options.synchronous ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full")
    throw new TypeError(`"synchronous" expected "normal" or "full"`);
  if (options.exclusive !== undefined && typeof options.exclusive !== "boolean")
    throw new TypeError(`"exclusive" expected a boolean`);
  if (options.localAccount !== undefined && !isAccountId(options.localAccount)) {
    throw new TypeError(`"localAccount" expected 64 lowercase hex characters`);
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock.nowMs !== "function") throw new TypeError(`"clock" expected an object with nowMs()`);
  return {
    path: options.path,
    clock,
    freeTierTrm: amount(options.freeTierTrm, "freeTierTrm", FREE_TIER_TRM_DEFAULT),
    freshnessWindowMs,
    zeroHistoryConsumersMax: amount(
      options.zeroHistoryConsumersMax,
      "zeroHistoryConsumersMax",
      ZERO_HISTORY_CONSUMERS_MAX_DEFAULT,
    ),
    zeroHistoryCreditCapTrm: amount(
      options.zeroHistoryCreditCapTrm,
      "zeroHistoryCreditCapTrm",
      ZERO_HISTORY_CREDIT_CAP_TRM_DEFAULT,
    ),
    synchronous,
    exclusive: options.exclusive ?? true,
    localAccount: options.localAccount,
  };
}
