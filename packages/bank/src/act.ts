/**
 * Acting on one decision through the paths a human operator uses (docs/bank.md): a `lend` sets this
 * node's lend offer (capacity = what is lent + the amount) with the bank as the spender whose budget
 * every loan against it passes; a `borrow` borrows through the mesh's cheapest offer; a `repay` repays
 * through lending's repayment, which asks the safety gate. Returns the outcome and its detail; a typed
 * refusal of a gate is `denied`, anything else that fails is `failed`.
 * @module
 */
import { type AccountId, isTiramiError } from "@tirami/core";
import { BASE_INTEREST_PPM_PER_HOUR } from "@tirami/ledger";
import { BANK_LOAN_TERM_HOURS, BANK_SPENDER } from "./constants.js";
import type { BankLedger, BankLending } from "./ports.js";
import type { DecisionOutcome } from "./store.js";
import type { Decision } from "./types.js";
import { LOAN_LTV_MAX } from "@tirami/proto";

export interface ActResult {
  outcome: DecisionOutcome;
  detail: string | null;
}

/** Codes that mean a gate (lending or safety) refused, not that something broke. */
const DENIALS = new Set(["LOAN_DENIED", "LOAN_REJECTED", "NO_LENDER", "INSUFFICIENT_BALANCE"]);

function failure(error: unknown): ActResult {
  if (!isTiramiError(error)) return { outcome: "failed", detail: `INTERNAL: ${(error as Error).message}` };
  const details = error.details ?? {};
  const inner = [details["code"], details["safety_code"], details["reason"]].filter((x) => x !== undefined);
  const code = [error.code, ...inner.map(String)].join("/");
  return { outcome: DENIALS.has(error.code) ? "denied" : "failed", detail: `${code}: ${error.message}` };
}

/** Carries out `decision` (not `hold`) now. Never throws. */
export async function act(
  decision: Decision,
  deps: { ledger: BankLedger; lending: BankLending; self: AccountId },
): Promise<ActResult> {
  const { ledger, lending, self } = deps;
  try {
    if (decision.action === "lend") {
      const lent = ledger.loans.exposure(self).lent_trm;
      const own = lending.ownTerms();
      const offer = await lending.offer({
        capacityTrm: lent + decision.amount_trm,
        maxTermHours: BANK_LOAN_TERM_HOURS,
        minInterestPpmPerHour: Math.max(own?.minInterestPpmPerHour ?? 0, BASE_INTEREST_PPM_PER_HOUR),
        spender: BANK_SPENDER,
      });
      return { outcome: "done", detail: `lend offer of ${offer?.amount_available_trm ?? 0} TRM available` };
    }
    if (decision.action === "borrow") {
      const loan = await lending.borrow({
        spender: BANK_SPENDER,
        amountTrm: decision.amount_trm,
        termHours: BANK_LOAN_TERM_HOURS,
        collateralTrm: Math.ceil(decision.amount_trm / LOAN_LTV_MAX),
      });
      return { outcome: "done", detail: `loan ${loan.loan_id}` };
    }
    if (decision.action === "repay" && decision.loan_id !== undefined) {
      const loan = await lending.repay({ spender: BANK_SPENDER, loanId: decision.loan_id });
      return { outcome: "done", detail: `loan ${loan.loan_id} ${loan.status}` };
    }
    return { outcome: "skipped", detail: `no action for ${decision.action}` };
  } catch (error) {
    return failure(error);
  }
}
