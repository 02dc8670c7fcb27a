/**
 * What the bank may still commit now, read from the one safety gate (docs/architecture.md §6) under its
 * own spender: the kill switch, and the least of its auto cap (a spend above it waits for a human, which
 * a tick cannot), what is left of its sliding hour and of its lifetime. A tick never plans to move more;
 * the gate still checks every loan and repayment when it happens.
 * @module
 */
import { BANK_SPENDER } from "./constants.js";
import type { BankLedger } from "./ports.js";

export interface BankBudget {
  kill_switch: boolean;
  /** The most one tick may commit in total, integer TRM ≥ 0. */
  available_trm: number;
  per_request_max_trm: number;
  hourly_left_trm: number;
  lifetime_left_trm: number;
}

/** The bank's budget as the safety gate stands now. */
export function readBudget(ledger: BankLedger, spender = BANK_SPENDER): BankBudget {
  const safety = ledger.safety;
  const policy = safety.getPolicy(spender);
  const spent = safety.state().spend.find((s) => s.spender === spender);
  const autoCap =
    policy.approval_threshold_trm === null
      ? policy.per_request_max_trm
      : Math.min(policy.per_request_max_trm, policy.approval_threshold_trm);
  const hourlyLeft = Math.max(0, policy.hourly_max_trm - (spent?.hourly_spend_trm ?? 0));
  const lifetimeLeft = Math.max(0, policy.lifetime_max_trm - (spent?.lifetime_spend_trm ?? 0));
  return {
    kill_switch: safety.killSwitch().active,
    available_trm: Math.min(hourlyLeft, lifetimeLeft),
    per_request_max_trm: autoCap,
    hourly_left_trm: hourlyLeft,
    lifetime_left_trm: lifetimeLeft,
  };
}
