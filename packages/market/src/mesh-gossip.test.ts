/**
 * Proves trade propagation and convergence on ledger-only nodes (real ledgers, real libp2p on 127.0.0.1):
 * a dual-signed trade made at one end of a line A–B–C reaches the other end through B's validated
 * re-flood, identically stored; forged and tampered trades gossiped by a malicious peer are rejected by
 * its neighbour, never forwarded, and cost the peer standing; replayed gossip changes nothing; a node that
 * was offline while trades happened catches up by sync on reconnect, so every root agrees and `verify()`
 * passes everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigner, generateSeed, toHex } from "@tirami/core";
import { createMeshHost, type MeshHost, TOPIC_TRADES } from "@tirami/net";
import { decodeMessage, encodeMessage, type SignedTrade, signTrade, SYNC_PROTOCOL_ID } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { newSigner, signedTrade } from "@tirami/test-trades";
import { type GossipLine, startGossipLine } from "../test/line.js";
import { type LedgerNode, startLedgerNode, tradeView } from "./testing.js";

let nodes: LedgerNode[];
let a: LedgerNode, b: LedgerNode, c: LedgerNode;
let evil: MeshHost;

const hasEveryTrade = (ids: string[], on: LedgerNode[]) =>
  on.every((n) => ids.every((id) => n.ledger.getTrade(id) !== undefined));
/** The money of an account in one node's view (`first_seen_ms` is local, the rest must agree). */
const money = (n: LedgerNode, account: Parameters<LedgerNode["ledger"]["balance"]>[0]) => {
  const { balance_trm, consumed_trm, contributed_trm, trade_count } = n.ledger.balance(account);
  return { balance_trm, consumed_trm, contributed_trm, trade_count };
};
const rootsAgree = (on: LedgerNode[]) => new Set(on.map((n) => n.ledger.merkleRoot())).size === 1;

let line: GossipLine;
beforeAll(async () => {
  line = await startGossipLine(TOPIC_TRADES, "accept");
  ({ a, b, c, nodes, intruder: evil } = line);
}, 30_000);

afterAll(() => line?.stop());

describe("trade gossip", () => {
  it("re-floods a valid trade along the line; every node stores it identically", async () => {
    const provider = newSigner();
    const consumer = newSigner();
    const signed = signedTrade({
      provider: provider,
      consumer: consumer,
      completionTokens: 7,
      priceTrmPerToken: 1.5,
    });
    const result = await a.mesh.announceTrade(signed);
    expect(result.outcome).toBe("applied");
    await waitFor("the trade on A, B and C", () => hasEveryTrade([signed.trade_id], nodes));
    const views = nodes.map((n) => tradeView(n.ledger, signed.trade_id));
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    for (const n of nodes) {
      expect(n.ledger.balance(consumer.accountId).balance_trm).toBe(1_000 - 11);
      expect(n.ledger.balance(provider.accountId).balance_trm).toBe(1_000 + 11);
    }
    expect(rootsAgree(nodes)).toBe(true);
  });

  it("rejects forged and tampered trades at the first hop and never forwards them", async () => {
    const provider = newSigner();
    const consumer = newSigner();
    const honest = signedTrade({ provider: provider, consumer: consumer, completionTokens: 4 });
    // Tampered: the amount and tokens changed after both signed (the id still matches the old content).
    const tampered: SignedTrade = {
      ...honest,
      trade: { ...honest.trade, completion_tokens: 400, amount_trm: 400 },
    };
    // Forged: a consumer signature made by a stranger's key.
    const forged: SignedTrade = { ...honest, consumer_signature: signTrade(honest.trade, newSigner()) };
    const before = nodes.map((n) => ({ count: n.ledger.tradeCount(), root: n.ledger.merkleRoot() }));
    const rejectedBefore = a.mesh.gossipCounters().trades_rejected;
    await evil.publish(TOPIC_TRADES, encodeMessage({ kind: "trade_gossip", ...tampered }));
    await evil.publish(TOPIC_TRADES, encodeMessage({ kind: "trade_gossip", ...forged }));
    await waitFor("A to reject both", () => a.mesh.gossipCounters().trades_rejected >= rejectedBefore + 2);
    expect(a.mesh.host.standing(evil.account).invalidMessages).toBeGreaterThanOrEqual(2);
    // The honest trade, sent by the same peer afterwards, does travel: the path to C is open.
    await evil.publish(TOPIC_TRADES, encodeMessage({ kind: "trade_gossip", ...honest }));
    await waitFor("the honest trade on every node", () => hasEveryTrade([honest.trade_id], nodes));
    for (const [index, n] of nodes.entries()) {
      expect(n.ledger.tradeCount()).toBe((before[index]?.count ?? 0) + 1);
      expect(n.ledger.balance(consumer.accountId).balance_trm).toBe(1_000 - 4);
    }
    // B and C never saw the invalid ones: they were not forwarded.
    expect(b.mesh.gossipCounters().trades_rejected).toBe(0);
    expect(c.mesh.gossipCounters().trades_rejected).toBe(0);
    expect(rootsAgree(nodes)).toBe(true);
  });

  it("changes nothing when a trade is replayed, by gossip or by a direct re-announce", async () => {
    const signed = signedTrade({ provider: newSigner(), consumer: newSigner() });
    await a.mesh.announceTrade(signed);
    await waitFor("the trade everywhere", () => hasEveryTrade([signed.trade_id], nodes));
    const snapshot = () =>
      nodes.map((n) => ({
        count: n.ledger.tradeCount(),
        root: n.ledger.merkleRoot(),
        accounts: n.ledger.listAccounts(),
      }));
    const before = snapshot();
    const payload = encodeMessage({ kind: "trade_gossip", ...signed });
    await evil.publish(TOPIC_TRADES, payload);
    expect((await c.mesh.announceTrade(signed)).outcome).toBe("exists");
    // Same trade id, different content: a conflict, refused.
    const conflicting = { ...signed, provider_signature: toHex(new Uint8Array(64)) };
    expect((await b.mesh.announceTrade(conflicting)).outcome).toBe("invalid");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(snapshot()).toEqual(before);
  });
});

