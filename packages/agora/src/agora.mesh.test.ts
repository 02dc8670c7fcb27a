/**
 * Proves the agora's registry on three real ledger-backed market nodes in a line A–B–C (real libp2p on
 * 127.0.0.1, C never connects to A): a profile each node registers appears on every node through
 * validated gossip; a forged profile (naming C but signed by an intruder's key) sent to A is rejected at
 * the first hop and never forwarded (B and C never see it, and A's rejection counter moves), while the
 * same intruder's honest profile crosses the line (so the path the forgery was refused on is live);
 * a node that joins later catches up on the profiles its neighbour holds (`/tirami/agora-sync/1.0.0`);
 * `find` ranks the agents by the composite score and the ranking changes when a node's reputation
 * changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigner, generateSeed } from "@tirami/core";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";
import { createMeshHost, type MeshHost, TOPIC_AGORA } from "@tirami/net";
import { type AgentProfile, encodeMessage, signAgentProfile } from "@tirami/proto";
import { pause, waitFor } from "@tirami/test-kit";
import { type Agora, createAgora } from "./agora.js";

interface Node {
  market: LedgerNode;
  agora: Agora;
}

let a: Node, b: Node, c: Node;
let nodes: Node[];
let intruder: MeshHost;
const intruderSigner = (() => {
  const seed = generateSeed();
  return { seed, signer: createSigner(seed) };
})();

async function startNode(bootstrap: string[]): Promise<Node> {
  const market = await startLedgerNode({ bootstrap });
  const agora = createAgora({
    host: market.mesh.host,
    signer: market.signer,
    ledger: market.ledger,
    offers: () => market.mesh.providers(),
    timings: { connectRefreshDelayMs: 200 },
  });
  await agora.start();
  return { market, agora };
}

const spec = (agentId: string, price: number) => ({
  agent_id: agentId,
  models: ["qwen2.5-0.5b-instruct-q4_k_m"],
  price_trm_per_token: price,
  tier: "small" as const,
  capabilities: ["chat"],
  endpoints: [],
  description: `agent ${agentId}`,
});

beforeAll(async () => {
  a = await startNode([]);
  b = await startNode([a.market.addr()]);
  c = await startNode([b.market.addr()]);
  nodes = [a, b, c];
  await waitFor("the A–B–C line on the agora topic", () => {
    const peers = (n: Node) => n.market.mesh.host.topicPeers(TOPIC_AGORA).length;
    return peers(a) >= 1 && peers(b) >= 2 && peers(c) >= 1;
  });
  intruder = await createMeshHost({ seed: intruderSigner.seed });
  await intruder.start();
  intruder.subscribe(TOPIC_AGORA, { validate: () => "ignore", onMessage: () => undefined });
  await intruder.dial(a.market.addr());
  await waitFor("the intruder on A's topic", () =>
    intruder.topicPeers(TOPIC_AGORA).includes(a.market.mesh.account),
  );
  await pause(1_200); // one gossipsub heartbeat, so the mesh forwards
}, 60_000);

afterAll(async () => {
  await intruder?.stop();
  for (const node of nodes ?? []) {
    await node.agora.stop();
    await node.market.stop();
  }
});

const holds = (node: Node, profile: Pick<AgentProfile, "node" | "agent_id" | "timestamp_ms">) =>
  node.agora
    .profiles()
    .some(
      (p) =>
        p.node === profile.node && p.agent_id === profile.agent_id && p.timestamp_ms === profile.timestamp_ms,
    );

describe("agora registry over gossip", () => {
  it("a profile registered on any node reaches every node, signed by that node", async () => {
    const registered = [await a.agora.register(spec("alpha", 1)), await c.agora.register(spec("gamma", 2))];
    for (const profile of registered)
      await waitFor(`${profile.agent_id} on every node`, () => nodes.every((node) => holds(node, profile)));
    for (const node of nodes)
      for (const profile of node.agora.profiles())
        expect([a, b, c].map((n) => n.market.mesh.account)).toContain(profile.node);
    expect(b.agora.counters.profiles_accepted).toBeGreaterThanOrEqual(2);
  });

  it("a forged profile is rejected at the first hop and never forwarded; an honest one crosses", async () => {
    const rejectedAtA = a.agora.counters.profiles_rejected;
    const now = Date.now();
    const honest = signAgentProfile(
      { ...spec("intruder", 1), node: intruderSigner.signer.accountId, timestamp_ms: now },
      intruderSigner.signer,
    );
    // The intruder claims C's identity: the profile names C but carries the intruder's signature.
    const forged: AgentProfile = {
      ...signAgentProfile(
        { ...spec("impostor", 0), node: intruderSigner.signer.accountId, timestamp_ms: now },
        intruderSigner.signer,
      ),
      node: c.market.mesh.account,
    };
    await intruder.publish(TOPIC_AGORA, encodeMessage(forged));
    await intruder.publish(TOPIC_AGORA, encodeMessage(honest));
    await waitFor("the honest profile on C", () => holds(c, honest));
    expect(a.agora.counters.profiles_rejected).toBe(rejectedAtA + 1);
    for (const node of nodes) {
      expect(node.agora.profiles().some((p) => p.agent_id === "impostor")).toBe(false);
      if (node !== a) expect(node.agora.counters.profiles_rejected).toBe(0);
    }
  });

  it("a node that joins late catches up on the profiles its neighbour holds", async () => {
    const alpha = a.agora.ownProfiles().find((p) => p.agent_id === "alpha");
    expect(alpha).toBeDefined();
    const late = await startNode([c.market.addr()]);
    nodes.push(late);
    // A never meets the late node and does not refresh within the test (every 3 min): only C's catch-up
    // answer can bring A's profile.
    await waitFor("A's profile on the late node", () => holds(late, alpha!));
    expect(late.agora.profiles().some((p) => p.agent_id === "impostor")).toBe(false);
  });

  it("find ranks by the composite score and follows a change of reputation", async () => {
    const query = { model_patterns: ["qwen2.5-*"], tier: "small" as const };
    await waitFor("three agents on B", () => b.agora.find(query).length >= 3);
    const ranked = b.agora.find(query);
    for (let i = 1; i < ranked.length; i++)
      expect(ranked[i - 1]!.composite_score).toBeGreaterThanOrEqual(ranked[i]!.composite_score);
    for (const match of ranked)
      expect(match.composite_score).toBeCloseTo(0.6 * match.reputation + 0.4 * match.price_score, 12);
    // Without trades every agent has the reference's unknown reputation, so price decides: alpha (1 TRM)
    // before gamma (2 TRM).
    const order = () => b.agora.find(query).map((match) => match.agent_id);
    expect(order().indexOf("alpha")).toBeLessThan(order().indexOf("gamma"));
    // B's ledger learns that A fails: its effective reputation drops below the unknown level.
    for (let i = 0; i < 10; i++)
      b.market.ledger.reputation.recordFailure(a.market.mesh.account, "trade_failed");
    const alpha = b.agora.find(query).find((match) => match.agent_id === "alpha");
    expect(alpha?.reputation).toBeCloseTo(0, 9);
    expect(order().indexOf("alpha")).toBeGreaterThan(order().indexOf("gamma"));
  });
});
