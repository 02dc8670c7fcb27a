/**
 * Proves reputation gossip on ledger-only nodes (real ledgers, real libp2p on 127.0.0.1): the observation
 * A publishes of an account it traded with reaches C through B's validated re-flood and moves C's merged
 * reputation of that account only by the weight C derives from its own history with A (B, with no history
 * with A, stores and forwards it but its merged view does not move); forged, tampered and malformed
 * observations are rejected at the first hop, never forwarded, and cost the sender standing; replays
 * (identical or older) change nothing, also past gossipsub's own seen-cache; and the merged score is the
 * reputation C's peer view (and routing) reads.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountId, createSigner, generateSeed, type Signer } from "@tirami/core";
import { openLedger } from "@tirami/ledger";
import { createMeshHost, type MeshHost, TOPIC_REPUTATION } from "@tirami/net";
import { encodeMessage, type ReputationObservation, signReputationObservation } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { newSigner, signedTrade } from "@tirami/test-trades";
import { type GossipLine, startGossipLine } from "../test/line.js";
import type { LedgerNode } from "./testing.js";
import { REPUTATION_OBSERVATION_BYTES_MAX } from "./constants.js";
import { createReputationGossip } from "./reputation-gossip.js";

let nodes: LedgerNode[];
let a: LedgerNode, b: LedgerNode, c: LedgerNode;
let evil: MeshHost;
let evilSigner: Signer;
/** An account A traded with, and A's own (lowered) opinion of it. */
let subject: AccountId;

const observationsOf = (n: LedgerNode) => n.ledger.reputation.observationsOf(subject);
const snapshot = () =>
  nodes.map((n) => ({
    observations: observationsOf(n),
    merged: n.ledger.reputation.mergedReputationDetail(subject),
  }));

let line: GossipLine;
beforeAll(async () => {
  line = await startGossipLine(TOPIC_REPUTATION, "ignore");
  ({ a, b, c, nodes, intruder: evil, intruderSigner: evilSigner } = line);
}, 30_000);

afterAll(() => line?.stop());

