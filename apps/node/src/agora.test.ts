/**
 * Proves the agora API on two real nodes joined over libp2p on 127.0.0.1 (no model): an agent registered
 * through `POST /v1/tirami/agora/register` is signed with the node key and listed by the other node's
 * `GET /agora/agents`; `find`, `reputation/:account`, `collusion/:account`, `stats` and `snapshot` answer
 * from the registry and the ledger; the Nostr dry run returns NIP-89 events nostr-tools verifies; bad input
 * is 400 before anything changes, agents cannot register (operator only), and a node without the mesh
 * answers 503; registered agents survive a restart (signed afresh). The request schemas keep the signed
 * profile's limits.
 */
import { verifyEvent } from "nostr-tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AGENT_CAPABILITIES_MAX,
  AGENT_CAPABILITY_LENGTH_MAX,
  AGENT_DESCRIPTION_BYTES_MAX,
  AGENT_ENDPOINT_LENGTH_MAX,
  AGENT_ENDPOINTS_MAX,
  AGENT_ID_LENGTH_MAX,
  AGENT_MODELS_MAX,
  AGENT_TIERS,
  MODEL_ID_LENGTH_MAX,
  PRICE_TRM_PER_TOKEN_MAX,
  verifyAgentProfile,
} from "@tirami/proto";
import {
  MATCH_PATTERN_LENGTH_MAX,
  MATCH_PATTERNS_MAX,
  MATCHES_MAX,
  PROFILES_PER_NODE_MAX,
} from "@tirami/agora";
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../test/fixture.js";
import * as S from "@tirami/client";

const started: TestNode[] = [];
let a: TestNode, b: TestNode;
let aUrl: string, bUrl: string;

async function meshNode(bootstrap: string[]): Promise<{ t: TestNode; url: string }> {
  const t = await createTestNode({ flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap } });
  started.push(t);
  return { t, url: (await t.node.start()).url };
}

