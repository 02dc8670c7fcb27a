/**
 * Property: for random per-spender velocity limits (or the defaults: 600 a minute for the operator, 30
 * for an agent) and random sequences of spends by the operator and an agent at random times, every
 * decision of the gate equals a one-line model of the velocity rule — allowed while fewer than the
 * spender's limit were allowed in the last 60 s, else denied and tripped for 5 minutes — so no spender
 * ever gets more than its own limit in any minute, and one spender's spends never trip the other.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { createManualClock } from "@tirami/core";
import { afterAll, describe, expect, it } from "vitest";
import { BREAKER_RESET_MS, VELOCITY_WINDOW_MS } from "./constants.js";
import { createSafetyGate, SAFETY_SCHEMA_SQL, SafetyErrorCode } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tirami-breaker-prop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPENDERS = ["operator", "agent-a"] as const;
type Spender = (typeof SPENDERS)[number];

const scenario = fc.record({
  // undefined: the spender keeps its default policy.
  limits: fc.record({
    operator: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    "agent-a": fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  }),
  steps: fc.array(
    fc.record({
      spender: fc.constantFrom(...SPENDERS),
      advanceMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 15_000 }),
        fc.integer({ min: 0, max: 400_000 }),
      ),
    }),
    { minLength: 1, maxLength: 80 },
  ),
});

/** What the model expects of one spend. */
type Expected =
  "ALLOWED" | typeof SafetyErrorCode.VELOCITY_ANOMALY | typeof SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED;

let run = 0;

describe("velocity invariant", () => {
  it("each spender gets exactly its own limit per sliding minute, then a 5-minute trip", () => {
    fc.assert(
      fc.property(scenario, ({ limits, steps }) => {
        const db = new Database(join(dir, `run-${run++}.db`));
        try {
          db.pragma("journal_mode = WAL");
          db.pragma("synchronous = NORMAL");
          db.exec(SAFETY_SCHEMA_SQL);
          const clock = createManualClock(1_700_000_000_000);
          const gate = createSafetyGate({ db, clock });
          for (const spender of SPENDERS) {
            const limit = limits[spender];
            if (limit !== undefined) gate.setPolicy(spender, { velocity_spends_per_minute_max: limit });
          }
          const limitOf = (spender: Spender) => gate.getPolicy(spender).velocity_spends_per_minute_max;
          const allowed: Record<Spender, number[]> = { operator: [], "agent-a": [] };
          const trippedUntil: Record<Spender, number | null> = { operator: null, "agent-a": null };
          for (const { spender, advanceMs } of steps) {
            clock.advanceMs(advanceMs);
            const nowMs = clock.nowMs();
            let expected: Expected;
            const until = trippedUntil[spender];
            if (until !== null && nowMs < until) expected = SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED;
            else {
              const recent = allowed[spender].filter((timeMs) => timeMs > nowMs - VELOCITY_WINDOW_MS).length;
              if (recent < limitOf(spender)) {
                expected = "ALLOWED";
                allowed[spender].push(nowMs);
              } else {
                expected = SafetyErrorCode.VELOCITY_ANOMALY;
                trippedUntil[spender] = nowMs + BREAKER_RESET_MS;
              }
            }
            const decision = gate.checkSpend({ spender, amountTrm: 1, reason: "p" });
            expect(decision.code).toBe(expected);
            if (decision.allowed) gate.recordSpend({ spender, amountTrm: 1, grantId: decision.grantId });
          }
          for (const spender of SPENDERS) {
            const times = allowed[spender];
            for (const end of times) {
              const inWindow = times.filter((t) => t > end - VELOCITY_WINDOW_MS && t <= end).length;
              expect(inWindow).toBeLessThanOrEqual(limitOf(spender));
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
