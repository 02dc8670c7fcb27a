/**
 * Proves `POST /v1/embeddings` with the official `openai` client (6.49.0) against a real node serving the
 * real stories260K model: identical input gives identical vectors (across calls and inside a batch),
 * batch input keeps its order, the client's default base64 encoding and `encoding_format: "float"` carry
 * the same float32 values, usage counts prompt tokens, self-use costs nothing and is metered for the agent
 * that asked, and unsupported requests are refused with 400 naming the field (`dimensions` other than the
 * model's width, token arrays) or 404 for a model not served here.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
let t: TestNode;
let url: string;
let client: OpenAI;

beforeAll(async () => {
  t = await createTestNode({ model: true });
  url = (await t.node.start()).url;
  client = new OpenAI({ apiKey: t.token, baseURL: `${url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await t?.close();
});

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected an API error");
}

describe("embeddings through the openai client", () => {
  it("gives identical vectors for identical input, in batches and across calls", async () => {
    const one = await client.embeddings.create({ model: MODEL, input: "Once upon a time" });
    expect(one.object).toBe("list");
    expect(one.model).toBe(MODEL);
    expect(one.data).toHaveLength(1);
    const vector = one.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(64);
    expect(one.usage.prompt_tokens).toBeGreaterThan(0);
    expect(one.usage.total_tokens).toBe(one.usage.prompt_tokens);
    expect((one as unknown as { x_tirami: { trm_cost: number; trade_id: null } }).x_tirami).toMatchObject({
      trm_cost: 0,
      trade_id: null,
      provider: t.node.account,
    });

    const again = await client.embeddings.create({ model: MODEL, input: "Once upon a time" });
    expect(again.data[0]?.embedding).toEqual(vector);

    const batch = await client.embeddings.create({
      model: MODEL,
      input: ["Once upon a time", "The cat sat on the mat.", "Once upon a time"],
    });
    expect(batch.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(batch.data[0]?.embedding).toEqual(vector);
    expect(batch.data[2]?.embedding).toEqual(vector);
    expect(batch.data[1]?.embedding).not.toEqual(vector);
    expect(batch.usage.prompt_tokens).toBeGreaterThan(2 * one.usage.prompt_tokens);
  });

  it("sends the same float32 values as JSON floats and as base64", async () => {
    const input = "A little girl named Lily";
    const floats = await client.embeddings.create({ model: MODEL, input, encoding_format: "float" });
    const decoded = await client.embeddings.create({ model: MODEL, input }); // base64, decoded by the client
    const asFloat32 = (floats.data[0]?.embedding ?? []).map((value) => Math.fround(value));
    expect(decoded.data[0]?.embedding).toEqual(asFloat32);
    const norm = Math.sqrt(asFloat32.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it("meters an agent's embeddings as its own free usage", async () => {
    const created = await fetch(`${url}/v1/tirami/agents`, {
      method: "POST",
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ name: "embedder" }),
    });
    const { token } = (await created.json()) as { token: string };
    const agent = new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
    const result = await agent.embeddings.create({ model: MODEL, input: ["one", "two"] });
    const listed = await fetch(`${url}/v1/tirami/agents`, { headers: t.auth() });
    const agents = (await listed.json()) as { agents: { name: string; usage: Record<string, number> }[] };
    const usage = agents.agents.find((entry) => entry.name === "embedder")?.usage;
    expect(usage).toMatchObject({
      prompt_tokens: result.usage.prompt_tokens,
      completion_tokens: 0,
      spent_trm: 0,
    });
  });

  it("refuses what it does not do, naming the field", async () => {
    const shorter = await apiError(client.embeddings.create({ model: MODEL, input: "x", dimensions: 32 }));
    expect(shorter.status).toBe(400);
    expect(shorter.param).toBe("dimensions");
    expect(shorter.message).toContain("64 dimensions");
    const same = await client.embeddings.create({ model: MODEL, input: "x", dimensions: 64 });
    expect(same.data[0]?.embedding).toHaveLength(64);
    const tokens = await apiError(client.embeddings.create({ model: MODEL, input: [[1, 2, 3]] }));
    expect(tokens.status).toBe(400);
    expect(tokens.param).toBe("input");
    const empty = await apiError(client.embeddings.create({ model: MODEL, input: "" }));
    expect(empty.status).toBe(400);
    const elsewhere = await apiError(client.embeddings.create({ model: "no-such-model", input: "x" }));
    expect(elsewhere.status).toBe(404);
  });
});
