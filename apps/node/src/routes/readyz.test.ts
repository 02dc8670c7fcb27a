/**
 * Proves `GET /readyz` means "can answer" on real nodes (real ledgers, real libp2p on 127.0.0.1, the real
 * stories260K model at the provider): a node with neither a model nor a provider in its mesh is not
 * ready (503 naming `can_answer`); the same kind of node turns ready (200) once another node serving a
 * model joins its mesh, so a load balancer sends traffic to a gateway; a provider is ready on its own
 * model; and a stopped node is not ready.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../../test/fixture.js";
import { waitFor } from "@tirami/test-kit";

const started: TestNode[] = [];
afterAll(async () => {
  for (const t of started.reverse()) await t.close();
});

async function node(options: { model?: boolean; flags?: Record<string, unknown> } = {}): Promise<TestNode> {
  const t = await createTestNode(options);
  started.push(t);
  return t;
}

async function readyz(t: TestNode): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await t.node.http.app.request("/readyz");
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /readyz", () => {
  it("is 503 on a node with neither a model nor a mesh, naming the check that failed", async () => {
    const alone = await node();
    expect(await readyz(alone)).toEqual({
      status: 503,
      body: {
        status: "not_ready",
        ledger_open: true,
        accepting: true,
        can_answer: false,
        models_local: false,
        models_in_mesh: false,
        failing: ["can_answer"],
      },
    });
  });

  it("is 200 on a node without a model once a provider's offer is in its mesh", async () => {
    const mesh = { p2p_port: 0, offer_interval_ms: 1_000 };
    const gateway = await node({ flags: mesh });
    await gateway.node.start();
    const gatewayAddr = gateway.node.mesh?.host.multiaddrs()[0];
    expect(gatewayAddr).toBeDefined();
    // Nobody else in its mesh yet: it cannot answer.
    expect(await readyz(gateway)).toMatchObject({ status: 503, body: { failing: ["can_answer"] } });

    const provider = await node({ model: true, flags: { ...mesh, bootstrap: [gatewayAddr] } });
    await provider.node.start();
    expect(await readyz(provider)).toMatchObject({
      status: 200,
      body: { status: "ready", models_local: true, failing: [] },
    });
    await waitFor("the gateway to become ready", async () => (await readyz(gateway)).status === 200);
    expect(await readyz(gateway)).toEqual({
      status: 200,
      body: {
        status: "ready",
        ledger_open: true,
        accepting: true,
        can_answer: true,
        models_local: false,
        models_in_mesh: true,
        failing: [],
      },
    });

    await gateway.node.stop();
    const stopped = await readyz(gateway);
    expect(stopped.status).toBe(503);
    expect(stopped.body.failing).toContain("accepting");
  });
});
