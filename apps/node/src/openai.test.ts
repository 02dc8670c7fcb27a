/**
 * Proves OpenAI compatibility on a real socket with the official `openai` client (6.49.0) against a real
 * node serving the real stories260K model (1 thread, explicit `general` chat format, loaded once for the
 * file): model list, non-streaming and streaming chat (with `include_usage` and `x_tirami` on the last
 * chunk), text completions, deterministic greedy output, OpenAI error objects for bad requests, agent
 * tokens with usage attributed per agent, and a graceful stop that aborts an in-flight stream.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
let t: TestNode;
let url: string;
let client: OpenAI;

beforeAll(async () => {
  t = await createTestNode({ model: true, flags: { shutdown_grace_ms: 0, parallelism: 1, queue_max: 0 } });
  url = (await t.node.start()).url;
  client = new OpenAI({ apiKey: t.token, baseURL: `${url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await t?.close();
});

const greedy = {
  model: MODEL,
  temperature: 0,
  max_tokens: 24,
  messages: [{ role: "user" as const, content: "Once upon a time" }],
};

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected an API error");
}

describe("OpenAI client against a real node", () => {
  it("lists the loaded model and reports ready", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    expect(await client.models.retrieve(MODEL)).toMatchObject({
      id: MODEL,
      object: "model",
      owned_by: "tirami",
    });
    const missing = await apiError(client.models.retrieve("gpt-4o"));
    expect([missing.status, missing.code]).toEqual([404, "MODEL_NOT_FOUND"]);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it("answers a non-streaming chat with exact usage and x_tirami, deterministically when greedy", async () => {
    const first = await client.chat.completions.create(greedy);
    const second = await client.chat.completions.create(greedy);
    const content = first.choices[0]?.message.content ?? "";
    expect(content.length).toBeGreaterThan(0);
    expect(second.choices[0]?.message.content).toBe(content);
    expect(first.object).toBe("chat.completion");
    expect(first.usage?.completion_tokens).toBeGreaterThan(0);
    expect(first.usage?.completion_tokens).toBeLessThanOrEqual(24);
    expect(first.usage?.total_tokens).toBe(
      (first.usage?.prompt_tokens ?? 0) + (first.usage?.completion_tokens ?? 0),
    );
    const extra = (first as unknown as { x_tirami: Record<string, unknown> }).x_tirami;
    expect(extra).toEqual({
      trm_cost: 0,
      effective_balance: 1_000,
      trade_id: null,
      provider: t.node.account,
    });
  });

  it("streams chat chunks, a usage chunk and x_tirami on the final chunk; the text equals the non-streamed one", async () => {
    const expected = (await client.chat.completions.create(greedy)).choices[0]?.message.content;
    const stream = await client.chat.completions.create({
      ...greedy,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe(expected);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toMatch(/^(stop|length)$/);
    const last = chunks.at(-1) as unknown as {
      choices: unknown[];
      usage: { completion_tokens: number };
      x_tirami: { trm_cost: number; provider: string };
    };
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBeGreaterThan(0);
    expect(last.x_tirami).toMatchObject({ trm_cost: 0, provider: t.node.account });
  });

  it("serves /v1/completions, streaming and not", async () => {
    const request = { model: MODEL, prompt: "The little dog", max_tokens: 16, temperature: 0 };
    const completion = await client.completions.create(request);
    expect(completion.object).toBe("text_completion");
    const text = completion.choices[0]?.text ?? "";
    expect(text.length).toBeGreaterThan(0);
    let streamed = "";
    for await (const chunk of await client.completions.create({ ...request, stream: true }))
      streamed += chunk.choices[0]?.text ?? "";
    expect(streamed).toBe(text);
  });

  it("returns OpenAI error objects the client understands, and moves no TRM", async () => {
    const before = { trades: t.node.ledger.tradeCount(), balance: t.node.ledger.balance(t.node.account) };
    const unknown = await apiError(client.chat.completions.create({ ...greedy, model: "gpt-4o" }));
    expect([unknown.status, unknown.code, unknown.param]).toEqual([404, "MODEL_NOT_FOUND", "model"]);
    const n = await apiError(client.chat.completions.create({ ...greedy, n: 2 }));
    expect([n.status, n.code]).toEqual([400, "INVALID_REQUEST"]);
    const empty = await apiError(client.chat.completions.create({ ...greedy, messages: [] }));
    expect([empty.status, empty.code, empty.param]).toEqual([400, "INVALID_REQUEST", "messages"]);
    const absurd = await apiError(client.chat.completions.create({ ...greedy, max_tokens: 10_000_000 }));
    expect([absurd.status, absurd.param]).toEqual([400, "max_tokens"]);
    const topP = await apiError(client.chat.completions.create({ ...greedy, top_p: 0 }));
    expect(topP.status).toBe(400);
    const badAuth = await apiError(
      new OpenAI({ apiKey: "nope", baseURL: `${url}/v1`, maxRetries: 0 }).models.list(),
    );
    expect([badAuth.status, badAuth.code]).toEqual([401, "INVALID_TOKEN"]);
    expect({ trades: t.node.ledger.tradeCount(), balance: t.node.ledger.balance(t.node.account) }).toEqual(
      before,
    );
  });

  it("serves an agent with its own token and attributes its usage to it", async () => {
    const created = await fetch(`${url}/v1/tirami/agents`, {
      method: "POST",
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ name: "story-bot" }),
    });
    const { token } = (await created.json()) as { token: string };
    const agent = new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
    const answer = await agent.chat.completions.create(greedy);
    const view = (await (
      await fetch(`${url}/v1/tirami/agents/story-bot`, { headers: t.auth(token) })
    ).json()) as { usage: Record<string, number> };
    expect(view.usage).toMatchObject({
      requests: 1,
      prompt_tokens: answer.usage?.prompt_tokens,
      completion_tokens: answer.usage?.completion_tokens,
      spent_trm: 0,
    });
    await fetch(`${url}/v1/tirami/agents/story-bot/freeze`, { method: "POST", headers: t.auth() });
    const frozen = await apiError(agent.chat.completions.create(greedy));
    expect([frozen.status, frozen.code]).toEqual([403, "AGENT_FROZEN"]);
    await fetch(`${url}/v1/tirami/agents/story-bot`, { method: "DELETE", headers: t.auth() });
    const revoked = await apiError(agent.models.list());
    expect([revoked.status, revoked.code]).toEqual([401, "AGENT_REVOKED"]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/tirami_tokens_total\{kind="completion",spender_kind="agent"\} [1-9]/);
    expect(metrics).toContain("tirami_time_to_first_token_seconds_count");
  });

  it("answers 503 ENGINE_BUSY with Retry-After (not a broken stream) while the only sequence is generating", async () => {
    const abort = new AbortController();
    const busy = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      signal: abort.signal,
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ ...greedy, max_tokens: 480, stream: true }),
    });
    const reader = busy.body!.getReader();
    await reader.read();
    try {
      const refused = await apiError(client.chat.completions.create(greedy));
      expect([refused.status, refused.code]).toEqual([503, "ENGINE_BUSY"]);
      expect(Number(refused.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const streamed = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { ...t.auth(), "content-type": "application/json" },
        body: JSON.stringify({ ...greedy, stream: true }),
      });
      expect(streamed.status).toBe(503);
      expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("ENGINE_BUSY");
    } finally {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
    await expect.poll(() => t.node.engine?.stats().active, { timeout: 10_000 }).toBe(0);
  });

  it("survives a client that disconnects mid-stream, metering what was generated", async () => {
    const before = (
      (await (await fetch(`${url}/v1/tirami/balance`, { headers: t.auth() })).json()) as {
        usage: { requests: number };
      }
    ).usage.requests;
    const abort = new AbortController();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      signal: abort.signal,
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ ...greedy, max_tokens: 400, stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await expect
      .poll(() => t.node.http.metrics.registry.getSingleMetricAsString("tirami_generations_in_flight"), {
        timeout: 10_000,
      })
      .toContain("tirami_generations_in_flight 0");
    const after = (
      (await (await fetch(`${url}/v1/tirami/balance`, { headers: t.auth() })).json()) as {
        usage: { requests: number };
      }
    ).usage.requests;
    expect(after).toBe(before + 1);
    expect(
      (await client.chat.completions.create(greedy)).choices[0]?.message.content?.length,
    ).toBeGreaterThan(0);
  });

  it("stops gracefully: refuses new work, aborts the in-flight stream, closes the ledger", async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ ...greedy, max_tokens: 480, stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    await t.node.stop();
    // The stream ends (aborted or finished) instead of hanging, and nothing is left running.
    for (;;) {
      const { done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
    }
    expect(t.node.http.metrics.registry.getSingleMetric("tirami_generations_in_flight")).toBeDefined();
    expect((await t.node.http.app.request("/readyz")).status).toBe(503);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(() => t.node.ledger.tradeCount()).toThrow();
  });
});