describe("reputation gossip", () => {
  it("carries A's observation to C via B; C's merged view moves only by the weight it derives for A", async () => {
    const s = newSigner();
    subject = s.accountId;
    // A buys from S once (every ledger records the provider's success: S is at 0.51 everywhere) …
    const signed = signedTrade({ provider: s, consumer: a.signer });
    expect((await a.mesh.announceTrade(signed)).outcome).toBe("applied");
    await waitFor("the trade on A, B and C", () =>
      nodes.every((n) => n.ledger.getTrade(signed.trade_id) !== undefined),
    );
    // … and then S fails A four times (A's own experience, not shared by anyone else).
    for (let i = 0; i < 4; i++) a.ledger.reputation.recordFailure(subject, "trade_failed");
    const aScore = a.ledger.reputation.get(subject).score;
    expect(aScore).toBeCloseTo(0.31, 10);
    // C has a long good history with A (weight 1); B has none with A (weight 0).
    for (let i = 0; i < 50; i++) c.ledger.reputation.recordSuccess(a.mesh.account);
    expect(c.ledger.reputation.observerWeight(a.mesh.account)).toBe(1);
    expect(b.ledger.reputation.observerWeight(a.mesh.account)).toBe(0);
    for (const n of [b, c]) expect(n.ledger.reputation.mergedReputation(subject)).toBeCloseTo(0.51, 10);

    expect(await a.mesh.publishReputation()).toBe(1);
    await waitFor("A's observation on C", () => observationsOf(c).length === 1);
    const [observation] = observationsOf(c);
    expect(observation).toMatchObject({ observer: a.mesh.account, subject, score: aScore });
    expect(observationsOf(b)).toEqual([observation]);

    // C: its own view (weight 1) and A's (weight 1, derived from C's history): the lower median is A's.
    const atC = c.ledger.reputation.mergedReputationDetail(subject);
    expect(atC).toMatchObject({ score: aScore, observations_used: 1, observations_ignored: 0 });
    expect(atC.local_score).toBeCloseTo(0.51, 10);
    expect(atC.total_weight).toBe(1 + c.ledger.reputation.observerWeight(a.mesh.account));
    // B stored and forwarded it, but A weighs nothing here: B's merged view is its own.
    const atB = b.ledger.reputation.mergedReputationDetail(subject);
    expect(atB).toMatchObject({ observations_used: 0, observations_ignored: 1, total_weight: 1 });
    expect(atB.score).toBeCloseTo(0.51, 10);
    expect(b.mesh.gossipCounters().observations_accepted).toBe(1);

    // Unchanged score: nothing to publish; a changed one is published again, newer.
    expect(await a.mesh.publishReputation()).toBe(0);
    a.ledger.reputation.recordFailure(subject, "trade_failed");
    expect(await a.mesh.publishReputation()).toBe(1);
    await waitFor(
      "A's newer observation on C",
      () => observationsOf(c)[0]?.score === a.ledger.reputation.get(subject).score,
    );
    expect(observationsOf(c)).toHaveLength(1);
    expect(c.ledger.reputation.mergedReputation(subject)).toBe(a.ledger.reputation.get(subject).score);
  });

  it("rejects forged, tampered and malformed observations at the first hop and never forwards them", async () => {
    const before = snapshot();
    const rejectedBefore = a.mesh.gossipCounters().observations_rejected ?? 0;
    const genuine = signReputationObservation(
      { observer: a.mesh.account, subject, score: 0, timestamp_ms: Date.now() },
      a.signer,
    );
    // Tampered: A's genuine observation with another score.
    const tampered: ReputationObservation = { ...genuine, score: 1 };
    // Forged: signed by the malicious key, claiming to be A's.
    const forged: ReputationObservation = {
      ...signReputationObservation(
        { observer: evilSigner.accountId, subject, score: 0, timestamp_ms: Date.now() },
        evilSigner,
      ),
      observer: a.mesh.account,
    };
    await evil.publish(TOPIC_REPUTATION, encodeMessage(tampered));
    await evil.publish(TOPIC_REPUTATION, encodeMessage(forged));
    await evil.publish(TOPIC_REPUTATION, new Uint8Array(REPUTATION_OBSERVATION_BYTES_MAX + 1).fill(7));
    await waitFor(
      "A to reject all three",
      () => (a.mesh.gossipCounters().observations_rejected ?? 0) >= rejectedBefore + 3,
    );
    expect(a.mesh.host.standing(evil.account).invalidMessages).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.mesh.gossipCounters().observations_rejected).toBe(0);
    expect(c.mesh.gossipCounters().observations_rejected).toBe(0);
    expect(snapshot()).toEqual(before);
  });

  it("changes nothing when an observation is replayed, identical or older", async () => {
    const before = snapshot();
    const stored = observationsOf(c)[0] as ReputationObservation;
    const ignoredBefore = a.mesh.gossipCounters().observations_ignored ?? 0;
    // Older than the one every node holds, genuinely signed by A: valid, but stale.
    const older = signReputationObservation(
      { observer: a.mesh.account, subject, score: 0.99, timestamp_ms: stored.timestamp_ms - 1_000 },
      a.signer,
    );
    await evil.publish(TOPIC_REPUTATION, encodeMessage(older));
    await waitFor(
      "A to ignore the stale one",
      () => (a.mesh.gossipCounters().observations_ignored ?? 0) > ignoredBefore,
    );
    await evil.publish(TOPIC_REPUTATION, encodeMessage(stored)).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(snapshot()).toEqual(before);
    expect(a.mesh.host.standing(evil.account).banned).toBe(false);
  });

  it("feeds the merged score that the peer view and routing read", async () => {
    // A buys from B, then B fails A: A's local score of B drops, and A publishes it.
    const signed = signedTrade({ provider: b.signer, consumer: a.signer });
    expect((await a.mesh.announceTrade(signed)).outcome).toBe("applied");
    await waitFor("the A–B trade on C", () => c.ledger.getTrade(signed.trade_id) !== undefined);
    for (let i = 0; i < 6; i++) a.ledger.reputation.recordFailure(b.mesh.account, "trade_failed");
    const aScore = a.ledger.reputation.get(b.mesh.account).score;
    const peerScore = () => c.mesh.peers().find((p) => p.account === b.mesh.account)?.reputation;
    expect(peerScore()).toBeCloseTo(c.ledger.reputation.get(b.mesh.account).score, 10);
    expect(await a.mesh.publishReputation()).toBe(1);
    await waitFor("C's view of B to take A's observation", () => peerScore() === aScore);
    expect(c.ledger.reputation.mergedReputation(b.mesh.account)).toBe(aScore);
  });

  it("dedups by observation id in its own validator, beyond gossipsub's seen-cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tirami-repgossip-"));
    const seed = generateSeed();
    const signer = createSigner(seed);
    const ledger = openLedger({ path: join(dir, "ledger.db"), localAccount: signer.accountId });
    const host = await createMeshHost({ seed }); // never started: the validator needs no network
    try {
      const gossip = createReputationGossip({
        host,
        signer,
        store: ledger.reputation,
        counterparties: () => [],
        nowMs: () => Date.now(),
      });
      const observer = newSigner();
      const about = newSigner().accountId;
      const now = Date.now();
      const first = encodeMessage(
        signReputationObservation(
          { observer: observer.accountId, subject: about, score: 0.2, timestamp_ms: now },
          observer,
        ),
      );
      expect(gossip.validate(first, observer.accountId)).toBe("accept");
      expect(gossip.validate(first, observer.accountId)).toBe("ignore");
      const older = encodeMessage(
        signReputationObservation(
          { observer: observer.accountId, subject: about, score: 0.9, timestamp_ms: now - 1 },
          observer,
        ),
      );
      expect(gossip.validate(older, observer.accountId)).toBe("ignore");
      const mine = encodeMessage(
        signReputationObservation(
          { observer: signer.accountId, subject: about, score: 0.9, timestamp_ms: now },
          signer,
        ),
      );
      expect(gossip.validate(mine, observer.accountId)).toBe("ignore");
      const tooOld = encodeMessage(
        signReputationObservation(
          { observer: observer.accountId, subject: about, score: 0.9, timestamp_ms: now - 3_600_000 },
          observer,
        ),
      );
      expect(gossip.validate(tooOld, observer.accountId)).toBe("ignore");
      expect(ledger.reputation.observationsOf(about).map((o) => o.score)).toEqual([0.2]);
      expect(gossip.counters).toMatchObject({ observations_accepted: 1, observations_ignored: 4 });
    } finally {
      ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
