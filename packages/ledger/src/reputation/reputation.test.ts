/**
 * Proves reputation on a real SQLite file: scores start at 0.5, move by upstream's deltas and stay in
 * [0, 1]; observations with bad signatures or tampered fields are rejected; only the latest observation
 * per observer→subject is kept, bounded per subject; observations are proto's gossip format (signed under
 * `tirami/reputation/v1`, so one signed with proto verifies here and round-trips the wire codec); and the
 * merged weighted median weighs observers only by local history, so Sybil observers — even ones that add a
 * self-reported weight to the message — cannot move it.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import {
  type AccountId,
  createManualClock,
  createSigner,
  generateSeed,
  isSignatureHex,
  type ManualClock,
  type Signer,
} from "@tirami/core";
import {
  decodeMessage,
  encodeMessage,
  ProtoErrorCode,
  REPUTATION_SIGNING_DOMAIN,
  reputationObservationSigningBytes,
  signReputationObservation,
} from "@tirami/proto";
import { tempDir } from "@tirami/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createReputation,
  REPUTATION_SCHEMA_SQL,
  ReputationErrorCode,
  signObservation,
  verifyObservation,
  weightedMedian,
  type Reputation,
  type ReputationObservation,
} from "./index.js";

let file: string;
let db: Database.Database;
let clock: ManualClock;
let reputation: Reputation;

function open(): void {
  db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(REPUTATION_SCHEMA_SQL);
  reputation = createReputation({ db, clock });
}

beforeEach(() => {
  file = join(tempDir("tirami-reputation-"), "ledger.db");
  clock = createManualClock(1_700_000_000_000);
  open();
});
afterEach(() => {
  if (db.open) db.close();
});

const signer = (): Signer => createSigner(generateSeed());

/** Gives `account` `trades` successful local trades, so its observations carry weight. */
function trade(account: AccountId, trades: number): void {
  for (let index = 0; index < trades; index++) reputation.recordSuccess(account);
}

describe("local scores", () => {
  it("start at 0.5, move by the reference deltas, and clamp to [0, 1]", () => {
    const account = signer().accountId;
    expect(reputation.get(account)).toMatchObject({ score: 0.5, successes: 0, failures: 0 });
    expect(reputation.recordSuccess(account).score).toBeCloseTo(0.51, 10);
    expect(reputation.recordFailure(account, "audit_failed").score).toBeCloseTo(0.41, 10);
    expect(reputation.recordFailure(account, "loan_default").score).toBeCloseTo(0.21, 10);
    expect(reputation.recordFailure(account, "loan_default").score).toBeCloseTo(0.01, 10);
    expect(reputation.recordFailure(account, "trade_failed").score).toBe(0);
    expect(reputation.recordFailure(account, "loan_default").score).toBe(0);
    for (let index = 0; index < 150; index++) reputation.recordSuccess(account);
    expect(reputation.get(account).score).toBe(1);
    expect(reputation.get(account)).toMatchObject({ successes: 151, failures: 5 });
    expect(() => reputation.recordFailure(account, "bogus" as never)).toThrow(
      expect.objectContaining({ code: ReputationErrorCode.INVALID_FAILURE_KIND }),
    );
    expect(() => reputation.get("not-an-account" as AccountId)).toThrow(
      expect.objectContaining({ code: "INVALID_ACCOUNT_ID" }),
    );
  });

  it("stay within [0, 1] under any sequence of updates, and persist", () => {
    const account = signer().accountId;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("ok", "loan_default", "audit_failed", "trade_failed"), { maxLength: 80 }),
        (events) => {
          for (const event of events) {
            const next =
              event === "ok" ? reputation.recordSuccess(account) : reputation.recordFailure(account, event);
            expect(next.score).toBeGreaterThanOrEqual(0);
            expect(next.score).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 20 },
    );
    const before = reputation.get(account);
    db.close();
    open();
    expect(reputation.get(account)).toEqual(before);
    expect(reputation.list().map((entry) => entry.account)).toEqual([account]);
  });
});

