/**
 * Proves the metrics are per app instance and labelled by route pattern: two nodes in one process keep
 * separate counts, and a request to `/v1/tirami/proof/<id>` is counted under the pattern, not the raw path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";

let first: TestNode;
let second: TestNode;
beforeAll(async () => {
  [first, second] = await Promise.all([createTestNode(), createTestNode()]);
});
afterAll(async () => {
  await Promise.all([first?.close(), second?.close()]);
});

describe("metrics", () => {
  it("counts by route pattern in a registry per node", async () => {
    await first.node.http.app.request(`/v1/tirami/proof/${"a".repeat(64)}`, { headers: first.auth() });
    await first.node.http.app.request("/v1/nothing-here", { headers: first.auth() });
    const text = await first.node.http.metrics.registry.metrics();
    expect(text).toContain(
      'tirami_http_requests_total{route="/v1/tirami/proof/:trade_id",method="GET",status="404"} 1',
    );
    expect(text).toContain('tirami_http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(text).not.toContain("a".repeat(64));
    expect(text).toMatch(/tirami_balance_trm\{kind="effective"\} 1000/);
    expect(text).toContain("tirami_process_uptime_secs");
    expect(text).toContain("tirami_trm_consumed_total 0");
    expect(text).toContain("tirami_safety_pending_approvals 0");
    expect(text).toContain("tirami_safety_breakers_tripped 0");
    const other = await second.node.http.metrics.registry.metrics();
    expect(other).not.toContain("/v1/tirami/proof/:trade_id");
  });
});
