/**
 * Before any Lightning payment leaves: the ledger's one safety gate (kill switch, the spender's TRM
 * budgets and approval threshold, breaker), asked for the TRM the payment buys, and then this node's
 * sats budget (largest single payment, sats per hour over paid payments). Either denial throws
 * PAYMENT_DENIED before the wallet is called; the gate's grant is recorded once the payment succeeded
 * and released when it failed (docs/architecture.md §6).
 * @module
 */
import type { Ledger, SpendAllowed } from "@tirami/ledger";
import { BUDGET_WINDOW_MS } from "./constants.js";
import { LightningError, LightningErrorCode } from "./errors.js";
import { msatToSatsCeil } from "./rate.js";
import type { LightningStore } from "./store.js";

/** The sats limits of outgoing payments. */
export interface SatsBudget {
  paymentSatsMax: number;
  satsPerHour: number;
}

/** What one payment asks for. */
export interface PaymentAsk {
  spender: string;
  amountTrm: number;
  amountMsat: number;
  paymentHash: string;
  reason: string;
  nowMs: number;
}

/** Asks the gate, then the sats budget; returns the grant to record or release. Throws PAYMENT_DENIED. */
export function admitPayment(
  ledger: Pick<Ledger, "safety">,
  store: LightningStore,
  budget: SatsBudget,
  ask: PaymentAsk,
): SpendAllowed {
  const decision = ledger.safety.checkSpend({
    spender: ask.spender,
    amountTrm: ask.amountTrm,
    reason: ask.reason,
    requestId: `ln:${ask.paymentHash}`,
  });
  if (!decision.allowed) {
    throw new LightningError(LightningErrorCode.PAYMENT_DENIED, `safety gate: ${decision.message}`, {
      details: {
        code: decision.code,
        ...(decision.approvalId === undefined ? {} : { approval_id: decision.approvalId }),
      },
    });
  }
  const sats = msatToSatsCeil(ask.amountMsat);
  const spentSats = msatToSatsCeil(store.outgoingMsatSince(ask.nowMs - BUDGET_WINDOW_MS));
  let denial: string | undefined;
  if (sats > budget.paymentSatsMax)
    denial = `payment of ${sats} sats exceeds the ${budget.paymentSatsMax} sats limit`;
  else if (spentSats + sats > budget.satsPerHour)
    denial = `payment of ${sats} sats exceeds the hourly budget (${spentSats} of ${budget.satsPerHour} sats spent)`;
  if (denial !== undefined) {
    ledger.safety.releaseSpend(decision.grantId);
    throw new LightningError(LightningErrorCode.PAYMENT_DENIED, denial, {
      details: { code: "SATS_BUDGET", amount_sats: sats, spent_sats: spentSats },
    });
  }
  return decision;
}