describe("signed observations", () => {
  it("verify when intact and are rejected when the signature or any field is wrong", () => {
    const observer = signer();
    const subject = signer().accountId;
    const good = signObservation(observer, { subject, score: 0.8, timestampMs: clock.nowMs() });
    expect(verifyObservation(good)).toBe(true);
    const flipped = (good.signature[0] === "0" ? "1" : "0") + good.signature.slice(1);
    const tampered: ReputationObservation[] = [
      { ...good, score: 0.9 },
      { ...good, timestamp_ms: good.timestamp_ms + 1 },
      { ...good, subject: signer().accountId },
      { ...good, observer: signer().accountId },
      { ...good, signature: "0".repeat(128) },
      { ...good, signature: flipped },
      // Signed by another key than the observer it names.
      {
        ...signObservation(signer(), { subject, score: 0.8, timestampMs: clock.nowMs() }),
        observer: good.observer,
      },
    ];
    for (const observation of tampered) {
      expect(verifyObservation(observation)).toBe(false);
      expect(() => reputation.ingestObservation(observation)).toThrow(
        expect.objectContaining({ code: ReputationErrorCode.INVALID_OBSERVATION_SIGNATURE }),
      );
    }
    expect(reputation.observationsOf(subject)).toEqual([]);
    expect(reputation.ingestObservation(good)).toEqual({ status: "accepted" });
    expect(reputation.observationsOf(subject)).toEqual([good]);
  });

  it("are proto's wire format: one domain, one encoding, the same bytes on the wire and in the ledger", () => {
    const observer = signer();
    const subject = signer().accountId;
    const body = { observer: observer.accountId, subject, score: 0.25, timestamp_ms: clock.nowMs() };
    const viaProto = signReputationObservation(body, observer);
    const viaLedger = signObservation(observer, { subject, score: 0.25, timestampMs: clock.nowMs() });
    expect(viaLedger).toEqual(viaProto);
    expect(viaLedger.signature).toSatisfy(isSignatureHex);
    const bytes = reputationObservationSigningBytes(viaLedger);
    expect(new TextDecoder().decode(bytes)).toContain(REPUTATION_SIGNING_DOMAIN);
    const decoded = decodeMessage(encodeMessage(viaLedger), ["reputation_observation"]);
    expect(reputation.ingestObservation(decoded)).toEqual({ status: "accepted" });
    db.close();
    open();
    expect(reputation.observationsOf(subject)).toEqual([viaProto]);
    expect(verifyObservation(reputation.observationsOf(subject)[0])).toBe(true);
  });

  it("rejects malformed and stale-dated observations", () => {
    const observer = signer();
    const subject = signer().accountId;
    const invalidMessage = expect.objectContaining({ code: ProtoErrorCode.INVALID_MESSAGE });
    expect(() => signObservation(observer, { subject, score: 1.5, timestampMs: clock.nowMs() })).toThrow(
      invalidMessage,
    );
    expect(() =>
      signObservation(observer, { subject: observer.accountId, score: 0.5, timestampMs: clock.nowMs() }),
    ).toThrow(invalidMessage);
    const future = signObservation(observer, { subject, score: 0.5, timestampMs: clock.nowMs() + 600_000 });
    expect(() => reputation.ingestObservation(future)).toThrow(
      expect.objectContaining({ code: ReputationErrorCode.OBSERVATION_NOT_FRESH }),
    );
    const old = signObservation(observer, {
      subject,
      score: 0.5,
      timestampMs: clock.nowMs() - 8 * 24 * 3_600_000,
    });
    expect(() => reputation.ingestObservation(old)).toThrow(
      expect.objectContaining({ code: ReputationErrorCode.OBSERVATION_NOT_FRESH }),
    );
    const fresh = signObservation(observer, { subject, score: 0.5, timestampMs: clock.nowMs() });
    const malformed: unknown[] = [
      { ...fresh, score: Number.NaN },
      { ...fresh, score: 2 },
      { ...fresh, subject: fresh.observer },
      { ...fresh, kind: "provider_offer" },
      { ...fresh, signature: new Uint8Array(64) },
      { ...fresh, weight: 1e15 },
      null,
    ];
    for (const observation of malformed) {
      expect(verifyObservation(observation)).toBe(false);
      expect(() => reputation.ingestObservation(observation as ReputationObservation)).toThrow(
        expect.objectContaining({ code: ReputationErrorCode.INVALID_OBSERVATION }),
      );
    }
    expect(reputation.observationsOf(subject)).toEqual([]);
  });

  it("keep only the latest per observer→subject, and at most 32 per subject", () => {
    const observer = signer();
    const subject = signer().accountId;
    const first = signObservation(observer, { subject, score: 0.2, timestampMs: clock.nowMs() });
    const second = signObservation(observer, { subject, score: 0.9, timestampMs: clock.nowMs() + 1 });
    expect(reputation.ingestObservation(second).status).toBe("accepted");
    expect(reputation.ingestObservation(first).status).toBe("stale");
    expect(reputation.ingestObservation(second).status).toBe("stale");
    expect(reputation.observationsOf(subject)).toEqual([second]);
    for (let index = 0; index < 40; index++) {
      reputation.ingestObservation(
        signObservation(signer(), { subject, score: 0.5, timestampMs: clock.nowMs() + 10 + index }),
      );
    }
    const kept = reputation.observationsOf(subject);
    expect(kept).toHaveLength(32);
    expect(kept.every((observation) => observation.timestamp_ms >= clock.nowMs() + 18)).toBe(true);
  });
});

