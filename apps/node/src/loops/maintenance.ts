/**
 * Background upkeep of the money state: releases ledger holds past their deadline (a spend path that
 * crashed between reserve and settle) and expires approvals past theirs, so neither keeps TRM or a budget
 * locked forever. One timer, unref'd so it never holds the process open; `stop()` clears it.
 * @module
 */
import type { Logger } from "pino";

/** Default period of the maintenance loop (ms): holds expire in minutes, so every 30 s is prompt enough. */
export const MAINTENANCE_INTERVAL_MS_DEFAULT = 30_000;

/** What the loop calls. Each call is synchronous and bounded by its owner. */
export interface MaintenanceDeps {
  releaseExpiredHolds(): number;
  expireApprovals(): number;
  /** Marks Lightning invoices that expired unpaid and frees what their sellers held (docs/lightning.md). */
  sweepInvoices?(): number;
  logger: Logger;
}

/** A started loop. */
export interface Loop {
  /** Runs one pass now (tests, and the first pass at start). */
  tick(): void;
  stop(): void;
}

/** Starts the maintenance loop. */
export function startMaintenanceLoop(
  deps: MaintenanceDeps,
  intervalMs = MAINTENANCE_INTERVAL_MS_DEFAULT,
): Loop {
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 10)
    throw new RangeError(`"intervalMs" expected an integer ≥ 10, got ${intervalMs}`);
  const tick = (): void => {
    try {
      const holds = deps.releaseExpiredHolds();
      const approvals = deps.expireApprovals();
      const invoices = deps.sweepInvoices?.() ?? 0;
      if (holds > 0 || approvals > 0 || invoices > 0)
        deps.logger.info(
          { holds_released: holds, approvals_expired: approvals, invoices_expired: invoices },
          "maintenance",
        );
    } catch (error) {
      deps.logger.error({ err: error }, "maintenance pass failed");
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