describe("catch-up", () => {
  it("a node that was offline syncs the trades it missed and converges", async () => {
    const offlineSeed = generateSeed();
    let d = await startLedgerNode({ seed: offlineSeed, bootstrap: [c.addr()] });
    const dir = d.dir;
    await waitFor("D to connect", () => d.mesh.host.connectedAccounts().includes(c.mesh.account));
    await waitFor("D's first sync", () => d.ledger.tradeCount() === c.ledger.tradeCount());
    await d.stop({ keepDir: true });
    const missed: string[] = [];
    const spender = newSigner();
    for (let i = 0; i < 30; i++) {
      const signed = signedTrade({
        provider: newSigner(),
        consumer: i % 2 === 0 ? spender : newSigner(),
        completionTokens: 1 + i,
      });
      await nodes[i % 3]?.mesh.announceTrade(signed);
      missed.push(signed.trade_id);
    }
    await waitFor("the 30 trades on A, B, C", () => hasEveryTrade(missed, nodes));
    d = await startLedgerNode({ seed: offlineSeed, dir, bootstrap: [a.addr()] });
    nodes.push(d);
    expect(createSigner(offlineSeed).accountId).toBe(d.mesh.account);
    await waitFor("D to catch up by sync", () => hasEveryTrade(missed, [d]));
    await waitFor("every root to agree", () => rootsAgree(nodes));
    for (const n of nodes) {
      expect(n.ledger.verify().ok).toBe(true);
      expect(money(n, spender.accountId)).toEqual(money(a, spender.accountId));
    }
    // Offers carry the root: A sees D agreeing once D re-published.
    await waitFor(
      "A to see D's root agree",
      () => a.mesh.peers().some((p) => p.account === d.mesh.account && p.root_agrees === true),
      { timeoutMs: 5_000 },
    );
  });
});

describe("divergence and lying peers", () => {
  it("two nodes with the same trade count but different trades converge when they meet", async () => {
    const x = await startLedgerNode();
    const y = await startLedgerNode();
    try {
      const tx = signedTrade({ provider: newSigner(), consumer: newSigner() });
      const ty = signedTrade({ provider: newSigner(), consumer: newSigner() });
      await x.mesh.announceTrade(tx);
      await y.mesh.announceTrade(ty);
      expect(x.ledger.tradeCount()).toBe(y.ledger.tradeCount());
      expect(x.ledger.merkleRoot()).not.toBe(y.ledger.merkleRoot());
      await x.mesh.host.dial(y.addr());
      await waitFor("both trades on both nodes", () => hasEveryTrade([tx.trade_id, ty.trade_id], [x, y]));
      expect(x.ledger.merkleRoot()).toBe(y.ledger.merkleRoot());
    } finally {
      await x.stop();
      await y.stop();
    }
  });

  it("a peer that serves a tampered trade in sync ends the round; nothing of it is applied", async () => {
    const liar = await createMeshHost({ seed: generateSeed() });
    await liar.start();
    const x = await startLedgerNode();
    try {
      const honest = signedTrade({
        provider: newSigner(),
        consumer: newSigner(),
        timestampMs: Date.now() - 1_000,
      });
      const good = signedTrade({ provider: newSigner(), consumer: newSigner() });
      const tampered: SignedTrade = {
        ...honest,
        trade: { ...honest.trade, amount_trm: honest.trade.amount_trm + 1 },
      };
      await liar.handle(SYNC_PROTOCOL_ID, async (stream) => {
        for await (const frame of stream) {
          decodeMessage(frame, ["sync_request"]);
          await stream.send(encodeMessage({ kind: "sync_response", trades: [tampered, good], more: false }));
        }
      });
      await x.mesh.host.dial(liar.multiaddrs()[0] as string);
      const report = await x.mesh.syncWith(liar.account);
      expect(report.invalid).toBe(1);
      expect(report.error).toContain("invalid trade");
      expect(x.ledger.getTrade(honest.trade_id)).toBeUndefined();
      expect(x.ledger.getTrade(good.trade_id)).toBeUndefined(); // the round stopped at the lie
      expect(x.ledger.verify().ok).toBe(true);
    } finally {
      await liar.stop();
      await x.stop();
    }
  });
});
