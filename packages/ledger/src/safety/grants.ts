/**
 * Grants: the amount an allowed `checkSpend` reserves against the budgets until the spend path settles
 * it (`recordSpend`, with the amount really spent) or releases it (`releaseSpend`). An unsettled grant
 * stops counting after `SPEND_GRANT_TTL_MS`; settled spend also accumulates in the lifetime total.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { isAmountTrm } from "@tirami/core";
import { SafetyError, SafetyErrorCode } from "./errors.js";
import { newId } from "./outcome.js";
import { assertSpenderName } from "./policy.js";
import type { GrantRow, SafetyStore } from "./store.js";
import type { RecordSpendInput } from "./types.js";
import { checkText } from "./validate.js";

export interface Grants {
  /** Records a pending grant for an allowed spend; runs inside the caller's transaction. */
  open(grant: {
    grantId: string;
    spender: string;
    amountTrm: number;
    approvalId: string | null;
    nowMs: number;
  }): void;
  /** Settles the grant (or records a grantless spend); runs in its own IMMEDIATE transaction. */
  recordSpend(input: RecordSpendInput): { grant_found: boolean };
  /** Releases a pending grant; false when it was no longer pending. */
  releaseSpend(grantId: string): boolean;
}

/** Throws `INVALID_ARGUMENT` / `SPEND_GRANT_NOT_FOUND` unless `grant` is `spender`'s and still pending. */
function assertSettleable(grant: GrantRow, spender: string, grantId: string): void {
  if (grant.spender !== spender) {
    throw new SafetyError(SafetyErrorCode.INVALID_ARGUMENT, `grant ${grantId} belongs to ${grant.spender}`);
  }
  if (grant.state !== "pending") {
    throw new SafetyError(
      SafetyErrorCode.SPEND_GRANT_NOT_FOUND,
      `grant ${grantId} is already ${grant.state}`,
    );
  }
}

export function createGrants(deps: {
  db: BetterSqlite3.Database;
  store: SafetyStore;
  now: () => number;
}): Grants {
  const { db, store, now } = deps;

  const recordSpend = db.transaction((input: RecordSpendInput): { grant_found: boolean } => {
    assertSpenderName(input.spender);
    if (!isAmountTrm(input.amountTrm)) {
      throw new SafetyError(
        SafetyErrorCode.INVALID_ARGUMENT,
        `"amountTrm" expected a non-negative safe integer, got ${input.amountTrm}`,
      );
    }
    const nowMs = now();
    const grant = input.grantId === undefined ? undefined : store.grant(input.grantId);
    if (grant !== undefined) {
      assertSettleable(grant, input.spender, grant.grant_id);
      store.settleGrant(grant.grant_id, input.amountTrm, nowMs);
      store.lifetimeAdd(input.spender, input.amountTrm);
      return { grant_found: true };
    }
    // Money moved without a live grant (unknown id, pruned grant, or a path without one): count it anyway.
    store.insertGrant({
      grant_id: newId("grt"),
      spender: input.spender,
      granted_trm: input.amountTrm,
      spent_trm: input.amountTrm,
      state: "settled",
      time_ms: nowMs,
      settled_at_ms: nowMs,
      approval_id: null,
    });
    store.lifetimeAdd(input.spender, input.amountTrm);
    return { grant_found: false };
  });

  return {
    open({ grantId, spender, amountTrm, approvalId, nowMs }) {
      store.insertGrant({
        grant_id: grantId,
        spender,
        granted_trm: amountTrm,
        spent_trm: null,
        state: "pending",
        time_ms: nowMs,
        settled_at_ms: null,
        approval_id: approvalId,
      });
    },
    recordSpend: (input) => recordSpend.immediate(input),
    releaseSpend(grantId) {
      checkText(grantId, "grantId", 64);
      const grant = store.grant(grantId);
      if (grant === undefined)
        throw new SafetyError(SafetyErrorCode.SPEND_GRANT_NOT_FOUND, `no grant ${grantId}`);
      return store.releaseGrant(grantId, now()) === 1;
    },
  };
}
