/**
 * Proves paid A2A tasks between two real nodes (HTTP on 127.0.0.1, libp2p mesh, real ledgers, the real
 * tiny model on the provider): the provider's public agent card is the A2A SDK's `AgentCard` shape (it
 * survives the SDK's own `fromJSON`/`toJSON` unchanged) with one skill for its model, its JSON-RPC
 * endpoint and the required payment extension naming its account and price; a task the consumer buys
 * through `POST /v1/tirami/agora/a2a/task` runs on the provider and settles as one dual-signed trade that
 * both ledgers hold identically, charged at the quoted price; an intent signed by another key than the
 * consumer it names, or quoting below the provider's price, is refused before the model runs and moves
 * nothing; and an agent whose budget forbids the spend is stopped by the consumer's safety gate.
 */
import { AGENT_CARD_PATH, AgentCard } from "@a2a-js/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigner, generateSeed } from "@tirami/core";
import { A2A_PAYMENT_EXTENSION_URI, signPaymentIntent } from "@tirami/agora";
import { checkSignedTrade } from "@tirami/proto";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
const started: TestNode[] = [];
let provider: TestNode, consumer: TestNode;
let providerUrl: string, consumerUrl: string;

beforeAll(async () => {
  provider = await createTestNode({ model: true, flags: { p2p_port: 0, offer_interval_ms: 1_000 } });
  started.push(provider);
  providerUrl = (await provider.node.start()).url;
  consumer = await createTestNode({
    flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [provider.node.mesh!.host.multiaddrs()[0]!] },
  });
  started.push(consumer);
  consumerUrl = (await consumer.node.start()).url;
}, 90_000);

afterAll(async () => {
  for (const t of started.splice(0).reverse()) await t.close();
});

const task = (body: unknown, token = consumer.token) =>
  fetch(`${consumerUrl}/v1/tirami/agora/a2a/task`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const rpc = async (body: unknown) =>
  (await (
    await fetch(`${providerUrl}/a2a`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    })
  ).json()) as { result?: unknown; error?: { code: number; message: string; data?: { code: string } } };

describe("A2A", () => {
  it("serves an agent card of the SDK's shape, with the model and the payment extension", async () => {
    const response = await fetch(`${providerUrl}/${AGENT_CARD_PATH}`);
    expect(response.status).toBe(200);
    const json = (await response.json()) as Record<string, unknown>;
    const card: AgentCard = AgentCard.fromJSON(json);
    expect(AgentCard.toJSON(card)).toEqual(json);
    expect(card.supportedInterfaces).toEqual([
      { url: `${providerUrl}/a2a`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
    ]);
    expect(card.skills.map((skill) => skill.id)).toEqual([`inference:${MODEL}`]);
    expect(card.capabilities?.extensions).toEqual([
      expect.objectContaining({
        uri: A2A_PAYMENT_EXTENSION_URI,
        required: true,
        params: expect.objectContaining({ account: provider.node.account, prices: { [MODEL]: 1 } }),
      }),
    ]);
  });

  it("runs a paid task that settles as one dual-signed trade on both ledgers", async () => {
    const before = consumer.node.ledger.balance(consumer.node.account).balance_trm;
    const response = await task({ url: providerUrl, prompt: "Once upon a time", max_tokens: 8 });
    const result = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(result)).toBe(200);
    expect(result).toMatchObject({
      provider: provider.node.account,
      model_id: MODEL,
      provider_settled: true,
    });
    expect(typeof result.text).toBe("string");
    const tradeId = result.trade_id as string;
    const atConsumer = consumer.node.ledger.getTrade(tradeId);
    const atProvider = provider.node.ledger.getTrade(tradeId);
    expect(atConsumer).toBeDefined();
    const { applied_ms: _a, ...signedAtConsumer } = atConsumer!;
    const { applied_ms: _b, ...signedAtProvider } = atProvider!;
    expect(signedAtProvider).toEqual(signedAtConsumer);
    expect(checkSignedTrade(signedAtConsumer)).toBeNull();
    expect(signedAtConsumer.trade).toMatchObject({
      provider: provider.node.account,
      consumer: consumer.node.account,
      model_id: MODEL,
      price_trm_per_token: 1,
      amount_trm: result.amount_trm,
    });
    expect(signedAtConsumer.trade.completion_tokens).toBeLessThanOrEqual(8);
    expect(consumer.node.ledger.balance(consumer.node.account).balance_trm).toBe(
      before - (result.amount_trm as number),
    );
  });

  it("refuses a forged or underpriced intent before the model runs", async () => {
    const trades = provider.node.ledger.tradeCount();
    const impostor = createSigner(generateSeed());
    const intent = {
      consumer: consumer.node.account,
      provider: provider.node.account,
      model_id: MODEL,
      price_trm_per_token: 1,
      max_tokens: 4,
      request_id: "a2a-forged-1",
      timestamp_ms: Date.now(),
    };
    const forged = {
      ...signPaymentIntent({ ...intent, consumer: impostor.accountId }, impostor),
      consumer: intent.consumer,
    };
    const message = (payment: unknown) => ({
      jsonrpc: "2.0",
      id: 1,
      method: "SendMessage",
      params: {
        message: {
          messageId: "m-1",
          role: "ROLE_USER",
          parts: [{ text: "Once upon a time" }],
          metadata: { [A2A_PAYMENT_EXTENSION_URI]: payment },
        },
      },
    });
    const refusedForged = await rpc(message(forged));
    expect(refusedForged.error).toMatchObject({ data: { code: "A2A_PAYMENT_INVALID" } });
    expect(refusedForged.error?.message).toMatch(/signature/);
    const cheap = signPaymentIntent(
      { ...intent, consumer: impostor.accountId, price_trm_per_token: 0.5, request_id: "a2a-cheap-1" },
      impostor,
    );
    expect((await rpc(message(cheap))).error?.message).toMatch(/below/);
    expect((await rpc({ jsonrpc: "2.0", id: 2, method: "NoSuchMethod" })).error?.code).toBe(-32_601);
    expect(provider.node.ledger.tradeCount()).toBe(trades);
  });

  it("stops an agent whose budget forbids the task at the consumer's safety gate", async () => {
    const created = await fetch(`${consumerUrl}/v1/tirami/agents`, {
      method: "POST",
      headers: { ...consumer.auth(), "content-type": "application/json" },
      body: JSON.stringify({ name: "frugal", policy: { per_request_max_trm: 1 } }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const trades = consumer.node.ledger.tradeCount();
    const response = await task({ url: providerUrl, prompt: "Once upon a time", max_tokens: 8 }, token);
    expect(response.status).toBe(403);
    expect(consumer.node.ledger.tradeCount()).toBe(trades);
  });
});