describe("merged reputation", () => {
  it("is the weighted lower median", () => {
    expect(weightedMedian([])).toBeNull();
    expect(weightedMedian([{ value: 0.3, weight: 1 }])).toBe(0.3);
    expect(
      weightedMedian([
        { value: 0.9, weight: 1 },
        { value: 0.1, weight: 1 },
        { value: 0.5, weight: 1 },
      ]),
    ).toBe(0.5);
    expect(
      weightedMedian([
        { value: 0.9, weight: 3 },
        { value: 0.1, weight: 1 },
      ]),
    ).toBe(0.9);
    expect(
      weightedMedian([
        { value: 0.9, weight: 1 },
        { value: 0.1, weight: 1 },
      ]),
    ).toBe(0.1);
    expect(
      weightedMedian([
        { value: 0.9, weight: 0 },
        { value: 0.1, weight: Number.NaN },
      ]),
    ).toBeNull();
  });

  it("moves with observers we have traded with, weighted by our own history with them", () => {
    const subject = signer().accountId;
    const trusted = [signer(), signer(), signer()];
    for (const observer of trusted) {
      trade(observer.accountId, 20);
      reputation.ingestObservation(
        signObservation(observer, { subject, score: 0.9, timestampMs: clock.nowMs() }),
      );
    }
    expect(reputation.observerWeight(trusted[0]!.accountId)).toBeCloseTo(0.7, 10);
    const detail = reputation.mergedReputationDetail(subject);
    expect(detail).toMatchObject({
      score: 0.9,
      local_score: 0.5,
      observations_used: 3,
      observations_ignored: 0,
    });
  });

  it("weighs observers locally: Sybil observers cannot move the median, a claimed weight is refused", () => {
    const subject = signer().accountId;
    trade(subject, 10); // our own view: 0.6
    const trusted = [signer(), signer()];
    for (const observer of trusted) {
      trade(observer.accountId, 20);
      reputation.ingestObservation(
        signObservation(observer, { subject, score: 0.7, timestampMs: clock.nowMs() }),
      );
    }
    const before = reputation.mergedReputation(subject);
    expect(before).toBeCloseTo(0.7, 10);

    // A fresh identity with no history here.
    const sybil = signer();
    reputation.ingestObservation(signObservation(sybil, { subject, score: 0, timestampMs: clock.nowMs() }));
    expect(reputation.mergedReputation(subject)).toBe(before);
    expect(reputation.mergedReputationDetail(subject).observations_ignored).toBe(1);

    // Many Sybils: still nothing.
    for (let index = 0; index < 20; index++) {
      reputation.ingestObservation(
        signObservation(signer(), { subject, score: 0, timestampMs: clock.nowMs() }),
      );
    }
    expect(reputation.mergedReputation(subject)).toBe(before);

    // A known observer cannot claim a weight: the format has no such field, and a message that adds one
    // is malformed and refused.
    const known = signer();
    trade(known.accountId, 20);
    const honest = signObservation(known, { subject, score: 0, timestampMs: clock.nowMs() });
    expect(() => reputation.ingestObservation({ ...honest, weight: 1e15 } as ReputationObservation)).toThrow(
      expect.objectContaining({ code: ReputationErrorCode.INVALID_OBSERVATION }),
    );
    // Its honest observation is one vote of weight 0.7 beside ours (1.0) and the two others (0.7 each),
    // so the median moves to our own view (0.6), not to 0.
    reputation.ingestObservation(honest);
    const detail = reputation.mergedReputationDetail(subject);
    expect(detail.observations_used).toBe(3);
    expect(detail.total_weight).toBeCloseTo(1 + 3 * 0.7, 10);
    expect(detail.score).toBeCloseTo(0.6, 10);
  });

  it("ignores observations older than the freshness window when merging", () => {
    const subject = signer().accountId;
    const observer = signer();
    trade(observer.accountId, 20);
    const other = signer();
    trade(other.accountId, 20);
    reputation.ingestObservation(
      signObservation(observer, { subject, score: 1, timestampMs: clock.nowMs() }),
    );
    reputation.ingestObservation(signObservation(other, { subject, score: 1, timestampMs: clock.nowMs() }));
    expect(reputation.mergedReputation(subject)).toBe(1);
    clock.advanceMs(7 * 24 * 3_600_000 + 1);
    expect(reputation.mergedReputation(subject)).toBe(0.5);
  });
});
