/**
 * The bank's persisted state on the ledger's connection (tables of ledger migration `008_bank`): the
 * append-only decision history and the settings (strategy, risk tolerance), so a restart keeps both.
 * @module
 */
import type { BankLedger } from "./ports.js";
import { DECISIONS_PAGE_MAX } from "./constants.js";
import { BankError, BankErrorCode } from "./errors.js";
import { defaultStrategy, parseRiskTolerance, parseStrategy, type Strategy } from "./strategy.js";
import type { ActionKind, Decision, PoolSnapshot, RiskTolerance } from "./types.js";

/** What became of a decision: acted on, only planned (a dry run), refused by a gate, failed or skipped. */
export type DecisionOutcome = "done" | "planned" | "denied" | "failed" | "skipped";

/** A decision as recorded, with its outcome. */
export interface RecordedDecision extends Decision {
  decision_id: number;
  tick_id: string;
  tick_ms: number;
  dry_run: boolean;
  outcome: DecisionOutcome;
  /** Why it was denied or failed (a typed code and message), or what it did (the loan id). */
  detail: string | null;
}

export interface BankStore {
  record(entry: {
    tickId: string;
    tickMs: number;
    dryRun: boolean;
    strategy: Strategy;
    pool: PoolSnapshot;
    decision: Decision;
    outcome: DecisionOutcome;
    detail: string | null;
  }): RecordedDecision;
  /** Newest first. */
  list(limit?: number): RecordedDecision[];
  count(): number;
  strategy(): Strategy;
  setStrategy(strategy: Strategy, nowMs: number): void;
  risk(): RiskTolerance;
  setRisk(tolerance: RiskTolerance, nowMs: number): void;
}

interface DecisionRow {
  decision_id: number;
  tick_id: string;
  tick_ms: number;
  action: ActionKind;
  amount_trm: number;
  rationale: string;
  confidence: number;
  dry_run: number;
  outcome: DecisionOutcome;
  detail: string | null;
}

function fromRow(row: DecisionRow): RecordedDecision {
  return {
    decision_id: row.decision_id,
    tick_id: row.tick_id,
    tick_ms: row.tick_ms,
    action: row.action,
    amount_trm: row.amount_trm,
    rationale: row.rationale,
    confidence: row.confidence,
    dry_run: row.dry_run === 1,
    outcome: row.outcome,
    detail: row.detail,
  };
}

/** The store over the ledger's database (its `008_bank` tables must exist). */
export function createBankStore(db: BankLedger["sqlite"]): BankStore {
  const insert = db.prepare(`INSERT INTO bank_decisions
    (tick_id, tick_ms, action, amount_trm, rationale, confidence, dry_run, outcome, detail, strategy, pool)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`);
  const page = db.prepare("SELECT * FROM bank_decisions ORDER BY decision_id DESC LIMIT ?");
  const count = db.prepare("SELECT count(*) FROM bank_decisions").pluck(true);
  const getSetting = db.prepare("SELECT value FROM bank_settings WHERE key = ?").pluck(true);
  const putSetting = db.prepare(`INSERT INTO bank_settings (key, value, updated_ms) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`);
  const setting = <T>(key: string, parse: (value: unknown) => T, fallback: T): T => {
    const raw = getSetting.get(key) as string | undefined;
    return raw === undefined ? fallback : parse(JSON.parse(raw));
  };
  return {
    record(e) {
      const d = e.decision;
      const row = insert.get(
        e.tickId,
        e.tickMs,
        d.action,
        d.amount_trm,
        d.rationale.slice(0, 1_000),
        d.confidence,
        e.dryRun ? 1 : 0,
        e.outcome,
        e.detail === null ? null : e.detail.slice(0, 1_000),
        JSON.stringify(e.strategy),
        JSON.stringify(e.pool),
      ) as DecisionRow;
      return { ...fromRow(row), ...(d.loan_id === undefined ? {} : { loan_id: d.loan_id }) };
    },
    list(limit = 100) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > DECISIONS_PAGE_MAX)
        throw new BankError(BankErrorCode.INVALID_BANK_REQUEST, `"limit" expected 1..${DECISIONS_PAGE_MAX}`);
      return (page.all(limit) as DecisionRow[]).map(fromRow);
    },
    count: () => count.get() as number,
    strategy: () => setting("strategy", parseStrategy, defaultStrategy()),
    setStrategy(strategy, nowMs) {
      putSetting.run("strategy", JSON.stringify(parseStrategy(strategy)), nowMs);
    },
    risk: () => setting("risk", parseRiskTolerance, "balanced" as RiskTolerance),
    setRisk(tolerance, nowMs) {
      putSetting.run("risk", JSON.stringify(parseRiskTolerance(tolerance)), nowMs);
    },
  };
}
