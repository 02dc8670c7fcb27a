/**
 * Proves each rule of the safety gate on a real SQLite file: kill switch (persisted across reopen),
 * per-request auto cap / hard max, hourly and lifetime budgets at their exact limits, velocity and
 * consecutive-error breakers with auto-reset, per-spender breaker settings (the operator's gateway
 * defaults beside the agents' strict ones, overrides persisted), the approval workflow (reachable with
 * default policy), fail-closed denial on internal errors, and that every decision is logged.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { createManualClock, type ManualClock } from "@tirami/core";
import { tempDir } from "@tirami/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSafetyGate,
  SAFETY_SCHEMA_SQL,
  SafetyErrorCode,
  type SafetyGate,
  type SpendDecision,
} from "./index.js";

let file: string;
let db: Database.Database;
let clock: ManualClock;
let gate: SafetyGate;

function open(): void {
  db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(SAFETY_SCHEMA_SQL);
  gate = createSafetyGate({ db, clock });
}

beforeEach(() => {
  file = join(tempDir("tirami-safety-"), "ledger.db");
  clock = createManualClock(1_700_000_000_000);
  open();
});

afterEach(() => {
  if (db.open) db.close();
});

/** Checks and, when allowed, settles the full amount (the normal spend path). */
function spend(
  spender: string,
  amountTrm: number,
  extra: { requestId?: string; approvalId?: string } = {},
): SpendDecision {
  const decision = gate.checkSpend({ spender, amountTrm, reason: "inference", ...extra });
  if (decision.allowed) gate.recordSpend({ spender, amountTrm, grantId: decision.grantId });
  return decision;
}

function logCount(): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM safety_decisions").get() as { n: number }).n;
}

describe("kill switch", () => {
  it("blocks every spender and survives closing and reopening the database file", () => {
    expect(spend("operator", 10).allowed).toBe(true);
    gate.activateKill("runaway agent", "alice");
    expect(spend("operator", 1)).toMatchObject({ allowed: false, code: SafetyErrorCode.KILL_SWITCH_ACTIVE });
    expect(spend("agent-7", 0)).toMatchObject({ allowed: false, code: SafetyErrorCode.KILL_SWITCH_ACTIVE });

    db.close();
    open();
    expect(gate.killSwitch()).toMatchObject({
      active: true,
      reason: "runaway agent",
      activated_by: "alice",
      activated_at_ms: clock.nowMs(),
    });
    expect(spend("operator", 1)).toMatchObject({ allowed: false, code: SafetyErrorCode.KILL_SWITCH_ACTIVE });

    gate.resume("alice");
    db.close();
    open();
    expect(gate.killSwitch().active).toBe(false);
    expect(spend("operator", 1).allowed).toBe(true);
  });
});

