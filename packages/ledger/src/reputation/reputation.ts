/**
 * Reputation store: the local score per account (initial 0.5, clamped to [0, 1], moved by completed
 * trades and failures with upstream's deltas) and signed observations from other nodes, merged by a
 * weighted median whose weights come from *our* trade history with each observer — not from the weight
 * the observer claims (docs/upstream.md §13.8).
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { type AccountId, type Clock, fromHex, parseAccountId, toHex } from "@tirami/core";
import {
  DEFAULT_REPUTATION,
  FAILURE_DELTAS,
  LOCAL_VIEW_WEIGHT,
  OBSERVATION_AGE_MAX_MS,
  OBSERVATION_CLOCK_SKEW_MS,
  OBSERVATIONS_MAX,
  OBSERVATIONS_PER_SUBJECT_MAX,
  OBSERVER_TRADES_FULL_WEIGHT,
  OBSERVER_TRADES_MIN,
  REPUTATION_LIST_LIMIT_MAX,
  REPUTATION_MAX,
  REPUTATION_MIN,
  SUCCESS_DELTA,
} from "./constants.js";
import { ReputationError, ReputationErrorCode } from "./errors.js";
import { weightedMedian } from "./median.js";
import { observationProblem, type ReputationObservation, verifyObservation } from "./observation.js";

export type ReputationFailureKind = keyof typeof FAILURE_DELTAS;

/** One account's local reputation. */
export interface ReputationEntry {
  account: AccountId;
  score: number;
  successes: number;
  failures: number;
  updated_at_ms: number | null;
}

export interface IngestResult {
  /** `accepted`: stored as the latest for observer→subject; `stale`: an equal or newer one is already kept. */
  status: "accepted" | "stale";
}

/** The merged view of a subject and what went into it. */
export interface MergedReputation {
  subject: AccountId;
  score: number;
  local_score: number;
  observations_used: number;
  observations_ignored: number;
  total_weight: number;
}

export interface Reputation {
  recordSuccess(account: AccountId): ReputationEntry;
  /**
   * One success per listed account occurrence (an account listed n times gets n successes, applied one
   * after another exactly as n `recordSuccess` calls would), in one transaction with one write per
   * distinct account. The ledger calls it once per trade transaction.
   */
  recordSuccesses(accounts: readonly AccountId[]): void;
  recordFailure(account: AccountId, kind: ReputationFailureKind): ReputationEntry;
  get(account: AccountId): ReputationEntry;
  list(options?: { limit?: number }): ReputationEntry[];
  /**
   * Verifies and stores an observation (proto's wire format, as gossiped); throws `ReputationError` when
   * malformed, not signed by its observer, or not fresh. A replay or an older one is `stale` (no change).
   */
  ingestObservation(observation: ReputationObservation): IngestResult;
  /** Stored observations of `subject`, newest first. */
  observationsOf(subject: AccountId): ReputationObservation[];
  /** The weight we give `observer`'s opinions, in [0, 1], from our own history with it. */
  observerWeight(observer: AccountId): number;
  /** Weighted median of the local view and fresh observations, weights derived locally. */
  mergedReputation(subject: AccountId): number;
  mergedReputationDetail(subject: AccountId): MergedReputation;
}

export interface ReputationOptions {
  db: BetterSqlite3.Database;
  clock: Clock;
  /** This node's account: its own observations are not merged (its local view already is). */
  localAccount?: AccountId;
}

interface ScoreRow {
  account: string;
  score: number;
  successes: number;
  failures: number;
  updated_at_ms: number;
}

/** `weight` is a column of the first schema, when observations carried a self-reported weight: always NULL now. */
interface ObservationRow {
  observer: string;
  subject: string;
  score: number;
  timestamp_ms: number;
  signature: Buffer;
}

function clampScore(score: number): number {
  return Math.min(REPUTATION_MAX, Math.max(REPUTATION_MIN, score));
}

function toObservation(row: ObservationRow): ReputationObservation {
  return {
    kind: "reputation_observation",
    observer: row.observer as AccountId,
    subject: row.subject as AccountId,
    score: row.score,
    timestamp_ms: row.timestamp_ms,
    signature: toHex(new Uint8Array(row.signature)),
  };
}

