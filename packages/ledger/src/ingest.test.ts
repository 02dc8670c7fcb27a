/**
 * Proves the ingest pipeline (worker-thread verification + group commit) applies exactly what
 * applySignedTrade would: the same accepted set, the same typed rejections, replays as "exists", and the
 * same balances and Merkle root — with workers and without.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { type Ledger, openLedger } from "./ledger.js";

const T0 = 1_800_000_000_000;
const signers = ["i0", "i1", "i2", "i3"].map(signerFor);
const ledgers: Ledger[] = [];
afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
});

function inputs() {
  const good = Array.from({ length: 60 }, (_, i) =>
    signedTrade({
      provider: signers[i % 4]!,
      consumer: signers[(i + 1) % 4]!,
      completionTokens: 1 + (i % 9),
      timestampMs: T0 + i,
      seq: 5_000 + i,
    }),
  );
  const fresh = signedTrade({
    provider: signers[0]!,
    consumer: signers[1]!,
    completionTokens: 3,
    timestampMs: T0,
    seq: 9_999,
  });
  const forged = { ...fresh, consumer_signature: fresh.provider_signature };
  const stale = signedTrade({
    provider: signers[0]!,
    consumer: signers[1]!,
    completionTokens: 3,
    timestampMs: T0 - 7_200_000,
    seq: 9_998,
  });
  const broke = signedTrade({
    provider: signers[2]!,
    consumer: signers[3]!,
    completionTokens: 5_000,
    timestampMs: T0,
    seq: 9_997,
  });
  return { good, all: [...good, good[0]!, forged, stale, broke, { junk: () => 1 }, null] };
}

describe("ingest pipeline", () => {
  for (const verifyWorkers of [0, 1]) {
    it(`matches applySignedTrade with ${verifyWorkers} worker(s)`, async () => {
      const { good, all } = inputs();
      const reference = openLedger({ path: ":memory:", clock: createManualClock(T0) });
      const piped = openLedger({ path: ":memory:", clock: createManualClock(T0) });
      ledgers.push(reference, piped);
      const expected = all.map((t) => {
        try {
          return reference.applySignedTrade(t).status;
        } catch (error) {
          return (error as { code: string }).code;
        }
      });
      const ingest = piped.createIngest({ verifyWorkers, batchMax: 16 });
      try {
        const results = await Promise.all(all.map((t) => ingest.submit(t)));
        const got = results.map((r) => (r.status === "rejected" ? r.code : r.status));
        // The duplicate of good[0] is submitted while the first is still in flight: still "exists".
        expect(got).toEqual(expected);
      } finally {
        await ingest.close();
      }
      expect(piped.tradeCount()).toBe(good.length);
      expect(piped.merkleRoot()).toBe(reference.merkleRoot());
      expect(piped.listAccounts()).toEqual(reference.listAccounts());
      expect(piped.verify().ok).toBe(true);
      await expect(ingest.submit(good[0])).rejects.toMatchObject({ code: "LEDGER_CLOSED" });
    });
  }
});
