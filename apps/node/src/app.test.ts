/**
 * Proves the HTTP surface of a real node without a model, through `app.request` (no socket): public probes,
 * bearer auth (missing, malformed, wrong, operator, agent; frozen → 403, revoked → 401 everywhere), agents
 * confined to non-operator routes, OpenAI-shaped errors for bad input with the ledger unchanged, the body
 * limit, the per-token rate limit with Retry-After, kill switch / policy / approvals through HTTP, and the
 * economy routes agreeing with the ledger's own `verify()` on trades signed by two parties.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyInclusion } from "@tirami/ledger";
import { fromHex } from "@tirami/core";
import {
  checkSignedTrade,
  computeTradeId,
  type SignedTrade,
  signTrade,
  type Trade,
  tradeCanonicalBytes,
} from "@tirami/proto";
import { createCounterparty, createTestNode, type TestNode } from "../test/fixture.js";

let t: TestNode;
let request: (path: string, init?: RequestInit & { token?: string | null }) => Promise<Response>;

beforeAll(async () => {
  t = await createTestNode({ flags: { rate_limit_per_minute: 1_000 } });
  request = (path, init = {}) => {
    const { token, headers, ...rest } = init;
    const auth = token === null ? {} : t.auth(token);
    return Promise.resolve(
      t.node.http.app.request(path, {
        ...rest,
        headers: { ...auth, ...(headers as Record<string, string>) },
      }),
    );
  };
});
afterAll(async () => {
  await t?.close();
});

const json = (body: unknown): RequestInit => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const ledgerSnapshot = () => ({
  trades: t.node.ledger.tradeCount(),
  root: t.node.ledger.merkleRoot(),
  balance: t.node.ledger.balance(t.node.account),
});

async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
  expect(body.error).toEqual(
    expect.objectContaining({ message: expect.any(String), type: expect.any(String) }),
  );
  return body.error;
}

describe("public probes", () => {
  it("answers /health, /readyz (503 without a model or a mesh) and /metrics without a token", async () => {
    expect(await (await request("/health", { token: null })).json()).toEqual({
      status: "ok",
      model_loaded: false,
    });
    const ready = await request("/readyz", { token: null });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: "not_ready",
      ledger_open: true,
      models_local: false,
      failing: ["can_answer"],
    });
    const metrics = await request("/metrics", { token: null });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain("tirami_http_requests_total");
    expect(text).toContain("tirami_balance_trm");
    expect(text).toContain("tirami_kill_switch_active 0");
  });
});

describe("authentication", () => {
  it("refuses missing, malformed and wrong tokens with 401", async () => {
    await expectError(await request("/v1/models", { token: null }), 401, "MISSING_TOKEN");
    await expectError(
      await request("/v1/models", { token: null, headers: { authorization: `Basic ${t.token}` } }),
      401,
      "INVALID_TOKEN",
    );
    await expectError(
      await request("/v1/models", { token: null, headers: { authorization: `bearer ${t.token}` } }),
      401,
      "INVALID_TOKEN",
    );
    await expectError(await request("/v1/models", { token: `${t.token}x` }), 401, "INVALID_TOKEN");
    expect((await request("/v1/models")).status).toBe(200);
  });

  it("stores the operator token 0600 in the home and only its hash in memory", async () => {
    const { statSync, readFileSync } = await import("node:fs");
    const path = t.node.operatorToken.path as string;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8").trim()).toBe(t.token);
  });
});

describe("agents", () => {
  it("creates an agent whose token is shown once, attributes usage, and confines it to its own routes", async () => {
    const created = await request(
      "/v1/tirami/agents",
      json({ name: "writer", policy: { hourly_max_trm: 500 } }),
    );
    expect(created.status).toBe(201);
    const body = (await created.json()) as {
      token: string;
      agent: { name: string; status: string };
      policy: { hourly_max_trm: number };
    };
    expect(body.agent).toMatchObject({ name: "writer", status: "active" });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.policy.hourly_max_trm).toBe(500);
    const list = (await (await request("/v1/tirami/agents")).json()) as {
      agents: Array<Record<string, unknown>>;
    };
    expect(JSON.stringify(list)).not.toContain(body.token);

    await expectError(await request("/v1/tirami/agents", json({ name: "writer" })), 409, "AGENT_EXISTS");
    await expectError(
      await request("/v1/tirami/agents", json({ name: "Bad Name!" })),
      400,
      "INVALID_REQUEST",
    );
    await expectError(await request("/v1/tirami/agents", json({ name: "operator" })), 400, "INVALID_REQUEST");

    const agent = body.token;
    expect((await request("/v1/tirami/balance", { token: agent })).status).toBe(200);
    expect(
      ((await (await request("/v1/tirami/balance", { token: agent })).json()) as { spender: string }).spender,
    ).toBe("writer");
    expect((await request("/v1/tirami/agents/writer", { token: agent })).status).toBe(200);
    expect((await request("/v1/tirami/safety", { token: agent })).status).toBe(200);
    for (const [path, init] of [
      ["/v1/tirami/agents", undefined],
      ["/v1/tirami/agents", json({ name: "child" })],
      ["/v1/tirami/agents/other", undefined],
      ["/v1/tirami/agents/writer/unfreeze", json({})],
      ["/v1/tirami/kill", json({ activate: true, reason: "agent says stop" })],
      ["/v1/tirami/policy", undefined],
      ["/v1/tirami/policy", { ...json({ spender: "writer", hourly_max_trm: 1_000_000 }), method: "PUT" }],
      ["/v1/tirami/approvals/apr_00000000000000000000000000000000/approve", json({})],
    ] as const) {
      await expectError(await request(path, { ...(init ?? {}), token: agent }), 403, "OPERATOR_ONLY");
    }
    expect(t.node.safety.killSwitch().active).toBe(false);
    expect(t.node.safety.getPolicy("writer")).toMatchObject({ hourly_max_trm: 500 });
  });

  it("freezes (403 everywhere), unfreezes and revokes (401 everywhere) an agent", async () => {
    const { token } = (await (await request("/v1/tirami/agents", json({ name: "temp" }))).json()) as {
      token: string;
    };
    expect((await request("/v1/models", { token })).status).toBe(200);
    expect((await request("/v1/tirami/agents/temp/freeze", json({}))).status).toBe(200);
    await expectError(await request("/v1/models", { token }), 403, "AGENT_FROZEN");
    await expectError(await request("/v1/tirami/balance", { token }), 403, "AGENT_FROZEN");
    expect((await request("/v1/tirami/agents/temp/unfreeze", json({}))).status).toBe(200);
    expect((await request("/v1/models", { token })).status).toBe(200);
    expect((await request("/v1/tirami/agents/temp", { method: "DELETE" })).status).toBe(200);
    await expectError(await request("/v1/models", { token }), 401, "AGENT_REVOKED");
    await expectError(await request("/v1/tirami/safety", { token }), 401, "AGENT_REVOKED");
    await expectError(await request("/v1/tirami/agents/temp/unfreeze", json({})), 400, "INVALID_REQUEST");
    await expectError(await request("/v1/tirami/agents/nobody"), 404, "AGENT_NOT_FOUND");
  });
});

describe("bad input", () => {
  it("answers malformed JSON, wrong types, absurd values and huge bodies with 4xx and leaves the ledger unchanged", async () => {
    const before = ledgerSnapshot();
    const chat = (body: string) =>
      request("/v1/chat/completions", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
    await expectError(await chat("{not json"), 400, "INVALID_REQUEST");
    await expectError(await chat(""), 400, "INVALID_REQUEST");
    await expectError(await chat(JSON.stringify({ model: 5, messages: [] })), 400, "INVALID_REQUEST");
    const empty = await expectError(
      await chat(JSON.stringify({ model: "m", messages: [] })),
      400,
      "INVALID_REQUEST",
    );
    expect(empty.param).toBe("messages");
    const negative = await expectError(
      await chat(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: -5 })),
      400,
      "INVALID_REQUEST",
    );
    expect(negative.param).toBe("max_tokens");
    await expectError(
      await chat(
        JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 1e12 }),
      ),
      400,
      "INVALID_REQUEST",
    );
    await expectError(
      await chat(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], temperature: 3 })),
      400,
      "INVALID_REQUEST",
    );
    await expectError(
      await chat(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], n: 2 })),
      400,
      "INVALID_REQUEST",
    );
    await expectError(
      await chat(JSON.stringify({ model: "m", messages: [{ role: "wizard", content: "hi" }] })),
      400,
      "INVALID_REQUEST",
    );
    // Valid request, but this node has no model.
    await expectError(
      await chat(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] })),
      503,
      "MODEL_NOT_LOADED",
    );
    const huge = await chat(
      JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(70_000) }] }),
    );
    await expectError(huge, 413, "BODY_TOO_LARGE");
    await expectError(await request("/v1/tirami/trades?limit=100000"), 400, "INVALID_REQUEST");
    await expectError(await request("/v1/tirami/proof/zz"), 400, "INVALID_REQUEST");
    await expectError(await request(`/v1/tirami/proof/${"0".repeat(64)}`), 404, "TRADE_NOT_FOUND");
    await expectError(await request("/v1/tirami/trades/zz"), 400, "INVALID_REQUEST");
    await expectError(await request(`/v1/tirami/trades/${"0".repeat(64)}`), 404, "NOT_FOUND");
    await expectError(await request("/v1/tirami/settlement?from=10&to=5"), 400, "INVALID_REQUEST");
    await expectError(
      await request("/v1/tirami/policy", {
        ...json({ spender: "operator", hourly_max_trm: -1 }),
        method: "PUT",
      }),
      400,
      "INVALID_REQUEST",
    );
    await expectError(
      await request("/v1/tirami/policy", { ...json({ spender: "ghost" }), method: "PUT" }),
      404,
      "AGENT_NOT_FOUND",
    );
    await expectError(await request("/v1/no-such-route"), 404, "NOT_FOUND");
    expect(ledgerSnapshot()).toEqual(before);
  });

  it("rate-limits each token and answers 429 with Retry-After", async () => {
    const limited = await createTestNode({ flags: { rate_limit_per_minute: 3 } });
    try {
      const call = () => limited.node.http.app.request("/v1/models", { headers: limited.auth() });
      for (let i = 0; i < 3; i += 1) expect((await call()).status).toBe(200);
      const refused = await call();
      await expectError(refused, 429, "RATE_LIMITED");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Failed authentications are limited too, per client address.
      const wrong = () =>
        limited.node.http.app.request("/v1/models", { headers: { authorization: "Bearer wrong-token" } });
      for (let i = 0; i < 3; i += 1) expect((await wrong()).status).toBe(401);
      expect((await wrong()).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("safety through HTTP", () => {
  it("activates and resumes the kill switch, visible in /safety and refusing spends with its code", async () => {
    const on = await request("/v1/tirami/kill", json({ activate: true, reason: "maintenance" }));
    expect(await on.json()).toMatchObject({
      status: "KILL SWITCH ACTIVATED",
      kill_switch: { active: true, reason: "maintenance" },
    });
    const state = (await (await request("/v1/tirami/safety")).json()) as { kill_switch: { active: boolean } };
    expect(state.kill_switch.active).toBe(true);
    await expect(
      t.node.spend.spend({
        spender: "operator",
        counterparty: createCounterparty(),
        modelId: "m",
        priceTrmPerToken: 1,
        maxTokens: 10,
        requestId: "killed",
        run: async () => ({ promptTokens: 1, completionTokens: 1 }),
      }),
    ).rejects.toMatchObject({ code: "KILL_SWITCH_ACTIVE" });
    const decisions = (await (await request("/v1/tirami/safety")).json()) as {
      recent_decisions: Array<{ code: string }>;
    };
    expect(decisions.recent_decisions[0]?.code).toBe("KILL_SWITCH_ACTIVE");
    expect(await (await request("/v1/tirami/kill", json({ activate: false }))).json()).toMatchObject({
      kill_switch: { active: false },
    });
    expect(await (await request("/metrics", { token: null })).text()).toContain(
      'tirami_safety_denials_total{code="KILL_SWITCH_ACTIVE"} 1',
    );
  });

  it("shows and sets each spender's breaker settings over HTTP, validated at the boundary", async () => {
    await request(
      "/v1/tirami/agents",
      json({ name: "relay", policy: { velocity_spends_per_minute_max: 5 } }),
    );
    expect(await (await request("/v1/tirami/policy")).json()).toMatchObject({
      spender: "operator",
      policy: { velocity_spends_per_minute_max: 600, breaker_consecutive_errors_max: 20 },
    });
    expect(await (await request("/v1/tirami/policy?spender=relay")).json()).toMatchObject({
      policy: { velocity_spends_per_minute_max: 5, breaker_consecutive_errors_max: 5 },
    });
    for (const bad of [{ velocity_spends_per_minute_max: 0 }, { breaker_consecutive_errors_max: 1_001 }]) {
      await expectError(
        await request("/v1/tirami/policy", { ...json({ spender: "relay", ...bad }), method: "PUT" }),
        400,
        "INVALID_REQUEST",
      );
    }
    const set = await request("/v1/tirami/policy", {
      ...json({ spender: "relay", breaker_consecutive_errors_max: 9 }),
      method: "PUT",
    });
    expect(await set.json()).toMatchObject({
      policy: { velocity_spends_per_minute_max: 5, breaker_consecutive_errors_max: 9 },
    });
  });

  it("sets a policy, shows the pending approval a spend created, and approves it over HTTP", async () => {
    await request("/v1/tirami/agents", json({ name: "buyer" }));
    const set = await request("/v1/tirami/policy", {
      ...json({ spender: "buyer", per_request_max_trm: 5 }),
      method: "PUT",
    });
    expect(await set.json()).toMatchObject({ spender: "buyer", policy: { per_request_max_trm: 5 } });
    expect(await (await request("/v1/tirami/policy?spender=buyer")).json()).toMatchObject({
      policy: { per_request_max_trm: 5 },
    });
    const purchase = {
      spender: "buyer",
      counterparty: createCounterparty(),
      modelId: "m",
      priceTrmPerToken: 1,
      maxTokens: 20,
      requestId: "needs-approval",
      run: async () => ({ promptTokens: 2, completionTokens: 9 }),
    };
    await expect(t.node.spend.spend(purchase)).rejects.toMatchObject({ code: "APPROVAL_REQUIRED" });
    const pending = (await (await request("/v1/tirami/approvals?status=pending")).json()) as {
      approvals: Array<{ approval_id: string; spender: string; amount_trm: number }>;
    };
    const approval = pending.approvals.find((a) => a.spender === "buyer");
    expect(approval).toMatchObject({ amount_trm: 20 });
    const approved = await request(`/v1/tirami/approvals/${approval?.approval_id}/approve`, json({}));
    expect(await approved.json()).toMatchObject({ approval: { status: "approved" } });
    await expectError(
      await request(`/v1/tirami/approvals/${approval?.approval_id}/deny`, json({})),
      409,
      "APPROVAL_NOT_PENDING",
    );
    await expect(t.node.spend.spend(purchase)).resolves.toMatchObject({ amountTrm: 9 });
    // Another agent sees the kill switch and its own budget state, not the buyer's spend or decisions.
    const view = await request("/v1/tirami/agents", json({ name: "onlooker" }));
    const onlooker = ((await view.json()) as { token: string }).token;
    const agentSafety = (await (await request("/v1/tirami/safety", { token: onlooker })).json()) as Record<
      string,
      unknown
    >;
    expect(agentSafety).toMatchObject({
      spender: "onlooker",
      spend: [],
      recent_decisions: [],
      kill_switch: { active: false },
    });
    const agentView = (await (await request("/v1/tirami/agents/buyer")).json()) as {
      usage: { spent_trm: number; completion_tokens: number };
    };
    expect(agentView.usage).toMatchObject({ spent_trm: 9, completion_tokens: 9 });
  });
});

describe("economy routes", () => {
  it("serves trades, network root, proofs and settlement that agree with the ledger's verify()", async () => {
    // Trades of this node with another node, plus a trade between two other nodes (both signed by both).
    const provider = createCounterparty();
    for (const tokens of [3, 5, 8]) {
      await t.node.spend.spend({
        spender: "operator",
        counterparty: provider,
        modelId: "stories260K",
        priceTrmPerToken: 1,
        maxTokens: 10,
        requestId: `econ-${tokens}`,
        run: async () => ({ promptTokens: 1, completionTokens: tokens }),
      });
    }
    // A trade between two other nodes, signed by both, as gossip would deliver it.
    const alice = createCounterparty();
    const bob = createCounterparty();
    const trade: Trade = {
      provider: alice.account,
      consumer: bob.account,
      amount_trm: 12,
      prompt_tokens: 4,
      completion_tokens: 12,
      model_id: "stories260K",
      price_trm_per_token: 1,
      timestamp_ms: Date.now(),
      nonce: "0123456789abcdef0123456789abcdef",
      request_id: "third-party",
    };
    const applied = t.node.ledger.applySignedTrade({
      trade_id: computeTradeId(trade),
      trade,
      provider_signature: signTrade(trade, alice.signer),
      consumer_signature: signTrade(trade, bob.signer),
    });
    expect(applied.status).toBe("applied");
    const report = t.node.ledger.verify();
    expect(report.ok).toBe(true);

    const trades = (await (await request("/v1/tirami/trades?limit=100")).json()) as {
      count: number;
      trades: Array<{ trade_id: string; trade: { timestamp_ms: number } }>;
    };
    expect(trades.count).toBe(report.counts.trades);
    const network = (await (await request("/v1/tirami/network")).json()) as Record<string, unknown>;
    expect(network).toMatchObject({
      merkle_root: report.root,
      total_trades: report.counts.trades,
      local_account: t.node.account,
    });

    for (const { trade_id } of trades.trades) {
      const proof = (await (await request(`/v1/tirami/proof/${trade_id}`)).json()) as {
        leaf_index: number;
        tree_size: number;
        proof: string[];
        root: string;
      };
      expect(proof.root).toBe(report.root);
      // The signed trade as served verifies on its own and is the leaf the proof is about.
      const served = (await (await request(`/v1/tirami/trades/${trade_id}`)).json()) as SignedTrade;
      expect(checkSignedTrade(served)).toBeNull();
      expect(served.trade_id).toBe(trade_id);
      expect(
        verifyInclusion({
          leafBytes: tradeCanonicalBytes(served.trade),
          index: proof.leaf_index,
          treeSize: proof.tree_size,
          proof: proof.proof.map((hex) => fromHex(hex)),
          root: fromHex(proof.root),
        }),
      ).toBe(true);
    }
    const settlement = (await (await request("/v1/tirami/settlement?hours=1&price=2")).json()) as {
      trade_count: number;
      total_trm_transferred: number;
    };
    expect(settlement.trade_count).toBe(report.counts.trades);
    const balance = (await (await request("/v1/tirami/balance")).json()) as { effective_balance_trm: number };
    expect(balance.effective_balance_trm).toBe(t.node.ledger.balance(t.node.account).effective_balance_trm);
    const pricing = (await (await request("/v1/tirami/pricing")).json()) as {
      price_trm_per_token: number;
      estimated_cost_100_tokens_trm: number;
    };
    expect(pricing).toMatchObject({ price_trm_per_token: 1, estimated_cost_100_tokens_trm: 100 });
  });
});
