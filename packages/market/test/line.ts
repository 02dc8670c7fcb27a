/**
 * Test setup shared by the market's gossip tests: three ledger-backed market nodes in a line A–B–C (C never
 * connects to A directly), subscribed to `topic`, plus a hand-driven "intruder" host meshed with A on the
 * same topic, for sending what an honest node never would. `stop()` stops all four.
 */
import { createSigner, generateSeed, type Signer } from "@tirami/core";
import { createMeshHost, type GossipVerdict, type MeshHost } from "@tirami/net";
import { pause, waitFor } from "@tirami/test-kit";
import { type LedgerNode, startLedgerNode } from "../src/testing.js";

/** The line and the intruder. */
export interface GossipLine {
  a: LedgerNode;
  b: LedgerNode;
  c: LedgerNode;
  nodes: LedgerNode[];
  intruder: MeshHost;
  intruderSigner: Signer;
  stop(): Promise<void>;
}

/** Starts the line A–B–C and the intruder on `topic`; resolves once gossip flows along it. */
export async function startGossipLine(topic: string, intruderVerdict: GossipVerdict): Promise<GossipLine> {
  const a = await startLedgerNode();
  const b = await startLedgerNode({ bootstrap: [a.addr()] });
  const c = await startLedgerNode({ bootstrap: [b.addr()] });
  const nodes = [a, b, c];
  await waitFor(
    `the A–B–C line to subscribe to ${topic}`,
    () =>
      a.mesh.host.topicPeers(topic).length >= 1 &&
      c.mesh.host.topicPeers(topic).length >= 1 &&
      b.mesh.host.topicPeers(topic).length >= 2,
  );
  const seed = generateSeed();
  const intruder = await createMeshHost({ seed });
  await intruder.start();
  intruder.subscribe(topic, { validate: () => intruderVerdict, onMessage: () => undefined });
  await intruder.dial(a.addr());
  await waitFor("the intruder to mesh with A", () => intruder.topicPeers(topic).includes(a.mesh.account));
  await pause(1_200); // one gossipsub heartbeat, so the mesh forwards
  return {
    a,
    b,
    c,
    nodes,
    intruder,
    intruderSigner: createSigner(seed),
    async stop() {
      await intruder.stop();
      for (const node of nodes) await node.stop();
    },
  };
}