/** Creates the reputation store over `db` (with `REPUTATION_SCHEMA_SQL` applied). */
export function createReputation(options: ReputationOptions): Reputation {
  const { db, clock } = options;
  const s = {
    get: db.prepare("SELECT * FROM reputation_scores WHERE account = ?"),
    put: db.prepare(
      `INSERT INTO reputation_scores (account, score, successes, failures, updated_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account) DO UPDATE SET score = excluded.score, successes = excluded.successes,
         failures = excluded.failures, updated_at_ms = excluded.updated_at_ms`,
    ),
    list: db.prepare("SELECT * FROM reputation_scores ORDER BY score DESC, account LIMIT ?"),
    obsGet: db.prepare("SELECT timestamp_ms FROM reputation_observations WHERE observer = ? AND subject = ?"),
    obsPut: db.prepare(
      `INSERT INTO reputation_observations (observer, subject, score, weight, timestamp_ms, signature, received_at_ms)
       VALUES (@observer, @subject, @score, @weight, @timestamp_ms, @signature, @received_at_ms)
       ON CONFLICT (observer, subject) DO UPDATE SET score = excluded.score, weight = excluded.weight,
         timestamp_ms = excluded.timestamp_ms, signature = excluded.signature, received_at_ms = excluded.received_at_ms`,
    ),
    obsOfSubject: db.prepare(
      "SELECT * FROM reputation_observations WHERE subject = ? ORDER BY timestamp_ms DESC, observer LIMIT ?",
    ),
    obsCountSubject: db.prepare("SELECT COUNT(*) AS n FROM reputation_observations WHERE subject = ?"),
    obsEvictSubject: db.prepare(
      `DELETE FROM reputation_observations WHERE rowid IN (SELECT rowid FROM reputation_observations WHERE subject = ?
       ORDER BY timestamp_ms, observer LIMIT ?)`,
    ),
    obsCount: db.prepare("SELECT COUNT(*) AS n FROM reputation_observations"),
    obsEvictOldest: db.prepare(
      `DELETE FROM reputation_observations WHERE rowid IN (SELECT rowid FROM reputation_observations
       ORDER BY received_at_ms, timestamp_ms LIMIT ?)`,
    ),
  };
  const count = (row: unknown): number => (row as { n: number }).n;

  const entry = (account: AccountId): ReputationEntry => {
    const row = s.get.get(account) as ScoreRow | undefined;
    if (row === undefined)
      return { account, score: DEFAULT_REPUTATION, successes: 0, failures: 0, updated_at_ms: null };
    return {
      account,
      score: clampScore(row.score),
      successes: row.successes,
      failures: row.failures,
      updated_at_ms: row.updated_at_ms,
    };
  };

  const adjust = db.transaction((account: AccountId, delta: number, success: boolean): ReputationEntry => {
    const current = entry(account);
    const next: ReputationEntry = {
      account,
      // Non-finite deltas are ignored (docs/upstream.md §4.6); every delta here is a constant, but stay strict.
      score: Number.isFinite(delta) ? clampScore(current.score + delta) : current.score,
      successes: current.successes + (success ? 1 : 0),
      failures: current.failures + (success ? 0 : 1),
      updated_at_ms: clock.nowMs(),
    };
    s.put.run(account, next.score, next.successes, next.failures, next.updated_at_ms);
    return next;
  });

  const adjustMany = db.transaction((counts: ReadonlyMap<AccountId, number>): void => {
    const nowMs = clock.nowMs();
    for (const [account, times] of counts) {
      const current = entry(account);
      let score = current.score;
      for (let i = 0; i < times; i++) score = clampScore(score + SUCCESS_DELTA);
      s.put.run(account, score, current.successes + times, current.failures, nowMs);
    }
  });

  const observerWeight = (observer: AccountId): number => {
    const known = entry(observer);
    const trades = known.successes + known.failures;
    if (trades < OBSERVER_TRADES_MIN) return 0;
    return known.score * Math.min(1, trades / OBSERVER_TRADES_FULL_WEIGHT);
  };

  const observationsOf = (subject: AccountId): ReputationObservation[] =>
    (s.obsOfSubject.all(subject, OBSERVATIONS_PER_SUBJECT_MAX) as ObservationRow[]).map(toObservation);

  const ingest = db.transaction((observation: ReputationObservation): IngestResult => {
    const problem = observationProblem(observation);
    if (problem !== null) throw new ReputationError(ReputationErrorCode.INVALID_OBSERVATION, problem);
    if (!verifyObservation(observation)) {
      throw new ReputationError(
        ReputationErrorCode.INVALID_OBSERVATION_SIGNATURE,
        `observation signature does not verify for ${observation.observer}`,
      );
    }
    const nowMs = clock.nowMs();
    if (
      observation.timestamp_ms > nowMs + OBSERVATION_CLOCK_SKEW_MS ||
      observation.timestamp_ms < nowMs - OBSERVATION_AGE_MAX_MS
    ) {
      throw new ReputationError(
        ReputationErrorCode.OBSERVATION_NOT_FRESH,
        `observation dated ${observation.timestamp_ms} is not fresh`,
      );
    }
    const existing = s.obsGet.get(observation.observer, observation.subject) as
      { timestamp_ms: number } | undefined;
    if (existing !== undefined && existing.timestamp_ms >= observation.timestamp_ms)
      return { status: "stale" };
    s.obsPut.run({
      observer: observation.observer,
      subject: observation.subject,
      score: observation.score,
      weight: null,
      timestamp_ms: observation.timestamp_ms,
      signature: Buffer.from(fromHex(observation.signature)),
      received_at_ms: nowMs,
    });
    const perSubject = count(s.obsCountSubject.get(observation.subject));
    if (perSubject > OBSERVATIONS_PER_SUBJECT_MAX)
      s.obsEvictSubject.run(observation.subject, perSubject - OBSERVATIONS_PER_SUBJECT_MAX);
    const total = count(s.obsCount.get());
    if (total > OBSERVATIONS_MAX) s.obsEvictOldest.run(total - OBSERVATIONS_MAX);
    return { status: "accepted" };
  });

  const mergedDetail = (subjectInput: AccountId): MergedReputation => {
    const subject = parseAccountId(subjectInput, "subject");
    const nowMs = clock.nowMs();
    const local = entry(subject).score;
    const entries = [{ value: local, weight: LOCAL_VIEW_WEIGHT }];
    let ignored = 0;
    for (const observation of observationsOf(subject)) {
      const fresh = observation.timestamp_ms >= nowMs - OBSERVATION_AGE_MAX_MS;
      const weight =
        fresh && observation.observer !== options.localAccount ? observerWeight(observation.observer) : 0;
      if (weight > 0) entries.push({ value: observation.score, weight });
      else ignored += 1;
    }
    const score = weightedMedian(entries) ?? local;
    return {
      subject,
      score,
      local_score: local,
      observations_used: entries.length - 1,
      observations_ignored: ignored,
      total_weight: entries.reduce((sum, item) => sum + item.weight, 0),
    };
  };

  return {
    recordSuccess: (account) => adjust.immediate(parseAccountId(account), SUCCESS_DELTA, true),
    recordSuccesses(accounts) {
      const counts = new Map<AccountId, number>();
      for (const account of accounts) {
        const id = parseAccountId(account);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      if (counts.size > 0) adjustMany.immediate(counts);
    },
    recordFailure(account, kind) {
      const delta = Object.hasOwn(FAILURE_DELTAS, kind) ? FAILURE_DELTAS[kind] : undefined;
      if (delta === undefined) {
        throw new ReputationError(
          ReputationErrorCode.INVALID_FAILURE_KIND,
          `unknown failure kind ${JSON.stringify(String(kind))}`,
        );
      }
      return adjust.immediate(parseAccountId(account), -delta, false);
    },
    get: (account) => entry(parseAccountId(account)),
    list(listOptions = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(listOptions.limit ?? 1_000)), REPUTATION_LIST_LIMIT_MAX);
      return (s.list.all(limit) as ScoreRow[]).map((row) => ({
        account: row.account as AccountId,
        score: clampScore(row.score),
        successes: row.successes,
        failures: row.failures,
        updated_at_ms: row.updated_at_ms,
      }));
    },
    ingestObservation: (observation) => ingest.immediate(observation),
    observationsOf: (subject) => observationsOf(parseAccountId(subject, "subject")),
    observerWeight: (observer) => observerWeight(parseAccountId(observer, "observer")),
    mergedReputation: (subject) => mergedDetail(subject).score,
    mergedReputationDetail: mergedDetail,
  };
}
