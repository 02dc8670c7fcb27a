/**
 * The lending side of the one safety gate (docs/architecture.md §6, docs/lending.md): what a node checks
 * before it signs a loan, in upstream's order (docs/upstream.md §5.5) — kill switch → default-rate
 * breaker → lending velocity → credit floor → loan-to-value → term → single-loan share of the pool →
 * reserve ratio — and then the spender's own budget through `safety.checkSpend`, since lending and
 * repaying move value like any other spend. Upstream had this gate but nothing called it; here the
 * market's loan handshake and the node's routes call it before every signature, and it fails closed.
 * @module
 */
import type Database from "better-sqlite3";
import { LOAN_LTV_MAX, LOAN_TERM_HOURS_MAX, type Loan } from "@tirami/proto";
import type { SafetyGate, SpendDecision } from "../safety/index.js";
import {
  DEFAULT_RATE_BREAKER_RESET_MS,
  DEFAULT_RATE_BREAKER_THRESHOLD,
  DEFAULT_RATE_WINDOW_MS,
  MAX_LOANS_PER_MINUTE,
  MAX_SINGLE_LOAN_POOL_SHARE,
  MIN_CREDIT_FOR_BORROWING,
  MIN_RESERVE_RATIO,
  VELOCITY_WINDOW_MS,
} from "./constants.js";

export const LoanDenyCode = {
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  DEFAULT_RATE_CIRCUIT_TRIPPED: "DEFAULT_RATE_CIRCUIT_TRIPPED",
  VELOCITY_LIMIT_EXCEEDED: "VELOCITY_LIMIT_EXCEEDED",
  INSUFFICIENT_CREDIT: "INSUFFICIENT_CREDIT",
  EXCESSIVE_LTV: "EXCESSIVE_LTV",
  EXCESSIVE_TERM: "EXCESSIVE_TERM",
  SINGLE_LOAN_EXCEEDS_POOL: "SINGLE_LOAN_EXCEEDS_POOL",
  POOL_RESERVE_VIOLATION: "POOL_RESERVE_VIOLATION",
  /** The spender's safety decision denied (its own code is in `safety_code`). */
  SAFETY_DENIED: "SAFETY_DENIED",
  /** Something failed inside the gate: deny. */
  LOAN_GATE_ERROR: "LOAN_GATE_ERROR",
} as const;
export type LoanDenyCode = (typeof LoanDenyCode)[keyof typeof LoanDenyCode];

/** The lender's own pool: what it offers now plus what it has out on loan. */
export interface LenderPool {
  total_trm: number;
  available_trm: number;
}

export interface LoanCheck {
  /** The loan this node is about to sign, and in which role. */
  loan: Loan;
  role: "lender" | "borrower";
  /** Who at this node decides: "operator" or an agent name (its budget pays a loan or a repayment). */
  spender: string;
  /** The borrower's credit score as this node sees it. */
  borrowerCredit: number;
  /** Lender only: its pool before this loan. */
  pool?: LenderPool;
  requestId?: string;
}

export type LoanGateDecision =
  | { allowed: true; grantId: string | null }
  | {
      allowed: false;
      code: LoanDenyCode;
      message: string;
      /** For SAFETY_DENIED: the safety gate's decision. */
      safety?: SpendDecision;
    };

export interface LoanGate {
  /** Decides; never throws (an internal failure denies with LOAN_GATE_ERROR). */
  check(request: LoanCheck): LoanGateDecision;
  /** The default-rate breaker as it stands (for status pages). */
  breaker(): {
    tripped: boolean;
    default_rate: number;
    closed_last_hour: number;
    resets_at_ms: number | null;
  };
}

