/**
 * Property: across random sequences of spends, settlements, releases, approvals and clock moves, the
 * TRM actually settled through the gate never exceeds the hourly budget in any sliding 60 minutes nor
 * the lifetime budget — whatever the order, and including human-approved spends.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { createManualClock } from "@tirami/core";
import { suiteTempDir } from "@tirami/test-kit";
import { describe, expect, it } from "vitest";
import { HOURLY_WINDOW_MS } from "./constants.js";
import { createSafetyGate, SAFETY_SCHEMA_SQL, SafetyErrorCode } from "./index.js";

const dir = suiteTempDir("tirami-safety-prop-");

const POLICY = {
  per_request_max_trm: 500,
  per_request_hard_max_trm: 1_500,
  hourly_max_trm: 2_000,
  lifetime_max_trm: 6_000,
  approval_threshold_trm: 800,
};

const step = fc.record({
  advanceMs: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 120_000 }),
    fc.integer({ min: 0, max: 1_800_000 }),
  ),
  amountTrm: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 1_700 })),
  settle: fc.oneof(
    fc.constant("full" as const),
    fc.constant("part" as const),
    fc.constant("release" as const),
  ),
  approve: fc.boolean(),
  spender: fc.constantFrom("agent-a", "agent-b"),
});

let run = 0;

describe("budget invariant", () => {
  it("settled spend never exceeds the hourly window or the lifetime cap", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const db = new Database(join(dir, `run-${run++}.db`));
        try {
          // WAL with synchronous=NORMAL: commits do not fsync, so 100 runs on a busy machine stay fast.
          db.pragma("journal_mode = WAL");
          db.pragma("synchronous = NORMAL");
          db.exec(SAFETY_SCHEMA_SQL);
          const clock = createManualClock(1_700_000_000_000);
          const gate = createSafetyGate({ db, clock, defaults: POLICY });
          const settled: Array<{ spender: string; timeMs: number; amountTrm: number }> = [];
          for (const s of steps) {
            clock.advanceMs(s.advanceMs);
            const requestId = `r${clock.nowMs()}-${s.amountTrm}`;
            let decision = gate.checkSpend({
              spender: s.spender,
              amountTrm: s.amountTrm,
              reason: "p",
              requestId,
            });
            if (!decision.allowed && decision.code === SafetyErrorCode.APPROVAL_REQUIRED && s.approve) {
              gate.approve(decision.approvalId as string, "operator");
              decision = gate.checkSpend({
                spender: s.spender,
                amountTrm: s.amountTrm,
                reason: "p",
                requestId,
              });
            }
            if (!decision.allowed) continue;
            expect(s.amountTrm).toBeLessThanOrEqual(POLICY.per_request_hard_max_trm);
            if (s.amountTrm > POLICY.per_request_max_trm) expect(decision.approvalId).toBeDefined();
            if (s.settle === "release") {
              gate.releaseSpend(decision.grantId);
              continue;
            }
            const amountTrm = s.settle === "full" ? s.amountTrm : Math.floor(s.amountTrm / 3);
            gate.recordSpend({ spender: s.spender, amountTrm, grantId: decision.grantId });
            settled.push({ spender: s.spender, timeMs: decision.decidedAtMs, amountTrm });
          }
          for (const spender of ["agent-a", "agent-b"]) {
            const mine = settled.filter((entry) => entry.spender === spender);
            const lifetime = mine.reduce((sum, entry) => sum + entry.amountTrm, 0);
            expect(lifetime).toBeLessThanOrEqual(POLICY.lifetime_max_trm);
            for (const end of mine) {
              const window = mine
                .filter((entry) => entry.timeMs > end.timeMs - HOURLY_WINDOW_MS && entry.timeMs <= end.timeMs)
                .reduce((sum, entry) => sum + entry.amountTrm, 0);
              expect(window).toBeLessThanOrEqual(POLICY.hourly_max_trm);
            }
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
