// Proves gossip validation happens before forwarding on a line A–B–C of real nodes: valid messages are
// re-flooded to C, messages B rejects never reach C and count against the sender, a sender crossing the
// invalid-message limit is disconnected and banned, and a replay is dropped even after gossipsub forgot it.
import { type AccountId, fromUtf8, utf8 } from "@tirami/core";
import { afterEach, describe, expect, it } from "vitest";
import { type GossipVerdict, type MeshHost, type MeshHostOptions, TOPIC_TRADES } from "./index.js";
import { pause, waitFor } from "@tirami/test-kit";
import { hostPool } from "../test/helpers.js";

const pool = hostPool();
afterEach(() => pool.stopAll());

interface Received {
  text: string;
  from: AccountId;
}

function listen(host: MeshHost, verdict: (text: string) => GossipVerdict = () => "accept"): Received[] {
  const received: Received[] = [];
  host.subscribe(TOPIC_TRADES, {
    validate: (bytes) => verdict(fromUtf8(bytes)),
    onMessage: (bytes, from) => received.push({ text: fromUtf8(bytes), from }),
  });
  return received;
}

const rejectBad = (text: string): GossipVerdict => (text.startsWith("bad") ? "reject" : "accept");

/** A–B–C with B as the bootstrap of both ends; A and C are not connected to each other. */
async function line(options: Partial<MeshHostOptions> = {}) {
  const b = await pool.start(options);
  const atB = listen(b, rejectBad);
  const a = await pool.start({ ...options, bootstrap: b.multiaddrs() });
  const atA = listen(a);
  const c = await pool.start({ ...options, bootstrap: b.multiaddrs() });
  const atC = listen(c);
  await waitFor("topic peers on the line", () => {
    const bPeers = b.topicPeers(TOPIC_TRADES);
    return (
      a.topicPeers(TOPIC_TRADES).includes(b.account) &&
      c.topicPeers(TOPIC_TRADES).includes(b.account) &&
      bPeers.length === 2
    );
  });
  expect(a.connectedAccounts()).not.toContain(c.account);
  await pause(600); // three heartbeats: B grafts A and C into its mesh
  return { a, b, c, atA, atB, atC };
}

describe("gossip: validate, then re-flood", () => {
  it("carries a message from A through B to C", async () => {
    const { a, b, c, atB, atC } = await line();
    const sent = await a.publish(TOPIC_TRADES, utf8("good-1"));
    expect(sent).toEqual({ recipients: 1, duplicate: false });
    await waitFor("C receives good-1", () => atC.some((m) => m.text === "good-1"));
    expect(atB).toEqual([{ text: "good-1", from: a.account }]);
    expect(atC).toEqual([{ text: "good-1", from: b.account }]);
    expect(c.gossipStats().delivered).toBe(1);
  });

  it("does not forward what B rejects, and counts it against the sender", async () => {
    const { a, b, atB, atC } = await line();
    await a.publish(TOPIC_TRADES, utf8("bad-1"));
    await a.publish(TOPIC_TRADES, utf8("good-2"));
    await waitFor("C receives good-2", () => atC.some((m) => m.text === "good-2"));
    await pause(1_000); // five heartbeats of IHAVE gossip: time enough for bad-1 to leak, if it could
    expect(atC.map((m) => m.text)).toEqual(["good-2"]);
    expect(atB.map((m) => m.text)).toEqual(["good-2"]);
    const standing = b.standing(a.account);
    expect(standing.invalidMessages).toBe(1);
    expect(standing.gossipScore).toBeLessThan(0);
    expect(standing.banned).toBe(false);
    expect(b.gossipStats().rejected).toBe(1);
  });

  it("disconnects and bans a sender after the invalid-message limit", async () => {
    const { a, b } = await line({ invalidMessagesMax: 3 });
    const banned: AccountId[] = [];
    b.on("peer:banned", ({ account }) => banned.push(account));
    for (const text of ["bad-1", "bad-2", "bad-3"]) await a.publish(TOPIC_TRADES, utf8(text));
    await waitFor("B bans A", () => banned.includes(a.account));
    await waitFor("B drops A", () => !b.connectedAccounts().includes(a.account));
    expect(b.standing(a.account).banned).toBe(true);
    // A keeps re-dialing its bootstrap (B) with backoff; B's connection gater refuses it.
    await pause(1_500);
    expect(b.connectedAccounts()).not.toContain(a.account);
  });

  it("drops a replay, even after gossipsub's own seen-cache expired", async () => {
    const { a, b, atB, atC } = await line({ gossipSeenTtlMs: 300 });
    const payload = utf8("good-replayed");
    await a.publish(TOPIC_TRADES, payload);
    await waitFor("C receives it", () => atC.length === 1);
    expect(await a.publish(TOPIC_TRADES, payload)).toEqual({ recipients: 0, duplicate: true });

    await pause(1_200); // gossipsub's 300 ms seen TTL is long gone
    const d = await pool.start({ gossipSeenTtlMs: 300, bootstrap: b.multiaddrs() });
    listen(d);
    await waitFor("B sees D on the topic", () => b.topicPeers(TOPIC_TRADES).includes(d.account));
    await pause(600);
    expect(await d.publish(TOPIC_TRADES, payload)).toEqual({ recipients: 1, duplicate: false });
    await waitFor("B drops the replay", () => b.gossipStats().duplicates >= 1);
    await pause(600);
    expect(atB.filter((m) => m.text === "good-replayed")).toHaveLength(1);
    expect(atC.filter((m) => m.text === "good-replayed")).toHaveLength(1);
    expect(b.standing(d.account).invalidMessages).toBe(0);
  });

  it("refuses to publish an oversized payload", async () => {
    const a = await pool.start({ gossipMessageBytesMax: 16 });
    await expect(a.publish(TOPIC_TRADES, new Uint8Array(17))).rejects.toMatchObject({
      code: "FRAME_TOO_LARGE",
    });
  });
});

describe("gossip: per-neighbour ingest limit", () => {
  it("drops, without penalty, what a neighbour sends beyond its budget", async () => {
    const b = await pool.start({ gossipRatePerPeerPerS: 1, gossipBurstPerPeer: 3 });
    const atB = listen(b);
    const a = await pool.start({ bootstrap: b.multiaddrs() });
    listen(a);
    await waitFor("topic peers", () => a.topicPeers(TOPIC_TRADES).includes(b.account));
    for (let i = 0; i < 10; i++) await a.publish(TOPIC_TRADES, utf8(`flood-${i}`));
    await waitFor("B limits A", () => b.gossipStats().rateLimited >= 1);
    expect(atB.length).toBeLessThan(10);
    expect(b.standing(a.account).invalidMessages).toBe(0);
  });
});

describe("gossip: publishing before anyone listens", () => {
  it("does not remember a publish that reached nobody, so it can be sent again", async () => {
    const a = await pool.start();
    listen(a);
    expect(await a.publish(TOPIC_TRADES, utf8("early"))).toEqual({ recipients: 0, duplicate: false });
    const b = await pool.start({ bootstrap: a.multiaddrs() });
    const atB = listen(b);
    await waitFor("A sees B on the topic", () => a.topicPeers(TOPIC_TRADES).includes(b.account));
    expect(await a.publish(TOPIC_TRADES, utf8("early"))).toEqual({ recipients: 1, duplicate: false });
    await waitFor("B receives it", () => atB.some((m) => m.text === "early"));
  });
});
