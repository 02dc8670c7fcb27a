/**
 * Keeps @tirami/client and @tirami/mcp complete: every route of a real node has a row in the client's
 * endpoint table (or a documented exclusion), every row is a route the node really has, every row is an
 * MCP tool unless excluded with a reason, and the limits the client checks agree with the packages that
 * enforce them. A route added to the node without a client method fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_EXCLUDED,
  EMBEDDING_INPUTS_MAX,
  type EndpointName,
  endpoints,
  MCP_EXCLUDED,
  POLICY_BREAKER_CONSECUTIVE_ERRORS_MAX,
  POLICY_VELOCITY_SPENDS_PER_MINUTE_MAX,
} from "@tirami/client";
import { inferLimits } from "@tirami/infer";
import { SafetyLimits } from "@tirami/ledger";
import { toolNames } from "@tirami/mcp";
import { createTestNode, type TestNode } from "../test/fixture.js";

let t: TestNode;
beforeAll(async () => {
  t = await createTestNode({});
});
afterAll(async () => {
  await t?.close();
});

/** `METHOD /path` of every route handler of the node (middleware on wildcards left out). */
function nodeRoutes(): string[] {
  const keys = new Set<string>();
  for (const route of t.node.http.app.routes)
    if (!route.path.includes("*")) keys.add(`${route.method} ${route.path}`);
  return [...keys].sort();
}

const rows = (Object.keys(endpoints) as EndpointName[]).map((name) => ({
  name,
  key: `${endpoints[name].method} ${endpoints[name].path}`,
}));

describe("client coverage", () => {
  it("has a client row or a documented exclusion for every route of the node", () => {
    const covered = new Set([...rows.map((row) => row.key), ...Object.keys(CLIENT_EXCLUDED)]);
    expect(nodeRoutes().filter((key) => !covered.has(key))).toEqual([]);
  });

  it("has no row or exclusion for a route the node does not have", () => {
    const routes = new Set(nodeRoutes());
    // The topology route exists only on a node with a models directory (the fixture has none).
    const conditional = new Set(["GET /v1/tirami/topology"]);
    expect(
      rows.filter((row) => !routes.has(row.key) && !conditional.has(row.key)).map((row) => row.key),
    ).toEqual([]);
    expect(Object.keys(CLIENT_EXCLUDED).filter((key) => !routes.has(key))).toEqual([]);
  });

  it("exposes every row as an MCP tool unless it is excluded with a reason, and never both", () => {
    const tools = new Map(toolNames().map(({ tool, endpoint }) => [endpoint, tool]));
    for (const { name } of rows) {
      const excluded = MCP_EXCLUDED[name] !== undefined;
      expect({ name, tool: tools.has(name) || excluded, both: tools.has(name) && excluded }).toEqual({
        name,
        tool: true,
        both: false,
      });
    }
    const names = toolNames().map(({ tool }) => tool);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^tirami_[a-z_]{2,48}$/);
  });

  it("checks the same limits as the packages that enforce them", () => {
    expect(EMBEDDING_INPUTS_MAX).toBe(inferLimits.EMBED_INPUTS_MAX);
    expect(POLICY_VELOCITY_SPENDS_PER_MINUTE_MAX).toBe(SafetyLimits.VELOCITY_SPENDS_PER_MINUTE_CONFIG_MAX);
    expect(POLICY_BREAKER_CONSECUTIVE_ERRORS_MAX).toBe(SafetyLimits.BREAKER_CONSECUTIVE_ERRORS_CONFIG_MAX);
  });
});
