/**
 * Proves the mesh end to end in one process with real parts: a provider node serving stories260K (1
 * thread, explicit `general` chat format) and consumer nodes without a model, each a full node (HTTP API,
 * ledger, safety gate, spend path) joined over libp2p on 127.0.0.1. The official `openai` client pointed
 * at a consumer gets a streamed answer from the provider; the dual-signed trade lands identically on all
 * three ledgers with agreeing balances and roots and a passing `verify()`. Safety holds through the mesh
 * (kill switch 403 before any request leaves, agent budget and approval threshold, the provider's
 * zero-history cap 402 with its reason), and the failure paths move no money: a provider that dies
 * mid-stream (hold released), a consumer that refuses to sign (hold released at the provider, consumer
 * refused until settled) or rejects with a reason, and the mesh routes expose the ranking and peers.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountId, costTrm, createSigner, generateSeed, type Signer } from "@tirami/core";
import { createMeshHost, type MeshHost, TOPIC_OFFERS } from "@tirami/net";
import {
  computeTradeId,
  createTrade,
  decodeMessage,
  encodeMessage,
  INFER_PROTOCOL_ID,
  isTradeId,
  PROTOCOL_VERSION,
  signProviderOffer,
  signTrade,
  type TradeProposal,
} from "@tirami/proto";
import { createTestNode, type TestNode } from "../test/fixture.js";
import { waitFor } from "@tirami/test-kit";

const MODEL = "stories260K";
const started: TestNode[] = [];
let provider: TestNode, alice: TestNode, bob: TestNode;
let aliceUrl: string, bobUrl: string, providerUrl: string;

async function meshNode(
  options: { model?: boolean; bootstrap?: string[]; flags?: Record<string, unknown> } = {},
): Promise<{ t: TestNode; url: string }> {
  const t = await createTestNode({
    model: options.model === true,
    flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: options.bootstrap ?? [], ...options.flags },
  });
  started.push(t);
  const { url } = await t.node.start();
  return { t, url };
}
const meshOf = (t: TestNode) => {
  const mesh = t.node.mesh;
  if (mesh === undefined) throw new Error("mesh not running");
  return mesh;
};
const client = (t: TestNode, url: string, token = t.token) =>
  new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
const money = (t: TestNode, account: AccountId) => {
  const { balance_trm, consumed_trm, contributed_trm, trade_count, reserved_trm } =
    t.node.ledger.balance(account);
  return { balance_trm, consumed_trm, contributed_trm, trade_count, reserved_trm };
};
/**
 * A hand-driven provider host announces one model to `target` and waits until `target` routes to it. A
 * publish that reaches no subscribed peer is dropped, not queued, so it first waits until the target's
 * offer subscription is known (a fixed sleep only guessed how long that takes on a loaded machine).
 */
async function announceTo(
  target: TestNode,
  host: MeshHost,
  signer: Signer,
  model: { model_id: string; price_trm_per_token: number },
): Promise<void> {
  host.subscribe(TOPIC_OFFERS, { validate: () => "accept", onMessage: () => undefined });
  await host.dial(meshOf(target).host.multiaddrs()[0] as string);
  await waitFor(`${model.model_id}'s host to see the target's offer subscription`, () =>
    host.topicPeers(TOPIC_OFFERS).includes(target.node.account),
  );
  const offer = signProviderOffer(
    {
      account: signer.accountId,
      models: [model],
      free_capacity: 1,
      protocol_version: PROTOCOL_VERSION,
      merkle_root: "00".repeat(32),
      trade_count: 0,
      timestamp_ms: Date.now(),
    },
    signer,
  );
  expect((await host.publish(TOPIC_OFFERS, encodeMessage(offer))).recipients).toBeGreaterThan(0);
  await waitFor(
    `${model.model_id} at the target`,
    () => meshOf(target).route(model.model_id, "balanced").length > 0,
  );
}

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected an API error");
}
const ask = {
  model: MODEL,
  max_tokens: 16,
  temperature: 0,
  messages: [{ role: "user" as const, content: "Once upon a time" }],
};

