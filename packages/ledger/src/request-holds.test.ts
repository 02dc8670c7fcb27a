/**
 * Proves `releaseRequestHolds`, what a node runs at start: on a ledger file reopened after its process
 * died with holds open, every hold taken for a request (the spend path's `spend:`, a provider's `serve:`)
 * is closed as released — effective balances whole again, nothing moved, `verify()` passing — while a
 * hold of any other kind stays active, and a second call finds nothing.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSigner, generateSeed } from "@tirami/core";
import { tempDir } from "@tirami/test-kit";
import { openLedger } from "./ledger.js";
import { SERVE_HOLD_REASON_PREFIX, SPEND_HOLD_REASON_PREFIX } from "./spend/constants.js";

describe("releaseRequestHolds", () => {
  it("releases the holds of dead requests on reopen and keeps other holds", () => {
    const path = join(tempDir("ledger-request-holds-"), "ledger.db");
    const self = createSigner(generateSeed()).accountId;
    const consumer = createSigner(generateSeed()).accountId;
    const first = openLedger({ path, localAccount: self });
    first.reserve({ account: self, amountTrm: 300, reason: `${SPEND_HOLD_REASON_PREFIX}req-1` });
    first.reserve({ account: consumer, amountTrm: 400, reason: `${SERVE_HOLD_REASON_PREFIX}req-2` });
    const kept = first.reserve({ account: self, amountTrm: 50, reason: "collateral:loan-1" });
    first.close(); // as a killed process leaves it: the holds are still active in the file

    const ledger = openLedger({ path, localAccount: self });
    try {
      expect(ledger.balance(self).reserved_trm).toBe(350);
      const released = ledger.releaseRequestHolds();
      expect(released.map((hold) => [hold.reason, hold.amount_trm, hold.status]).sort()).toEqual([
        ["serve:req-2", 400, "released"],
        ["spend:req-1", 300, "released"],
      ]);
      expect(ledger.listHolds().map((hold) => hold.hold_id)).toEqual([kept]);
      expect(ledger.balance(self)).toMatchObject({ balance_trm: 1_000, reserved_trm: 50 });
      expect(ledger.balance(consumer)).toMatchObject({ balance_trm: 1_000, reserved_trm: 0 });
      expect(ledger.releaseRequestHolds()).toEqual([]);
      expect(ledger.verify().ok).toBe(true);
    } finally {
      ledger.close();
    }
  });
});
