/**
 * Provider-side admission of consumers (docs/architecture.md §2): free-tier identities cost nothing to make, so a
 * provider bounds how many distinct zero-history consumers it serves on credit and how much each may
 * ask for. Upstream's gate was global and, once tripped, locked out every new honest node; this one is
 * per provider, remembers whom it already admitted, and is configurable.
 * @module
 */
import type Database from "better-sqlite3";
import { assertAmountTrm } from "@tirami/core";
import { type Accounts, checkAccountId } from "./accounts.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";

export interface AdmissionLimits {
  /** At most this many distinct zero-history consumers are admitted per provider. */
  zeroHistoryConsumersMax: number;
  /** A zero-history consumer may ask for at most this many TRM. */
  zeroHistoryCreditCapTrm: number;
}

export interface Admission {
  consumer: string;
  provider: string;
  /** True when the consumer has no trade in this ledger (neither side). */
  zero_history: boolean;
  /** Zero-history consumers this provider has admitted, this one included. */
  zero_history_admitted: number;
}

/** `reason` in the details of CONSUMER_NOT_ADMITTED. */
export type AdmissionDenial = "zero_history_cap" | "credit_cap";

export function createAdmission(db: Database.Database, accounts: Accounts, limits: AdmissionLimits) {
  const isAdmitted = db.prepare("SELECT 1 FROM admissions WHERE provider = ? AND consumer = ?").pluck(true);
  const countAdmitted = db.prepare("SELECT count(*) FROM admissions WHERE provider = ?").pluck(true);
  const insert = db.prepare("INSERT INTO admissions (provider, consumer, admitted_ms) VALUES (?, ?, ?)");
  const deny = (reason: AdmissionDenial, message: string, details: Record<string, unknown>): never => {
    throw new LedgerError(LedgerErrorCode.CONSUMER_NOT_ADMITTED, message, {
      details: { reason, ...details },
    });
  };
  /** Inside a write transaction. */
  return function admit(provider: string, consumer: string, amountTrm: number, nowMs: number): Admission {
    checkAccountId(provider, "provider");
    checkAccountId(consumer, "consumer");
    assertAmountTrm(amountTrm, "amountTrm");
    if (provider === consumer) throw new RangeError(`"consumer" must differ from the provider`);
    const view = accounts.balance(consumer);
    if (amountTrm > view.effective_balance_trm) {
      throw new LedgerError(
        LedgerErrorCode.INSUFFICIENT_BALANCE,
        `consumer can pay ${view.effective_balance_trm} TRM, asked ${amountTrm}`,
        {
          details: {
            account: consumer,
            amount_trm: amountTrm,
            effective_balance_trm: view.effective_balance_trm,
          },
        },
      );
    }
    const zeroHistory = view.trade_count === 0;
    let admitted = countAdmitted.get(provider) as number;
    if (!zeroHistory) return { consumer, provider, zero_history: false, zero_history_admitted: admitted };
    if (amountTrm > limits.zeroHistoryCreditCapTrm) {
      deny(
        "credit_cap",
        `zero-history consumer asked ${amountTrm} TRM (cap ${limits.zeroHistoryCreditCapTrm})`,
        {
          amount_trm: amountTrm,
          credit_cap_trm: limits.zeroHistoryCreditCapTrm,
        },
      );
    }
    if (isAdmitted.get(provider, consumer) === undefined) {
      if (admitted >= limits.zeroHistoryConsumersMax) {
        deny(
          "zero_history_cap",
          `provider already serves ${admitted} zero-history consumers (max ${limits.zeroHistoryConsumersMax})`,
          {
            admitted,
            zero_history_consumers_max: limits.zeroHistoryConsumersMax,
          },
        );
      }
      insert.run(provider, consumer, nowMs);
      admitted += 1;
    }
    return { consumer, provider, zero_history: true, zero_history_admitted: admitted };
  };
}