beforeAll(async () => {
  ({ t: provider, url: providerUrl } = await meshNode({
    model: true,
    flags: { zero_history_consumers_max: 4 },
  }));
  const boot = [meshOf(provider).host.multiaddrs()[0] as string];
  let url: string;
  ({ t: alice, url } = await meshNode({ bootstrap: boot }));
  aliceUrl = url;
  ({ t: bob, url } = await meshNode({ bootstrap: boot }));
  bobUrl = url;
  await waitFor(
    "the provider's offer at both consumers",
    () =>
      meshOf(alice).route(MODEL, "balanced").length > 0 && meshOf(bob).route(MODEL, "balanced").length > 0,
    { timeoutMs: 15_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // one gossipsub heartbeat for the trade topic mesh
}, 60_000);

afterAll(async () => {
  for (const t of started.reverse()) await t.close();
});

describe("any node is an OpenAI endpoint for the mesh", () => {
  it("streams a provider's answer to the official client at a consumer; the trade is identical on all three ledgers", async () => {
    const stream = await client(alice, aliceUrl).chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let last: Record<string, unknown> | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      last = chunk as unknown as Record<string, unknown>;
    }
    expect(text.length).toBeGreaterThan(0);
    const x = last?.x_tirami as { trade_id: string; provider: string; trm_cost: number };
    const usage = last?.usage as { completion_tokens: number };
    expect(x.provider).toBe(provider.node.account);
    expect(x.trm_cost).toBe(usage.completion_tokens); // price 1 TRM/token
    const everyone = [provider, alice, bob];
    await waitFor("the trade on all three ledgers", () =>
      everyone.every((t) => t.node.ledger.getTrade(x.trade_id) !== undefined),
    );
    const strip = (t: TestNode) => {
      const { applied_ms: _applied, ...signed } = t.node.ledger.getTrade(x.trade_id)!;
      return signed;
    };
    expect(strip(alice)).toEqual(strip(provider));
    expect(strip(bob)).toEqual(strip(provider));
    expect(strip(provider).trade.consumer).toBe(alice.node.account);
    for (const account of [provider.node.account, alice.node.account]) {
      expect(money(alice, account)).toEqual(money(provider, account));
      expect(money(bob, account)).toEqual(money(provider, account));
    }
    expect(money(alice, alice.node.account)).toMatchObject({
      balance_trm: 1_000 - x.trm_cost,
      reserved_trm: 0,
    });
    expect(money(provider, alice.node.account).reserved_trm).toBe(0); // the provider's hold was settled
    await waitFor(
      "roots to agree",
      () => new Set(everyone.map((t) => t.node.ledger.merkleRoot())).size === 1,
    );
    for (const t of everyone) expect(t.node.ledger.verify().ok).toBe(true);
  });

  it("answers without streaming with a routing preference, and exposes providers, route, peers and network", async () => {
    const response = await client(bob, bobUrl).chat.completions.create(ask, {
      headers: { "x-tirami-route": "cost" },
    });
    const x = (
      response as unknown as {
        x_tirami: { trade_id: string; provider: string; route: string; trm_cost: number };
      }
    ).x_tirami;
    expect(response.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(x).toMatchObject({
      provider: provider.node.account,
      route: "cost",
      trm_cost: response.usage?.completion_tokens,
    });
    const auth = { authorization: `Bearer ${bob.token}` };
    const route = (await (
      await fetch(`${bobUrl}/v1/tirami/route?model=${MODEL}&preference=quality`, { headers: auth })
    ).json()) as {
      selected: { provider: string; price_trm_per_token: number };
    };
    expect(route.selected).toMatchObject({ provider: provider.node.account, price_trm_per_token: 1 });
    const providers = (await (await fetch(`${bobUrl}/v1/tirami/providers`, { headers: auth })).json()) as {
      providers: Array<{ account: string }>;
    };
    expect(providers.providers.map((p) => p.account)).toEqual([provider.node.account]);
    const peers = (await (await fetch(`${bobUrl}/v1/tirami/peers`, { headers: auth })).json()) as {
      peers: Array<{ account: string; models: string[] }>;
    };
    expect(peers.peers.find((p) => p.account === provider.node.account)?.models).toEqual([MODEL]);
    const bad = await fetch(`${bobUrl}/v1/tirami/route?model=${MODEL}&preference=cheapest`, {
      headers: auth,
    });
    expect(bad.status).toBe(400);
    await waitFor("bob's trade everywhere", () =>
      [provider, alice, bob].every((t) => t.node.ledger.getTrade(x.trade_id) !== undefined),
    );
    await waitFor(
      "bob to see every root agree",
      () => {
        const network = meshOf(bob).network() as { root_agreement: { all_agree: boolean }; offers: number };
        return network.offers >= 2 && network.root_agreement.all_agree;
      },
      { timeoutMs: 5_000 },
    );
    const network = (await (await fetch(`${bobUrl}/v1/tirami/network`, { headers: auth })).json()) as {
      mesh: { peers_connected: number };
    };
    expect(network.mesh.peers_connected).toBeGreaterThanOrEqual(1);
  });

  it("answers /v1/completions from the mesh too, streamed and not, each a trade on every ledger", async () => {
    const before = money(bob, bob.node.account).balance_trm;
    const openai = client(bob, bobUrl);
    const plain = await openai.completions.create({
      model: MODEL,
      prompt: "Once upon a time",
      max_tokens: 8,
      temperature: 0,
    });
    const plainX = (
      plain as unknown as { x_tirami: { trade_id: string; provider: string; trm_cost: number } }
    ).x_tirami;
    expect(plain.object).toBe("text_completion");
    expect(plain.choices[0]?.text.length).toBeGreaterThan(0);
    expect(plainX).toMatchObject({
      provider: provider.node.account,
      trm_cost: plain.usage?.completion_tokens,
    });

    const stream = await openai.completions.create({
      model: MODEL,
      prompt: "Once upon a time",
      max_tokens: 8,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let last: Record<string, unknown> | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      last = chunk as unknown as Record<string, unknown>;
    }
    const streamedX = last?.x_tirami as { trade_id: string; trm_cost: number };
    expect(text).toBe(plain.choices[0]?.text); // greedy: the same text either way
    expect(streamedX.trm_cost).toBe((last?.usage as { completion_tokens: number }).completion_tokens);
    expect(streamedX.trade_id).not.toBe(plainX.trade_id);

    const trades = [plainX.trade_id, streamedX.trade_id];
    await waitFor("both completion trades on all three ledgers", () =>
      [provider, alice, bob].every((t) => trades.every((id) => t.node.ledger.getTrade(id) !== undefined)),
    );
    expect(money(bob, bob.node.account)).toMatchObject({
      balance_trm: before - plainX.trm_cost - streamedX.trm_cost,
      reserved_trm: 0,
    });
    for (const t of [provider, alice, bob]) expect(t.node.ledger.verify().ok).toBe(true);
  });

  it("streams exactly the provider's own answer: coalesced token chunks lose, add and reorder nothing", async () => {
    const streamed = async (t: TestNode, url: string): Promise<string> => {
      let text = "";
      const stream = await client(t, url).chat.completions.create({ ...ask, max_tokens: 96, stream: true });
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      return text;
    };
    const local = await streamed(provider, providerUrl);
    expect(local.length).toBeGreaterThan(0);
    expect(await streamed(alice, aliceUrl)).toBe(local);
  });

  it("lists the mesh's models in GET /v1/models of a node without a model", async () => {
    const models = await client(alice, aliceUrl).models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
  });

  it("feeds the live supply and demand into the ledger's pricing", async () => {
    await meshOf(alice).publishOffer();
    await waitFor(
      "alice's pricing to see the provider",
      () => alice.node.ledger.pricing.snapshot().supply >= 1,
      { timeoutMs: 5_000 },
    );
    expect(alice.node.ledger.pricing.snapshot().observations_total).toBeGreaterThan(0);
  });

  it("counts a purchase through the node once in the demand its pricing sees (its own in-flight entry is not a local generation)", async () => {
    const seen: unknown[] = [];
    const result = await meshOf(alice).buy({
      spender: "operator",
      modelId: MODEL,
      input: { prompt: "Once upon a time" },
      sampling: { maxTokens: 12, temperature: 0 },
      preference: "balanced",
      requestId: "node-demand-once",
      onText: () => seen.push(meshOf(alice).demand()),
    });
    expect(result.tradeId).not.toBeNull();
    expect(seen.length).toBeGreaterThan(0);
    for (const demand of seen) expect(demand).toEqual({ serving: 0, buying: 1, local: 0 });
    expect(meshOf(alice).demand()).toEqual({ serving: 0, buying: 0, local: 0 });
  });

  it("exports the mesh to Prometheus: tokens served to the mesh, requests served and bought, peers, offers", async () => {
    const before = await provider.node.http.metrics.registry.getSingleMetricAsString("tirami_tokens_total");
    const answer = await client(alice, aliceUrl).chat.completions.create(ask);
    const served = answer.usage?.completion_tokens ?? 0;
    expect(served).toBeGreaterThan(0);
    const scrape = async (t: TestNode) => {
      const response = await fetch(`${t === provider ? providerUrl : aliceUrl}/metrics`);
      return response.text();
    };
    const value = (text: string, series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const previous = value(before, 'tirami_tokens_total{kind="completion",spender_kind="mesh"}') ?? 0;
    const atProvider = await scrape(provider);
    expect(value(atProvider, 'tirami_tokens_total{kind="completion",spender_kind="mesh"}')).toBe(
      previous + served,
    );
    expect(value(atProvider, 'tirami_mesh_requests_total{role="served",outcome="ok"}')).toBeGreaterThan(0);
    expect(value(atProvider, "tirami_mesh_peers_connected")).toBeGreaterThanOrEqual(2);
    const atAlice = await scrape(alice);
    expect(value(atAlice, 'tirami_mesh_requests_total{role="bought",outcome="ok"}')).toBeGreaterThan(0);
    expect(value(atAlice, 'tirami_mesh_offers{kind="providers"}')).toBe(1);
  });

  it("404s a model nobody serves", async () => {
    const error = await apiError(
      client(alice, aliceUrl).chat.completions.create({ ...ask, model: "no-such-model" }),
    );
    expect(error.status).toBe(404);
  });
});

describe("safety through the mesh", () => {
  it("denies with the kill switch on (403) before any request leaves the node", async () => {
    const servedBefore = meshOf(provider).network().served as { requests: number };
    alice.node.safety.activateKill("test", "operator");
    try {
      const error = await apiError(client(alice, aliceUrl).chat.completions.create(ask));
      expect(error.status).toBe(403);
      expect(error.code).toBe("KILL_SWITCH_ACTIVE");
    } finally {
      alice.node.safety.resume("operator");
    }
    expect((meshOf(provider).network().served as { requests: number }).requests).toBe(servedBefore.requests);
    expect(alice.node.ledger.listHolds(alice.node.account)).toEqual([]);
  });

  it("enforces an agent's budget and the approval threshold on remote purchases", async () => {
    const { token: botToken } = alice.node.agents.create("bot");
    alice.node.safety.setPolicy("bot", { hourly_max_trm: 5 } as never);
    const budget = await apiError(client(alice, aliceUrl, botToken).chat.completions.create(ask));
    expect(budget.status).toBe(403);
    expect(budget.code).toBe("HOURLY_LIMIT_EXCEEDED");

    const { token: carefulToken } = alice.node.agents.create("careful");
    alice.node.safety.setPolicy("careful", { approval_threshold_trm: 10 } as never);
    const body = { ...ask, x_tirami: { request_id: "careful-req-1" } };
    const pending = await apiError(
      client(alice, aliceUrl, carefulToken).chat.completions.create(body as typeof ask),
    );
    expect(pending.status).toBe(403);
    expect(pending.code).toBe("APPROVAL_REQUIRED");
    const approvalId = (pending.error as { details?: { approval_id?: string } }).details
      ?.approval_id as string;
    expect(typeof approvalId).toBe("string");
    alice.node.safety.approve(approvalId, "operator");
    const approved = await client(alice, aliceUrl, carefulToken).chat.completions.create({
      ...ask,
      x_tirami: { request_id: "careful-req-1", approval_id: approvalId },
    } as typeof ask);
    expect((approved as unknown as { x_tirami: { trade_id: string } }).x_tirami.trade_id).toSatisfy(
      isTradeId,
    );
  });
});

describe("failures move no money", () => {
  let ghost: MeshHost;
  beforeAll(async () => {
    // A provider that offers a model, streams three chunks and dies.
    const seed = generateSeed();
    const signer = createSigner(seed);
    ghost = await createMeshHost({ seed });
    await ghost.start();
    await ghost.handle(INFER_PROTOCOL_ID, async (stream) => {
      const frames = stream[Symbol.asyncIterator]();
      const request = decodeMessage((await frames.next()).value as Uint8Array, ["infer_request"]);
      for (let index = 0; index < 3; index++) {
        await stream.send(
          encodeMessage({
            kind: "token_chunk",
            request_id: request.request_id,
            index,
            text: ` word${index}`,
          }),
        );
      }
      setTimeout(() => void ghost.stop(), 10); // killed mid-stream
      await new Promise(() => undefined);
    });
    await announceTo(alice, ghost, signer, { model_id: "ghost-model", price_trm_per_token: 1 });
  }, 20_000);
  afterAll(async () => {
    await ghost?.stop();
  });

  it("a provider killed mid-stream: the consumer gets an error, nothing is charged, the hold is released", async () => {
    const before = money(alice, alice.node.account);
    const trades = alice.node.ledger.tradeCount();
    const stream = await client(alice, aliceUrl)
      .chat.completions.create({ ...ask, model: "ghost-model", stream: true })
      .catch((error: unknown) => error);
    let failed = stream instanceof Error;
    if (!failed) {
      try {
        for await (const chunk of stream as AsyncIterable<{
          choices: Array<{ delta?: { content?: string } }>;
        }>)
          void chunk;
      } catch {
        failed = true;
      }
    }
    expect(failed).toBe(true);
    await waitFor(
      "alice's hold to be released",
      () => alice.node.ledger.listHolds(alice.node.account).length === 0,
    );
    expect(alice.node.ledger.tradeCount()).toBe(trades);
    expect(money(alice, alice.node.account)).toEqual(before);
  });

  it("a consumer that never answers the proposal: no money moves, the provider refuses it until settled", async () => {
    const evil = await createMeshHost({ seed: generateSeed() });
    await evil.start();
    try {
      const request = (requestId: string) =>
        encodeMessage({
          kind: "infer_request",
          request_id: requestId,
          consumer: evil.account,
          model_id: MODEL,
          messages: [{ role: "user", content: "Once upon a time" }],
          max_tokens: 8,
          temperature: 0,
          top_p: 1,
          top_k: 0,
          seed: 1,
          stop: [],
          price_trm_per_token: 1,
          timestamp_ms: Date.now(),
        });
      const trades = provider.node.ledger.tradeCount();
      const stream = await evil.request(meshOf(provider).host.multiaddrs()[0] as string, INFER_PROTOCOL_ID);
      await stream.send(request("evil-1"));
      let proposal: TradeProposal | undefined;
      for await (const frame of stream) {
        const message = decodeMessage(frame);
        if (message.kind === "trade_proposal") {
          proposal = message;
          break;
        }
      }
      expect(proposal?.trade.consumer).toBe(evil.account);
      stream.abort(); // walks away without signing
      await waitFor(
        "the provider to mark it unsettled",
        () =>
          meshOf(provider)
            .unsettled()
            .some((u) => u.consumer === evil.account),
        { timeoutMs: 15_000 },
      );
      expect(provider.node.ledger.tradeCount()).toBe(trades);
      expect(provider.node.ledger.listHolds(evil.account)).toEqual([]);
      expect(money(provider, evil.account).balance_trm).toBe(1_000);
      // The next request is refused with the reason.
      const again = await evil.request(meshOf(provider).host.multiaddrs()[0] as string, INFER_PROTOCOL_ID);
      await again.send(request("evil-2"));
      const first = await again[Symbol.asyncIterator]().next();
      const refusal = decodeMessage(first.value as Uint8Array);
      expect(refusal).toMatchObject({ kind: "infer_error", code: "DENIED" });
      expect((refusal as { message: string }).message).toContain("UNSETTLED_TRADE");
      again.abort();
      // The operator sees it and can forgive it; then it is served again.
      const auth = { authorization: `Bearer ${provider.token}` };
      const listed = (await (
        await fetch(`${providerUrl}/v1/tirami/mesh/unsettled`, { headers: auth })
      ).json()) as {
        unsettled: Array<{ consumer: string }>;
      };
      expect(listed.unsettled.map((u) => u.consumer)).toContain(evil.account);
      const forgive = await fetch(`${providerUrl}/v1/tirami/mesh/unsettled/${evil.account}/forgive`, {
        method: "POST",
        headers: auth,
      });
      expect(await forgive.json()).toEqual({ account: evil.account, forgiven: true });
      const third = await evil.request(meshOf(provider).host.multiaddrs()[0] as string, INFER_PROTOCOL_ID);
      await third.send(request("evil-3"));
      const served = decodeMessage((await third[Symbol.asyncIterator]().next()).value as Uint8Array);
      expect(served.kind).not.toBe("infer_error");
      third.abort();
    } finally {
      await evil.stop();
    }
  });

  it("a consumer that rejects with a reason: hold released, no trade, not blocked", async () => {
    const picky = await createMeshHost({ seed: generateSeed() });
    await picky.start();
    try {
      const trades = provider.node.ledger.tradeCount();
      const stream = await picky.request(meshOf(provider).host.multiaddrs()[0] as string, INFER_PROTOCOL_ID);
      await stream.send(
        encodeMessage({
          kind: "infer_request",
          request_id: "picky-1",
          consumer: picky.account,
          model_id: MODEL,
          prompt: "Once upon a time",
          max_tokens: 8,
          temperature: 0,
          top_p: 1,
          top_k: 0,
          seed: 1,
          stop: [],
          price_trm_per_token: 1,
          timestamp_ms: Date.now(),
        }),
      );
      const frames = stream[Symbol.asyncIterator]();
      for (;;) {
        const next = await frames.next();
        const message = decodeMessage(next.value as Uint8Array);
        if (message.kind === "trade_proposal") {
          await stream.send(
            encodeMessage({
              kind: "trade_reject",
              trade_id: computeTradeId(message.trade),
              reason: "AMOUNT_MISMATCH",
              message: "test",
            }),
          );
          await stream.close();
          break;
        }
      }
      await waitFor(
        "the provider to take the rejection",
        () =>
          (meshOf(provider).network().served as { rejected_by_consumer: number }).rejected_by_consumer >= 1,
      );
      expect(provider.node.ledger.tradeCount()).toBe(trades);
      expect(provider.node.ledger.listHolds(picky.account)).toEqual([]);
      expect(
        meshOf(provider)
          .unsettled()
          .some((u) => u.consumer === picky.account),
      ).toBe(false);
    } finally {
      await picky.stop();
    }
  });

  it("the provider refuses zero-history consumers beyond its cap: 402 with the reason", async () => {
    // Admitted so far: alice, bob, the silent and the picky consumer (cap 4). A fifth is refused.
    // Carol joins through alice only: the provider's offer reaches her relayed, and she dials the
    // provider through the multiaddrs in that offer.
    const { t: carol, url } = await meshNode({ bootstrap: [meshOf(alice).host.multiaddrs()[0] as string] });
    await waitFor("the relayed offer at carol", () => meshOf(carol).route(MODEL, "balanced").length > 0, {
      timeoutMs: 15_000,
    });
    expect(meshOf(carol).host.connectedAccounts()).not.toContain(provider.node.account);
    const error = await apiError(client(carol, url).chat.completions.create(ask));
    expect(error.status).toBe(402);
    expect(error.code).toBe("PROVIDER_REFUSED_CREDIT");
    expect(error.message).toContain("zero_history_cap");
    expect(meshOf(carol).host.connectedAccounts()).toContain(provider.node.account);
    expect(carol.node.ledger.listHolds(carol.node.account)).toEqual([]);
    expect(money(carol, carol.node.account).balance_trm).toBe(1_000);
  });
});

describe("the consumer checks the provider's trade before signing", () => {
  type Cheat = "amount" | "tokens" | "price";
  let cheater: MeshHost;
  let cheat: Cheat = "amount";
  const rejections: string[] = [];
  beforeAll(async () => {
    // A provider that streams honestly, then proposes a trade that does not match what it delivered.
    const seed = generateSeed();
    const signer = createSigner(seed);
    cheater = await createMeshHost({ seed });
    await cheater.start();
    await cheater.handle(INFER_PROTOCOL_ID, async (stream) => {
      const frames = stream[Symbol.asyncIterator]();
      const request = decodeMessage((await frames.next()).value as Uint8Array, ["infer_request"]);
      for (let index = 0; index < 4; index++) {
        await stream.send(
          encodeMessage({ kind: "token_chunk", request_id: request.request_id, index, text: ` w${index}` }),
        );
      }
      await stream.send(
        encodeMessage({
          kind: "infer_end",
          request_id: request.request_id,
          prompt_tokens: 5,
          completion_tokens: 4,
          finish_reason: "stop",
        }),
      );
      const price = cheat === "price" ? request.price_trm_per_token * 2 : request.price_trm_per_token;
      const completionTokens = cheat === "tokens" ? 9 : 4;
      const trade = createTrade({
        provider: signer.accountId,
        consumer: request.consumer,
        amount_trm: costTrm(completionTokens, price) + (cheat === "amount" ? 10 : 0),
        prompt_tokens: 5,
        completion_tokens: completionTokens,
        model_id: request.model_id,
        price_trm_per_token: price,
        timestamp_ms: Date.now(),
        request_id: request.request_id,
      });
      await stream.send(
        encodeMessage({ kind: "trade_proposal", trade, provider_signature: signTrade(trade, signer) }),
      );
      const answer = await frames.next();
      if (answer.done !== true) {
        const message = decodeMessage(answer.value, ["trade_accept", "trade_reject"]);
        rejections.push(message.kind === "trade_reject" ? message.reason : "ACCEPTED");
      }
    });
    await announceTo(alice, cheater, signer, { model_id: "cheat-model", price_trm_per_token: 2 });
  }, 20_000);
  afterAll(async () => {
    await cheater?.stop();
  });

  it.each([
    ["amount", "AMOUNT_MISMATCH"],
    ["tokens", "TOKENS_MISMATCH"],
    ["price", "PRICE_MISMATCH"],
  ] as const)(
    "rejects a proposal with a wrong %s (%s): 503 TRADE_REJECTED, nothing moves",
    async (kind, reason) => {
      cheat = kind;
      const before = money(alice, alice.node.account);
      const trades = alice.node.ledger.tradeCount();
      const error = await apiError(
        client(alice, aliceUrl).chat.completions.create({ ...ask, model: "cheat-model" }),
      );
      expect(error.status).toBe(503);
      expect(error.code).toBe("TRADE_REJECTED");
      await waitFor(
        `the cheater to receive ${reason}`,
        () => rejections.length > 0 && rejections[rejections.length - 1] === reason,
      );
      expect(alice.node.ledger.tradeCount()).toBe(trades);
      expect(money(alice, alice.node.account)).toEqual(before);
      expect(alice.node.ledger.listHolds(alice.node.account)).toEqual([]);
    },
  );
});
