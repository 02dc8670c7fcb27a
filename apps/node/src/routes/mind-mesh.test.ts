/**
 * Proves the node's wiring of the mind over a real mesh: two full nodes on 127.0.0.1 — a provider serving
 * stories260K and a model-less buyer — and the buyer's mind driven through its HTTP API. The node's spend
 * path knows the `mind` spender, so an improvement cycle buys its twelve benchmark answers from the
 * provider: the cycle is kept, its `invested_trm` equals the sum of its trades in the buyer's ledger, the
 * gate's decisions are the mind's, and no hold is left. With the kill switch on (over HTTP), no cycle
 * starts and nothing is bought.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../../test/fixture.js";

const MODEL = "stories260K";
const started: TestNode[] = [];
let provider: TestNode;
let buyer: TestNode;

beforeAll(async () => {
  provider = await createTestNode({ model: true, flags: { p2p_port: 0, offer_interval_ms: 1_000 } });
  started.push(provider);
  await provider.node.start();
  const bootstrap = [provider.node.mesh?.host.multiaddrs()[0] as string];
  buyer = await createTestNode({ flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap } });
  started.push(buyer);
  await buyer.node.start();
  await waitFor("the provider's offer at the buyer", () => buyer.node.mesh?.servesRemotely(MODEL) === true, {
    timeoutMs: 15_000,
  });
}, 90_000);

afterAll(async () => {
  for (const t of started.reverse()) await t.close();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await buyer.node.http.app.request(path, {
    method,
    headers: { ...buyer.auth(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("the mind of a model-less node", () => {
  it("buys its benchmark from the mesh as the mind spender; the kept cycle costs exactly its trades", async () => {
    expect(
      (await call("PUT", "/v1/tirami/policy", { spender: "mind", velocity_spends_per_minute_max: 600 }))
        .status,
    ).toBe(200);
    const init = await call("POST", "/v1/tirami/mind/init", {
      system_prompt: "You are a helpful assistant.",
      model_routes: { default: MODEL },
    });
    expect(init.status).toBe(201);
    const run = await call("POST", "/v1/tirami/mind/improve", {
      n_cycles: 1,
      optimiser: { kind: "rewrite" },
    });
    expect(run.status).toBe(200);
    const cycle = run.body.cycles[0];
    expect(cycle).toMatchObject({ decision: "keep", baseline_score: 0, candidate_score: 0.333333 });
    expect(cycle.trade_ids).toHaveLength(12);
    let sum = 0;
    for (const id of cycle.trade_ids as string[]) {
      const trade = buyer.node.ledger.getTrade(id)?.trade;
      expect(trade).toMatchObject({ consumer: buyer.node.account, provider: provider.node.account });
      sum += trade?.amount_trm ?? Number.NaN;
    }
    expect(cycle.invested_trm).toBe(sum);
    expect(sum).toBeGreaterThan(0);
    const mindDecisions = buyer.node.ledger.safety.listDecisions({ spender: "mind", limit: 50 });
    expect(mindDecisions.filter((d) => d.allowed)).toHaveLength(12);
    expect(buyer.node.ledger.balance(buyer.node.account)).toMatchObject({
      balance_trm: 1_000 - sum,
      reserved_trm: 0,
    });
  });

  it("starts no cycle and buys nothing while the kill switch is on", async () => {
    const trades = buyer.node.ledger.tradeCount();
    expect((await call("POST", "/v1/tirami/kill", { activate: true, reason: "test" })).status).toBe(200);
    try {
      const run = await call("POST", "/v1/tirami/mind/improve", { n_cycles: 2 });
      expect(run.body).toMatchObject({ cycles_executed: 0, stopped: { code: "KILL_SWITCH_ACTIVE" } });
      expect(buyer.node.ledger.tradeCount()).toBe(trades);
    } finally {
      await call("POST", "/v1/tirami/kill", { activate: false });
    }
  });
});