export function createLoanGate(deps: {
  db: Database.Database;
  safety: SafetyGate;
  localAccount: string | undefined;
  nowMs: () => number;
}): LoanGate {
  const closed = deps.db
    .prepare(`SELECT sum(status = 'defaulted') AS defaulted, count(*) AS n, max(CASE WHEN status = 'defaulted' THEN applied_ms END) AS last_default_ms
    FROM (SELECT status, closed_ms, (SELECT applied_ms FROM loan_events e WHERE e.loan_id = l.loan_id AND e.kind = l.status) AS applied_ms
          FROM loans l WHERE lender = ? AND status <> 'active') WHERE applied_ms > ?`);
  const created = deps.db
    .prepare("SELECT count(*) FROM loans WHERE lender = ? AND applied_ms > ?")
    .pluck(true);

  function breaker() {
    const now = deps.nowMs();
    const lender = deps.localAccount ?? "";
    const row = closed.get(lender, now - DEFAULT_RATE_WINDOW_MS) as {
      defaulted: number | null;
      n: number;
      last_default_ms: number | null;
    };
    const n = row.n;
    const rate = n === 0 ? 0 : (row.defaulted ?? 0) / n;
    const resetsAt =
      row.last_default_ms === null ? null : row.last_default_ms + DEFAULT_RATE_BREAKER_RESET_MS;
    const tripped = rate > DEFAULT_RATE_BREAKER_THRESHOLD && resetsAt !== null && now < resetsAt;
    return { tripped, default_rate: rate, closed_last_hour: n, resets_at_ms: tripped ? resetsAt : null };
  }

  function decide(request: LoanCheck): LoanGateDecision {
    const deny = (code: LoanDenyCode, message: string): LoanGateDecision => ({
      allowed: false,
      code,
      message,
    });
    const { loan } = request;
    if (deps.safety.killSwitch().active) return deny("KILL_SWITCH_ACTIVE", "the kill switch is on");
    if (request.role === "lender") {
      const b = breaker();
      if (b.tripped)
        return deny(
          "DEFAULT_RATE_CIRCUIT_TRIPPED",
          `default rate ${(b.default_rate * 100).toFixed(1)} % over the last hour exceeds ${DEFAULT_RATE_BREAKER_THRESHOLD * 100} %`,
        );
      const recent = created.get(deps.localAccount ?? "", deps.nowMs() - VELOCITY_WINDOW_MS) as number;
      if (recent >= MAX_LOANS_PER_MINUTE)
        return deny(
          "VELOCITY_LIMIT_EXCEEDED",
          `${recent} loans made in the last minute (max ${MAX_LOANS_PER_MINUTE})`,
        );
      if (!Number.isFinite(request.borrowerCredit) || request.borrowerCredit < MIN_CREDIT_FOR_BORROWING)
        return deny(
          "INSUFFICIENT_CREDIT",
          `borrower credit ${request.borrowerCredit.toFixed(3)} is under the floor ${MIN_CREDIT_FOR_BORROWING}`,
        );
    }
    if (loan.principal_trm > loan.collateral_trm * LOAN_LTV_MAX)
      return deny("EXCESSIVE_LTV", `principal exceeds ${LOAN_LTV_MAX} × collateral`);
    if (loan.term_hours > LOAN_TERM_HOURS_MAX)
      return deny("EXCESSIVE_TERM", `term ${loan.term_hours} h exceeds ${LOAN_TERM_HOURS_MAX} h`);
    if (request.role === "lender") {
      const pool = request.pool;
      if (pool === undefined || pool.total_trm <= 0)
        return deny("SINGLE_LOAN_EXCEEDS_POOL", "this node has no lending pool");
      const maximum = Math.floor(pool.total_trm * MAX_SINGLE_LOAN_POOL_SHARE);
      if (loan.principal_trm > maximum)
        return deny(
          "SINGLE_LOAN_EXCEEDS_POOL",
          `loan of ${loan.principal_trm} TRM exceeds ${MAX_SINGLE_LOAN_POOL_SHARE * 100} % of the pool (${maximum})`,
        );
      const after = (pool.available_trm - loan.principal_trm) / pool.total_trm;
      if (after < MIN_RESERVE_RATIO)
        return deny(
          "POOL_RESERVE_VIOLATION",
          `reserve after the loan ${(after * 100).toFixed(1)} % is under ${MIN_RESERVE_RATIO * 100} %`,
        );
      const decision = deps.safety.checkSpend({
        spender: request.spender,
        amountTrm: loan.principal_trm,
        reason: "loan",
        ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
      });
      if (!decision.allowed)
        return { allowed: false, code: "SAFETY_DENIED", message: decision.message, safety: decision };
      return { allowed: true, grantId: decision.grantId };
    }
    return { allowed: true, grantId: null };
  }

  return {
    check(request) {
      try {
        return decide(request);
      } catch (error) {
        return {
          allowed: false,
          code: "LOAN_GATE_ERROR",
          message: `loan gate failed: ${(error as Error).message}`,
        };
      }
    },
    breaker,
  };
}
