/**
 * Test fixture (not part of the build): the three nodes the API-compatibility tests (OpenAI tools,
 * Responses, Ollama) run against — `local` serves stories260K itself, and `consumer` has no model and buys
 * from a provider serving it over libp2p on 127.0.0.1 (price 0.1 TRM per token). Each has a 2,048-token
 * context and two parallel sequences. `close()` stops all three.
 * @module
 */
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "./fixture.js";

/** A started node and its base URL. */
export interface RunningTestNode {
  t: TestNode;
  url: string;
}

/** The model every node of the fixture serves or buys. */
export const FIXTURE_MODEL = "stories260K";

/** Starts the local node and the consumer–provider mesh; resolves once the consumer routes to the provider. */
export async function startLocalAndMesh(): Promise<{
  local: RunningTestNode;
  consumer: RunningTestNode;
  close(): Promise<void>;
}> {
  const started: TestNode[] = [];
  const close = async () => {
    for (const t of started.reverse()) await t.close();
  };
  const node = async (flags: Record<string, unknown>, model: boolean): Promise<RunningTestNode> => {
    const t = await createTestNode({ model, flags: { context_size: 2048, parallelism: 2, ...flags } });
    started.push(t);
    return { t, url: (await t.node.start()).url };
  };
  try {
    const local = await node({}, true);
    const provider = await node({ p2p_port: 0, offer_interval_ms: 1_000, price_trm_per_token: 0.1 }, true);
    const boot = [provider.t.node.mesh?.host.multiaddrs()[0] as string];
    const consumer = await node({ p2p_port: 0, offer_interval_ms: 1_000, bootstrap: boot }, false);
    await waitFor(
      "the provider's offer at the consumer",
      () => (consumer.t.node.mesh?.route(FIXTURE_MODEL, "balanced").length ?? 0) > 0,
      { timeoutMs: 15_000 },
    );
    return { local, consumer, close };
  } catch (error) {
    await close();
    throw error;
  }
}
