/**
 * Proves a mesh purchase of embeddings through the official `openai` client: a consumer node without a
 * model, asked for stories260K, buys the embeddings from a provider node serving it (full nodes over
 * libp2p on 127.0.0.1). The vectors equal the provider's own answer to the same request (base64 and
 * float alike), the response carries the trade (`x_tirami.trm_cost = ceil(input tokens × price)`,
 * `trade_id`), the dual-signed trade (0 completion tokens) is on both ledgers, and `dimensions` is refused
 * on a purchase before anything is paid; a node without a model needs the model named.
 */
import OpenAI from "openai";
import { costTrm } from "@tirami/core";
import { waitFor } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
const started: TestNode[] = [];
let provider: TestNode, consumer: TestNode;
let providerClient: OpenAI, consumerClient: OpenAI;

beforeAll(async () => {
  provider = await createTestNode({ model: true, flags: { p2p_port: 0, offer_interval_ms: 1_000 } });
  started.push(provider);
  const providerUrl = (await provider.node.start()).url;
  const addr = provider.node.mesh?.host.multiaddrs()[0] as string;
  consumer = await createTestNode({ flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [addr] } });
  started.push(consumer);
  const consumerUrl = (await consumer.node.start()).url;
  providerClient = new OpenAI({ apiKey: provider.token, baseURL: `${providerUrl}/v1`, maxRetries: 0 });
  consumerClient = new OpenAI({ apiKey: consumer.token, baseURL: `${consumerUrl}/v1`, maxRetries: 0 });
  await waitFor(
    "the provider's offer at the consumer",
    () => consumer.node.mesh?.servesRemotely(MODEL) === true,
  );
}, 60_000);

afterAll(async () => {
  for (const t of started.reverse()) await t.close();
});

describe("embeddings bought from the mesh", () => {
  it("returns the provider's vectors, paid per input token by a dual-signed trade", async () => {
    const input = ["Once upon a time", "The cat sat on the mat."];
    const own = await providerClient.embeddings.create({ model: MODEL, input });
    const bought = await consumerClient.embeddings.create({ model: MODEL, input });
    expect(bought.data.map((item) => item.embedding)).toEqual(own.data.map((item) => item.embedding));
    const floats = await consumerClient.embeddings.create({ model: MODEL, input, encoding_format: "float" });
    expect(floats.data[0]?.embedding.map((value) => Math.fround(value))).toEqual(own.data[0]?.embedding);
    expect(bought.usage.prompt_tokens).toBe(own.usage.prompt_tokens);
    const x = (bought as unknown as { x_tirami: { trm_cost: number; trade_id: string; provider: string } })
      .x_tirami;
    expect(x.provider).toBe(provider.node.account);
    expect(x.trm_cost).toBe(costTrm(bought.usage.prompt_tokens, 1)); // the test nodes quote 1 TRM/token
    await waitFor("the trade at the provider", () => provider.node.ledger.getTrade(x.trade_id) !== undefined);
    const trade = consumer.node.ledger.getTrade(x.trade_id)?.trade;
    expect(trade).toMatchObject({
      prompt_tokens: bought.usage.prompt_tokens,
      completion_tokens: 0,
      amount_trm: x.trm_cost,
      consumer: consumer.node.account,
      provider: provider.node.account,
    });
  });

  it("needs a model named where the node serves none, and refuses dimensions on a purchase before paying", async () => {
    await expect(
      consumerClient.embeddings.create({ input: "x" } as unknown as Parameters<
        typeof consumerClient.embeddings.create
      >[0]),
    ).rejects.toMatchObject({ status: 400, param: "model" });
    const trades = consumer.node.ledger.tradeCount();
    await expect(
      consumerClient.embeddings.create({ model: MODEL, input: "x", dimensions: 64 }),
    ).rejects.toMatchObject({
      status: 400,
      param: "dimensions",
    });
    expect(consumer.node.ledger.tradeCount()).toBe(trades);
  });
});