describe("per-request limits and approval reachability", () => {
  it("allows exactly the auto cap and sends one TRM more to a human under the default policy", () => {
    expect(spend("operator", 1_000).allowed).toBe(true);
    const over = spend("operator", 1_001);
    expect(over).toMatchObject({ allowed: false, code: SafetyErrorCode.APPROVAL_REQUIRED });
    expect(over.allowed === false && over.deadlineMs).toBe(clock.nowMs() + 300_000);
  });

  it("reaches approval above the 5,000 threshold with defaults, and refuses above the 10,000 hard max", () => {
    const big = spend("agent-a", 6_000, { requestId: "r1" });
    expect(big).toMatchObject({ allowed: false, code: SafetyErrorCode.APPROVAL_REQUIRED });
    expect(spend("agent-a", 10_000, { requestId: "r2" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_REQUIRED,
    });
    expect(spend("agent-a", 10_001, { requestId: "r3" })).toMatchObject({
      code: SafetyErrorCode.EXCEEDS_REQUEST_LIMIT,
    });
  });

  it("with a raised auto cap, the approval threshold still applies: 5,000 passes, 5,001 needs a human", () => {
    gate.setPolicy("agent-b", { per_request_max_trm: 8_000 });
    expect(spend("agent-b", 5_000).allowed).toBe(true);
    clock.advanceMs(3_600_000);
    expect(spend("agent-b", 5_001)).toMatchObject({ code: SafetyErrorCode.APPROVAL_REQUIRED });
  });

  it("with approval disabled, the auto cap is a hard limit", () => {
    gate.setPolicy("agent-c", { approval_threshold_trm: null });
    expect(spend("agent-c", 1_000).allowed).toBe(true);
    expect(spend("agent-c", 1_001)).toMatchObject({ code: SafetyErrorCode.EXCEEDS_REQUEST_LIMIT });
    expect(gate.listApprovals({ status: "pending" })).toHaveLength(0);
  });
});

describe("budgets", () => {
  it("hourly: a spend reaching the limit exactly passes, one more TRM fails, and the window slides", () => {
    gate.setPolicy("agent-h", { hourly_max_trm: 2_500 });
    expect(spend("agent-h", 1_000).allowed).toBe(true);
    clock.advanceMs(600_000);
    expect(spend("agent-h", 1_000).allowed).toBe(true);
    expect(spend("agent-h", 501)).toMatchObject({ code: SafetyErrorCode.HOURLY_LIMIT_EXCEEDED });
    expect(spend("agent-h", 500).allowed).toBe(true);
    expect(spend("agent-h", 1)).toMatchObject({ code: SafetyErrorCode.HOURLY_LIMIT_EXCEEDED });
    // 60 minutes after the first spend it leaves the window.
    clock.advanceMs(3_000_000);
    expect(spend("agent-h", 1_001)).toMatchObject({ code: SafetyErrorCode.HOURLY_LIMIT_EXCEEDED });
    expect(spend("agent-h", 1_000).allowed).toBe(true);
  });

  it("lifetime: exactly at the cap passes, one more TRM fails, also across hours", () => {
    gate.setPolicy("agent-l", { lifetime_max_trm: 1_500 });
    expect(spend("agent-l", 1_000).allowed).toBe(true);
    clock.advanceMs(7_200_000);
    expect(spend("agent-l", 501)).toMatchObject({ code: SafetyErrorCode.LIFETIME_CAP_REACHED });
    expect(spend("agent-l", 500).allowed).toBe(true);
    clock.advanceMs(7_200_000);
    expect(spend("agent-l", 1)).toMatchObject({ code: SafetyErrorCode.LIFETIME_CAP_REACHED });
    expect(spend("agent-l", 0).allowed).toBe(true);
  });

  it("counts the settled amount, not the granted one; released grants stop counting", () => {
    gate.setPolicy("agent-s", { hourly_max_trm: 1_000 });
    const first = gate.checkSpend({ spender: "agent-s", amountTrm: 800, reason: "inference" });
    expect(first.allowed).toBe(true);
    // While unsettled, the grant holds budget.
    expect(gate.checkSpend({ spender: "agent-s", amountTrm: 201, reason: "inference" })).toMatchObject({
      code: SafetyErrorCode.HOURLY_LIMIT_EXCEEDED,
    });
    if (!first.allowed) throw new Error("unreachable");
    gate.recordSpend({ spender: "agent-s", amountTrm: 300, grantId: first.grantId });
    const second = gate.checkSpend({ spender: "agent-s", amountTrm: 700, reason: "inference" });
    expect(second.allowed).toBe(true);
    if (!second.allowed) throw new Error("unreachable");
    expect(gate.releaseSpend(second.grantId)).toBe(true);
    expect(gate.state().spend).toEqual([
      { spender: "agent-s", hourly_spend_trm: 300, lifetime_spend_trm: 300, spends_last_minute: 2 },
    ]);
    // A spend settled without a grant (a path that had none) still counts.
    expect(gate.recordSpend({ spender: "agent-s", amountTrm: 700 })).toEqual({ grant_found: false });
    expect(gate.checkSpend({ spender: "agent-s", amountTrm: 1, reason: "inference" })).toMatchObject({
      code: SafetyErrorCode.HOURLY_LIMIT_EXCEEDED,
    });
    expect(() => gate.recordSpend({ spender: "agent-s", amountTrm: 1, grantId: second.grantId })).toThrow(
      expect.objectContaining({ code: SafetyErrorCode.SPEND_GRANT_NOT_FOUND }),
    );
  });
});

describe("circuit breaker", () => {
  it("denies the 31st spend in a sliding minute and trips for 5 minutes", () => {
    for (let index = 0; index < 30; index++) {
      expect(spend("agent-v", 1).allowed).toBe(true);
      clock.advanceMs(1_000);
    }
    expect(spend("agent-v", 1)).toMatchObject({ allowed: false, code: SafetyErrorCode.VELOCITY_ANOMALY });
    expect(gate.state().breakers).toEqual([
      expect.objectContaining({
        spender: "agent-v",
        tripped: true,
        trip_code: SafetyErrorCode.VELOCITY_ANOMALY,
      }),
    ]);
    // Other spenders are unaffected.
    expect(spend("agent-w", 1).allowed).toBe(true);
    clock.advanceMs(299_999);
    expect(spend("agent-v", 1)).toMatchObject({
      code: SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED,
      retryAfterMs: 1,
    });
    clock.advanceMs(1);
    expect(gate.state().breakers[0]).toMatchObject({
      spender: "agent-v",
      tripped: false,
      resets_at_ms: null,
    });
    expect(spend("agent-v", 1).allowed).toBe(true);
  });

  it("the sliding window forgets spends older than 60 s", () => {
    for (let index = 0; index < 30; index++) expect(spend("agent-x", 1).allowed).toBe(true);
    clock.advanceMs(60_000);
    expect(spend("agent-x", 1).allowed).toBe(true);
  });

  it("trips after 5 consecutive errors, a success resets the count, and it auto-resets after 5 minutes", () => {
    for (let index = 0; index < 4; index++) gate.recordOutcome("agent-e", false);
    gate.recordOutcome("agent-e", true);
    for (let index = 0; index < 4; index++) gate.recordOutcome("agent-e", false);
    expect(spend("agent-e", 1).allowed).toBe(true);
    const state = gate.recordOutcome("agent-e", false);
    expect(state).toMatchObject({
      tripped: true,
      consecutive_errors: 5,
      resets_at_ms: clock.nowMs() + 300_000,
    });
    expect(spend("agent-e", 1)).toMatchObject({ code: SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED });

    // Persisted: a restart does not clear it.
    db.close();
    open();
    clock.advanceMs(299_999);
    expect(spend("agent-e", 1)).toMatchObject({ code: SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED });
    clock.advanceMs(1);
    expect(spend("agent-e", 1).allowed).toBe(true);
    expect(gate.state().breakers.find((breaker) => breaker.spender === "agent-e")).toMatchObject({
      tripped: false,
      consecutive_errors: 0,
    });
  });
});

describe("per-spender breaker settings", () => {
  it("lets the operator make 40 spends inside a minute while an agent is tripped after 30", () => {
    for (let index = 0; index < 40; index++) {
      expect(spend("operator", 1).allowed).toBe(true);
      if (index < 30) expect(spend("agent-g", 1).allowed).toBe(true);
      clock.advanceMs(1_000);
    }
    expect(spend("agent-g", 1)).toMatchObject({ allowed: false, code: SafetyErrorCode.VELOCITY_ANOMALY });
    expect(spend("operator", 1).allowed).toBe(true);
    expect(gate.state().breakers).toEqual([expect.objectContaining({ spender: "agent-g", tripped: true })]);
  });

  it("denies the operator's 601st spend in a minute by default, and trips it", () => {
    for (let index = 0; index < 600; index++) expect(spend("operator", 0).allowed).toBe(true);
    expect(spend("operator", 0)).toMatchObject({
      allowed: false,
      code: SafetyErrorCode.VELOCITY_ANOMALY,
      message: expect.stringContaining("more than 600 spends"),
    });
    expect(spend("operator", 0)).toMatchObject({ code: SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED });
  });

  it("trips the operator after 20 failures in a row, an agent after 5", () => {
    for (let index = 0; index < 19; index++) {
      expect(gate.recordOutcome("operator", false).tripped).toBe(false);
      gate.recordOutcome("agent-f", false);
    }
    expect(gate.recordOutcome("agent-f", false).tripped).toBe(true);
    expect(spend("operator", 1).allowed).toBe(true);
    expect(gate.recordOutcome("operator", false)).toMatchObject({ tripped: true, consecutive_errors: 20 });
    expect(spend("operator", 1)).toMatchObject({ code: SafetyErrorCode.CIRCUIT_BREAKER_TRIPPED });
  });

  it("takes each spender's own settings from setPolicy, persisted across reopening the file", () => {
    gate.setPolicy("agent-s", { velocity_spends_per_minute_max: 3, breaker_consecutive_errors_max: 2 });
    gate.setPolicy("operator", { velocity_spends_per_minute_max: 2 });
    db.close();
    open();
    expect(gate.getPolicy("operator")).toMatchObject({
      velocity_spends_per_minute_max: 2,
      breaker_consecutive_errors_max: 20,
    });
    for (let index = 0; index < 3; index++) expect(spend("agent-s", 1).allowed).toBe(true);
    expect(spend("agent-s", 1)).toMatchObject({
      code: SafetyErrorCode.VELOCITY_ANOMALY,
      message: expect.stringContaining("more than 3 spends"),
    });
    for (let index = 0; index < 2; index++) expect(spend("operator", 1).allowed).toBe(true);
    expect(spend("operator", 1)).toMatchObject({ code: SafetyErrorCode.VELOCITY_ANOMALY });
    gate.recordOutcome("agent-t", false);
    gate.setPolicy("agent-t", { breaker_consecutive_errors_max: 2 });
    expect(gate.recordOutcome("agent-t", false).tripped).toBe(true);
  });

  it("gives a policy stored before breaker settings existed the breaker defaults of its spender", () => {
    gate.setPolicy("operator", { hourly_max_trm: 50_000 });
    gate.setPolicy("agent-o", { hourly_max_trm: 500 });
    db.prepare("DELETE FROM safety_breaker_policies").run();
    expect(gate.getPolicy("operator")).toMatchObject({
      hourly_max_trm: 50_000,
      velocity_spends_per_minute_max: 600,
      breaker_consecutive_errors_max: 20,
    });
    expect(gate.state().policies).toEqual([
      expect.objectContaining({
        spender: "agent-o",
        hourly_max_trm: 500,
        velocity_spends_per_minute_max: 30,
      }),
      expect.objectContaining({ spender: "operator", velocity_spends_per_minute_max: 600 }),
    ]);
  });
});

describe("approval workflow", () => {
  it("pending → approve → the same spend is allowed once", () => {
    const first = spend("agent-a", 6_000, { requestId: "req-1" });
    if (first.allowed || first.approvalId === undefined) throw new Error("expected a pending approval");
    expect(gate.listApprovals({ status: "pending" }).map((row) => row.approval_id)).toEqual([
      first.approvalId,
    ]);
    // Retrying before a decision returns the same approval, not a new one.
    expect(spend("agent-a", 6_000, { requestId: "req-1" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_REQUIRED,
      approvalId: first.approvalId,
    });
    expect(gate.approve(first.approvalId, "alice")).toMatchObject({
      status: "approved",
      decided_by: "alice",
    });

    const retry = spend("agent-a", 6_000, { requestId: "req-1" });
    expect(retry).toMatchObject({ allowed: true, approvalId: first.approvalId });
    expect(spend("agent-a", 6_000, { approvalId: first.approvalId })).toMatchObject({
      allowed: false,
      code: SafetyErrorCode.APPROVAL_CONSUMED,
    });
    expect(gate.listApprovals({ status: "consumed" })).toHaveLength(1);
  });

  it("an approval redeemed by id must match spender and amount", () => {
    const first = spend("agent-a", 2_000);
    if (first.allowed || first.approvalId === undefined) throw new Error("expected a pending approval");
    gate.approve(first.approvalId, "alice");
    expect(spend("agent-a", 2_001, { approvalId: first.approvalId })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_MISMATCH,
    });
    expect(spend("agent-b", 2_000, { approvalId: first.approvalId })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_MISMATCH,
    });
    expect(spend("agent-a", 2_000, { approvalId: "apr_missing" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_NOT_FOUND,
    });
    expect(spend("agent-a", 2_000, { approvalId: first.approvalId })).toMatchObject({ allowed: true });
  });

  it("an approval does not override budgets or the kill switch", () => {
    gate.setPolicy("agent-a", { hourly_max_trm: 3_000 });
    const first = spend("agent-a", 2_000, { requestId: "q" });
    if (first.allowed || first.approvalId === undefined) throw new Error("expected a pending approval");
    gate.approve(first.approvalId, "alice");
    gate.activateKill("maintenance", "alice");
    expect(spend("agent-a", 2_000, { requestId: "q" })).toMatchObject({
      code: SafetyErrorCode.KILL_SWITCH_ACTIVE,
    });
    gate.resume("alice");
    expect(spend("agent-a", 1_000).allowed).toBe(true);
    expect(spend("agent-a", 2_001, { requestId: "z" })).toMatchObject({
      code: SafetyErrorCode.HOURLY_LIMIT_EXCEEDED,
    });
    expect(spend("agent-a", 2_000, { requestId: "q" })).toMatchObject({
      allowed: true,
      approvalId: first.approvalId,
    });
  });

  it("deny → the spend stays denied", () => {
    const first = spend("agent-d", 7_000, { requestId: "req-9" });
    if (first.allowed || first.approvalId === undefined) throw new Error("expected a pending approval");
    expect(gate.deny(first.approvalId, "bob")).toMatchObject({ status: "denied", decided_by: "bob" });
    expect(spend("agent-d", 7_000, { requestId: "req-9" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_DENIED,
    });
    expect(spend("agent-d", 7_000, { approvalId: first.approvalId })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_DENIED,
    });
    expect(() => gate.approve(first.approvalId as string, "alice")).toThrow(
      expect.objectContaining({ code: SafetyErrorCode.APPROVAL_NOT_PENDING }),
    );
  });

  it("at the deadline a pending approval counts as denied", () => {
    const first = spend("agent-t", 3_000, { requestId: "req-t" });
    if (first.allowed || first.approvalId === undefined || first.deadlineMs === undefined)
      throw new Error("expected pending");
    clock.setMs(first.deadlineMs - 1);
    expect(spend("agent-t", 3_000, { requestId: "req-t" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_REQUIRED,
      approvalId: first.approvalId,
    });
    clock.setMs(first.deadlineMs);
    expect(() => gate.approve(first.approvalId as string, "alice")).toThrow(
      expect.objectContaining({ code: SafetyErrorCode.APPROVAL_NOT_PENDING }),
    );
    expect(gate.listApprovals({ status: "expired" }).map((row) => row.approval_id)).toEqual([
      first.approvalId,
    ]);
    expect(spend("agent-t", 3_000, { requestId: "req-t" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_EXPIRED,
    });
    const log = gate.listDecisions({ spender: "agent-t" });
    expect(
      log.filter(
        (entry) => entry.code === SafetyErrorCode.APPROVAL_EXPIRED && entry.approval_id === first.approvalId,
      ),
    ).toHaveLength(2);
  });

  it("an approved spend not redeemed within 5 minutes of approval expires", () => {
    const first = spend("agent-r", 2_000, { requestId: "late" });
    if (first.allowed || first.approvalId === undefined) throw new Error("expected a pending approval");
    gate.approve(first.approvalId, "alice");
    clock.advanceMs(300_000);
    expect(spend("agent-r", 2_000, { requestId: "late" })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_EXPIRED,
    });
    expect(spend("agent-r", 2_000, { approvalId: first.approvalId })).toMatchObject({
      code: SafetyErrorCode.APPROVAL_EXPIRED,
    });
  });

  it("honours a configured approval deadline", () => {
    const quick = createSafetyGate({ db, clock, approvalDeadlineMs: 60_000 });
    const pending = quick.checkSpend({ spender: "agent-q", amountTrm: 2_000, reason: "inference" });
    expect(pending).toMatchObject({
      code: SafetyErrorCode.APPROVAL_REQUIRED,
      deadlineMs: clock.nowMs() + 60_000,
    });
    expect(() => createSafetyGate({ db, clock, approvalDeadlineMs: 0 })).toThrow(RangeError);
  });

  it("expireApprovals expires exactly the due ones", () => {
    const a = spend("agent-t", 3_000, { requestId: "a" });
    clock.advanceMs(1_000);
    const b = spend("agent-t", 3_000, { requestId: "b" });
    if (a.allowed || b.allowed || a.deadlineMs === undefined) throw new Error("expected pending");
    expect(gate.expireApprovals(a.deadlineMs)).toBe(1);
    expect(gate.listApprovals({ status: "pending" }).map((row) => row.approval_id)).toEqual([b.approvalId]);
  });
});

describe("fail closed and decision log", () => {
  it("denies with SAFETY_INTERNAL_ERROR when the policy store fails, and logs it", () => {
    db.exec("ALTER TABLE safety_policies RENAME TO safety_policies_gone");
    const decision = gate.checkSpend({ spender: "operator", amountTrm: 1, reason: "inference" });
    expect(decision).toMatchObject({ allowed: false, code: SafetyErrorCode.SAFETY_INTERNAL_ERROR });
    const [row] = gate.listDecisions({ limit: 1 });
    expect(row).toMatchObject({
      spender: "operator",
      amount_trm: 1,
      allowed: false,
      code: SafetyErrorCode.SAFETY_INTERNAL_ERROR,
    });
    // Nothing was granted.
    expect((db.prepare("SELECT COUNT(*) AS n FROM safety_grants").get() as { n: number }).n).toBe(0);
  });

  it("denies when the decision log itself is gone (nothing is granted without a log row)", () => {
    db.exec("DROP TABLE safety_decisions");
    expect(gate.checkSpend({ spender: "operator", amountTrm: 1, reason: "inference" })).toMatchObject({
      allowed: false,
      code: SafetyErrorCode.SAFETY_INTERNAL_ERROR,
    });
    expect((db.prepare("SELECT COUNT(*) AS n FROM safety_grants").get() as { n: number }).n).toBe(0);
  });

  it("denies instead of throwing when the database is closed", () => {
    db.close();
    expect(gate.checkSpend({ spender: "operator", amountTrm: 1, reason: "inference" })).toMatchObject({
      allowed: false,
      code: SafetyErrorCode.SAFETY_INTERNAL_ERROR,
    });
  });

  it("denies instead of throwing when the clock is broken", () => {
    const broken = createSafetyGate({ db, clock: { nowMs: () => Number.NaN } });
    expect(broken.checkSpend({ spender: "operator", amountTrm: 1, reason: "inference" })).toMatchObject({
      code: SafetyErrorCode.SAFETY_INTERNAL_ERROR,
    });
  });

  it("denies malformed requests without throwing", () => {
    const bad = [
      { spender: "Operator", amountTrm: 1, reason: "x" },
      { spender: "a".repeat(65), amountTrm: 1, reason: "x" },
      { spender: "agent", amountTrm: 1.5, reason: "x" },
      { spender: "agent", amountTrm: -1, reason: "x" },
      { spender: "agent", amountTrm: 1, reason: "" },
    ];
    for (const request of bad) {
      expect(gate.checkSpend(request)).toMatchObject({
        allowed: false,
        code: SafetyErrorCode.INVALID_SPEND_REQUEST,
      });
    }
    expect(logCount()).toBe(bad.length);
  });

  it("logs every decision, allow or deny, with spender, amount, code and time", () => {
    spend("agent-z", 10);
    spend("agent-z", 2_000);
    gate.activateKill("stop", "alice");
    spend("operator", 5);
    const rows = db
      .prepare(
        "SELECT spender, amount_trm, allowed, code, time_ms, reason FROM safety_decisions ORDER BY decision_id",
      )
      .all();
    expect(rows).toEqual([
      {
        spender: "agent-z",
        amount_trm: 10,
        allowed: 1,
        code: "ALLOWED",
        time_ms: clock.nowMs(),
        reason: "inference",
      },
      {
        spender: "agent-z",
        amount_trm: 2_000,
        allowed: 0,
        code: "APPROVAL_REQUIRED",
        time_ms: clock.nowMs(),
        reason: "inference",
      },
      {
        spender: "operator",
        amount_trm: 5,
        allowed: 0,
        code: "KILL_SWITCH_ACTIVE",
        time_ms: clock.nowMs(),
        reason: "inference",
      },
    ]);
  });
});

describe("policies and state", () => {
  it("validates policies", () => {
    expect(() => gate.setPolicy("agent", { hourly_max_trm: -1 })).toThrow(
      expect.objectContaining({ code: "INVALID_POLICY" }),
    );
    expect(() => gate.setPolicy("agent", { hourly_max_trm: 1.5 })).toThrow(
      expect.objectContaining({ code: "INVALID_POLICY" }),
    );
    expect(() => gate.setPolicy("agent", { per_request_max_trm: 20_000 })).toThrow(
      expect.objectContaining({ code: "INVALID_POLICY" }),
    );
    expect(() => gate.setPolicy("agent", { bogus: 1 } as never)).toThrow(
      expect.objectContaining({ code: "INVALID_POLICY" }),
    );
    expect(() => gate.setPolicy("Bad Name", {})).toThrow(
      expect.objectContaining({ code: "INVALID_SPENDER" }),
    );
    expect(gate.setPolicy("agent", { hourly_max_trm: 0 })).toMatchObject({
      hourly_max_trm: 0,
      per_request_max_trm: 1_000,
    });
    expect(gate.getPolicy("agent").hourly_max_trm).toBe(0);
    expect(gate.getPolicy("other")).toEqual({
      per_request_max_trm: 1_000,
      per_request_hard_max_trm: 10_000,
      hourly_max_trm: 10_000,
      lifetime_max_trm: 1_000_000,
      approval_threshold_trm: 5_000,
      velocity_spends_per_minute_max: 30,
      breaker_consecutive_errors_max: 5,
    });
    expect(gate.getPolicy("operator")).toEqual({
      ...gate.getPolicy("other"),
      velocity_spends_per_minute_max: 600,
      breaker_consecutive_errors_max: 20,
    });
  });

  it("validates breaker settings: integers from 1 to their maxima, nothing stored on failure", () => {
    for (const bad of [0, -1, 1.5, 6_001, Number.NaN, "10"]) {
      expect(() => gate.setPolicy("agent", { velocity_spends_per_minute_max: bad as number })).toThrow(
        expect.objectContaining({
          code: "INVALID_POLICY",
          details: { field: "velocity_spends_per_minute_max" },
        }),
      );
    }
    for (const bad of [0, 1_001, 2.5, null]) {
      expect(() => gate.setPolicy("agent", { breaker_consecutive_errors_max: bad as number })).toThrow(
        expect.objectContaining({
          code: "INVALID_POLICY",
          details: { field: "breaker_consecutive_errors_max" },
        }),
      );
    }
    expect(gate.state().policies).toEqual([]);
    expect(
      gate.setPolicy("agent", { velocity_spends_per_minute_max: 6_000, breaker_consecutive_errors_max: 1 }),
    ).toMatchObject({ velocity_spends_per_minute_max: 6_000, breaker_consecutive_errors_max: 1 });
  });

  it("state() reports kill switch, breakers, policies, pending approvals and recent spend", () => {
    spend("agent-a", 100);
    spend("agent-a", 1_500);
    gate.setPolicy("agent-b", { lifetime_max_trm: 5 });
    const state = gate.state();
    expect(state.kill_switch.active).toBe(false);
    expect(state.pending_approvals).toBe(1);
    expect(state.policies).toEqual([
      expect.objectContaining({
        spender: "agent-b",
        lifetime_max_trm: 5,
        velocity_spends_per_minute_max: 30,
      }),
    ]);
    expect(state.default_policy.velocity_spends_per_minute_max).toBe(30);
    expect(state.operator_default_policy.velocity_spends_per_minute_max).toBe(600);
    expect(state.spend).toEqual([
      { spender: "agent-a", hourly_spend_trm: 100, lifetime_spend_trm: 100, spends_last_minute: 1 },
    ]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