const call = async (
  t: TestNode,
  url: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
) => {
  const response = await fetch(`${url}/v1/tirami${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...t.auth(init.token),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  ({ t: a, url: aUrl } = await meshNode([]));
  ({ t: b, url: bUrl } = await meshNode([a.node.mesh!.host.multiaddrs()[0]!]));
}, 60_000);

afterAll(async () => {
  for (const t of started.splice(0).reverse()) await t.close();
});

const agent = {
  agent_id: "summarizer",
  models: ["qwen2.5-0.5b-instruct-q4_k_m"],
  price_trm_per_token: 2,
  tier: "small",
  capabilities: ["chat"],
  description: "short summaries",
};

describe("agora API", () => {
  it("registers a signed profile that the other node lists, finds and rates", async () => {
    const registered = await call(a, aUrl, "/agora/register", { body: agent });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ ...agent, node: a.node.account, kind: "agent_profile" });
    expect(verifyAgentProfile(registered.body)).toBe(true);

    await waitFor("the profile on B", async () => {
      const { body } = await call(b, bUrl, "/agora/agents");
      return (body.agents as Array<{ agent_id: string }>).some((x) => x.agent_id === "summarizer");
    });
    const found = await call(b, bUrl, "/agora/find", {
      body: { model_patterns: ["qwen2.5-*"], max_trm_per_token: 4 },
    });
    expect(found.status).toBe(200);
    expect(found.body.matches).toEqual([
      expect.objectContaining({
        node: a.node.account,
        agent_id: "summarizer",
        price_score: 0.5,
        reputation: 0.3,
      }),
    ]);
    const reputation = await call(b, bUrl, `/agora/reputation/${a.node.account}`);
    expect(reputation.body).toMatchObject({
      account: a.node.account,
      overall: 0.3,
      trade_count: 0,
      trust_penalty: 0,
    });
    const collusion = await call(b, bUrl, `/collusion/${a.node.account}`);
    expect(collusion.body).toMatchObject({ subject: a.node.account, trust_penalty: 0, flags: [] });
    const stats = await call(b, bUrl, "/agora/stats");
    expect(stats.body).toMatchObject({ agent_count: 1, own_profiles: 0 });
    const snapshot = await call(b, bUrl, "/agora/snapshot");
    expect((snapshot.body.profiles as unknown[]).every(verifyAgentProfile)).toBe(true);
  });

  it("builds NIP-89 advertisements of this node's profiles that nostr-tools verifies", async () => {
    const nostr = await call(a, aUrl, "/agora/nostr");
    expect(nostr.body.pubkey).toMatch(/^[0-9a-f]{64}$/);
    const published = await call(a, aUrl, "/agora/nostr/publish", { body: { dry_run: true } });
    expect(published.status).toBe(200);
    const events = published.body.events as Parameters<typeof verifyEvent>[0][];
    expect(events).toHaveLength(1);
    expect(verifyEvent(JSON.parse(JSON.stringify(events[0])))).toBe(true);
    expect(events[0]!.pubkey).toBe(nostr.body.pubkey);
  });

  it("refuses bad input, agents and nodes without the mesh", async () => {
    for (const body of [
      { ...agent, models: ["a", "a"] },
      { ...agent, tier: "huge" },
      { ...agent, agent_id: "has space" },
      { ...agent, extra: 1 },
    ])
      expect((await call(a, aUrl, "/agora/register", { body })).status).toBe(400);
    expect((await call(a, aUrl, "/agora/find", { body: { min_reputation: 2 } })).status).toBe(400);
    expect((await call(a, aUrl, "/collusion/not-hex")).status).toBe(400);
    expect((await call(a, aUrl, "/agora/agents/nobody", { method: "DELETE" })).status).toBe(404);
    const { body: created } = await call(a, aUrl, "/agents", { body: { name: "reader" } });
    const agentToken = (created as { token: string }).token;
    expect((await call(a, aUrl, "/agora/register", { body: agent, token: agentToken })).status).toBe(403);
    expect((await call(a, aUrl, "/agora/stats", { token: agentToken })).status).toBe(200);

    const lone = await createTestNode();
    started.push(lone);
    const { url } = await lone.node.start();
    expect((await call(lone, url, "/agora/stats")).status).toBe(503);
  });

  it("keeps registered agents across a restart, signed afresh", async () => {
    const first = await createTestNode({ flags: { p2p_port: 0 } });
    started.push(first);
    const { url } = await first.node.start();
    expect((await call(first, url, "/agora/register", { body: agent })).status).toBe(201);
    await first.node.stop();
    const again = await createTestNode({ flags: { p2p_port: 0, home: first.home } });
    started.push(again);
    const restarted = await again.node.start();
    const own = again.node.agora!.ownProfiles();
    expect(own.map((p) => p.agent_id)).toEqual(["summarizer"]);
    expect(verifyAgentProfile(own[0])).toBe(true);
    const { body } = await call(again, restarted.url, "/agora/stats");
    expect(body).toMatchObject({ own_profiles: 1 });
  });

  it("keeps the signed profile's limits in the request schemas", () => {
    expect(S.AGORA_TIERS).toEqual(AGENT_TIERS);
    expect(S.AGORA_AGENT_ID_LENGTH_MAX).toBe(AGENT_ID_LENGTH_MAX);
    expect(S.AGORA_MODELS_MAX).toBe(AGENT_MODELS_MAX);
    expect(S.AGORA_MODEL_ID_LENGTH_MAX).toBe(MODEL_ID_LENGTH_MAX);
    expect(S.AGORA_CAPABILITIES_MAX).toBe(AGENT_CAPABILITIES_MAX);
    expect(S.AGORA_CAPABILITY_LENGTH_MAX).toBe(AGENT_CAPABILITY_LENGTH_MAX);
    expect(S.AGORA_ENDPOINTS_MAX).toBe(AGENT_ENDPOINTS_MAX);
    expect(S.AGORA_ENDPOINT_LENGTH_MAX).toBe(AGENT_ENDPOINT_LENGTH_MAX);
    expect(S.AGORA_DESCRIPTION_BYTES_MAX).toBe(AGENT_DESCRIPTION_BYTES_MAX);
    expect(S.AGORA_PRICE_TRM_PER_TOKEN_MAX).toBe(PRICE_TRM_PER_TOKEN_MAX);
    expect(S.AGORA_PATTERNS_MAX).toBe(MATCH_PATTERNS_MAX);
    expect(S.AGORA_PATTERN_LENGTH_MAX).toBe(MATCH_PATTERN_LENGTH_MAX);
    expect(S.AGORA_MATCHES_MAX).toBe(MATCHES_MAX);
    expect(S.AGORA_AGENTS_MAX).toBe(PROFILES_PER_NODE_MAX);
  });
});
