/**
 * Proves compute futures over a three-node libp2p mesh on 127.0.0.1 sharing one injected clock
 * (docs/bank.md): A opens two futures with B over the handshake (A long on both, both margins held on
 * each ledger); the same trades reach every node's log; after expiry + 1 h every node settles both by the
 * same rule — the future struck below the window's price pays A (price up), the one struck above pays B
 * (price down), margins are released — and the three ledgers agree on the settlements, the balances and
 * the root, conserve TRM and verify. A half-signed future gossiped by B reaches no ledger, B's bank
 * budget refuses a margin it does not cover, and A's kill switch stops A's own bank from opening one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { TOPIC_FUTURES } from "@tirami/net";
import { encodeMessage, HOUR_MS } from "@tirami/proto";
import { pause, waitFor } from "@tirami/test-kit";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { createFuturesDesk, type FuturesDesk } from "./futures-desk.js";

const clock = createManualClock(Date.now());
let a: LedgerNode, b: LedgerNode, c: LedgerNode;
const desks: FuturesDesk[] = [];

beforeAll(async () => {
  a = await startLedgerNode({ clock });
  b = await startLedgerNode({ clock, bootstrap: [a.addr()] });
  c = await startLedgerNode({ clock, bootstrap: [a.addr()] });
  for (const node of [a, b, c]) {
    const desk = createFuturesDesk({ host: node.mesh.host, ledger: node.ledger, signer: node.signer, clock });
    await desk.start();
    desks.push(desk);
  }
  await waitFor(
    "the star to share the futures topic",
    () =>
      a.mesh.host.topicPeers(TOPIC_FUTURES).length >= 2 &&
      [b, c].every((n) => n.mesh.host.topicPeers(TOPIC_FUTURES).length >= 1),
  );
  await pause(1_200); // one gossipsub heartbeat, so the mesh forwards
}, 60_000);
afterAll(async () => {
  for (const desk of desks) await desk.stop();
  for (const node of [c, b, a]) await node?.stop();
});

describe("futures on three nodes", () => {
  it("settle both ways with the same result on every node; margins released; all verify", async () => {
    const expiresMs = clock.nowMs() + 2 * HOUR_MS;
    const terms = {
      counterparty: b.signer.accountId,
      side: "long" as const,
      notionalTokens: 100_000,
      marginTrm: 40,
      expiresMs,
    };
    const up = await desks[0]!.open({ ...terms, strikeMicroTrmPerToken: 2_800 });
    const down = await desks[0]!.open({ ...terms, strikeMicroTrmPerToken: 4_000 });
    await waitFor("C to learn both futures", () =>
      [up, down].every((f) => c.ledger.futures.get(f.future_id) !== undefined),
    );
    expect(a.ledger.balance(a.signer.accountId)).toMatchObject({ reserved_trm: 80 });
    expect(b.ledger.balance(b.signer.accountId)).toMatchObject({ reserved_trm: 80 });

    // A half-signed future (B's signature where A's belongs) gossiped by B reaches no ledger.
    const half = {
      kind: "future_gossip" as const,
      future_id: up.future_id,
      future: up.future,
      long_signature: up.short_signature,
      short_signature: up.short_signature,
    };
    await b.mesh.host
      .publish(TOPIC_FUTURES, encodeMessage({ ...half, future: { ...up.future, nonce: "77".repeat(16) } }))
      .catch(() => undefined);

    // The shared trade log: ceil(0.5) + ceil(1.5) = 3 TRM over 1,000 tokens in the hour before expiry.
    const provider = signerFor("fut-mesh-provider");
    const consumer = signerFor("fut-mesh-consumer");
    const trades = [0.001, 0.003].map((price, seq) =>
      signedTrade({
        provider,
        consumer,
        priceTrmPerToken: price,
        completionTokens: 500,
        timestampMs: expiresMs - HOUR_MS / 2 + seq,
        seq,
      }),
    );
    for (const node of [a, b, c])
      for (const t of trades) node.ledger.applySignedTrade(t, { nowMs: t.trade.timestamp_ms });

    clock.advanceMs(3 * HOUR_MS + 1_000);
    for (const desk of desks) desk.sweep();
    const view = (node: LedgerNode) => ({
      futures: [up, down].map((f) => {
        const s = node.ledger.futures.get(f.future_id)!;
        return [s.status, s.settle_micro_trm_per_token, s.paid_trm];
      }),
      balances: [a, b]
        .map((n) => node.ledger.balance(n.signer.accountId))
        .map((x) => [x.balance_trm, x.reserved_trm]),
      root: node.ledger.merkleRoot(),
      count: node.ledger.futures.list().length,
    });
    // VWAP 3,000 µTRM per token. Price up against 2,800: A (long) gains 200 × 100,000 / 10⁶ = 20 TRM.
    // Price down against 4,000: A loses 100, capped at the 40 TRM margin, paid to B (short).
    expect(view(a)).toMatchObject({
      count: 2,
      futures: [
        ["settled", 3_000, 20],
        ["settled", 3_000, 40],
      ],
      balances: [
        [1_000 + 20 - 40, 0],
        [1_000 - 20 + 40, 0],
      ],
    });
    expect(view(b)).toEqual(view(a));
    expect(view(c)).toEqual(view(a));
    for (const node of [a, b, c]) expect(node.ledger.verify().issues).toEqual([]);

    // B's bank budget does not cover another margin: B refuses, and nothing is held anywhere.
    b.ledger.safety.setPolicy("bank", { hourly_max_trm: 30 });
    const refusal = await desks[0]!
      .open({ ...terms, strikeMicroTrmPerToken: 3_000, expiresMs: clock.nowMs() + HOUR_MS })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "FUTURE_REFUSED", details: { reason: "SAFETY_DENIED" } });
    expect(a.ledger.balance(a.signer.accountId).reserved_trm).toBe(0);
    expect(a.ledger.futures.list().length).toBe(2);

    // A's kill switch stops its own bank's margin before anything is proposed.
    a.ledger.safety.activateKill("test", "operator");
    const killed = await desks[0]!
      .open({ ...terms, strikeMicroTrmPerToken: 3_000, marginTrm: 5, expiresMs: clock.nowMs() + HOUR_MS })
      .catch((error: unknown) => error);
    a.ledger.safety.resume("operator");
    expect(killed).toMatchObject({ code: "FUTURE_REFUSED", details: { reason: "KILL_SWITCH_ACTIVE" } });
    expect(a.ledger.futures.list().length).toBe(2);
  }, 60_000);
});
