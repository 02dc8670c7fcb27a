/**
 * Proves the Ollama-compatible routes with the official `ollama` client (0.6.4) against real nodes
 * serving the real stories260K model — locally and through a consumer buying from a provider over a real
 * two-node mesh: version, tags and show; chat and generate, streamed (NDJSON) and not, with Ollama's
 * counts and `done_reason`; a tool-call round trip with arguments that validate; `format` as a JSON
 * schema that validates; the node's auth in front of it all; and Ollama-shaped errors.
 */
import { Ollama, type Tool } from "ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateJson } from "@tirami/core";
import { FIXTURE_MODEL, type RunningTestNode, startLocalAndMesh } from "../../test/local-and-mesh.js";

const MODEL = FIXTURE_MODEL;
let local: RunningTestNode;
let consumer: RunningTestNode;

const clientOf = (n: RunningTestNode, token = n.t.token) =>
  new Ollama({ host: n.url, headers: { Authorization: `Bearer ${token}` } });

let fixture: Awaited<ReturnType<typeof startLocalAndMesh>>;
beforeAll(async () => {
  fixture = await startLocalAndMesh();
  ({ local, consumer } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

const weather = {
  type: "object",
  properties: { city: { type: "string", maxLength: 20 }, unit: { enum: ["c", "f"] } },
  required: ["city", "unit"],
  additionalProperties: false,
} as const;
const options = { temperature: 0, num_predict: 16 };

describe("model listing", () => {
  it("version, tags and show", async () => {
    const client = clientOf(local);
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const tags = await client.list();
    expect(tags.models.map((m) => m.name)).toEqual([MODEL]);
    expect(tags.models[0]).toMatchObject({ model: MODEL, details: { format: "gguf", family: "llama" } });
    expect(tags.models[0]?.size).toBeGreaterThan(0);
    const shown = await client.show({ model: MODEL });
    expect(shown.model_info).toMatchObject({ "general.architecture": "llama", "llama.block_count": 5 });
    expect((await clientOf(consumer).list()).models.map((m) => m.name)).toEqual([MODEL]);
  });
});

describe.each([
  ["a local model", () => local, false],
  ["a purchase from the mesh", () => consumer, true],
])("chat and generate on %s", (_where, target, bought) => {
  it("chat, not streamed and streamed, agree", async () => {
    const client = clientOf(target());
    const messages = [{ role: "user", content: "Once upon a time" }];
    const whole = await client.chat({ model: MODEL, messages, options, stream: false });
    expect(whole.done).toBe(true);
    expect(["stop", "length"]).toContain(whole.done_reason);
    expect(whole.message.content.length).toBeGreaterThan(0);
    expect(whole.eval_count).toBeGreaterThan(0);
    expect(whole.prompt_eval_count).toBeGreaterThan(0);
    const trade = (whole as unknown as { x_tirami: { trade_id: string | null } }).x_tirami.trade_id;
    expect(trade !== null).toBe(bought);
    let text = "";
    let last: { done: boolean; eval_count: number } | undefined;
    for await (const part of await client.chat({ model: MODEL, messages, options, stream: true })) {
      text += part.message.content;
      last = part;
    }
    expect(text).toBe(whole.message.content);
    expect(last?.done).toBe(true);
    expect(last?.eval_count).toBe(whole.eval_count);
  });

  it("generate, templated and raw, streamed and not", async () => {
    const client = clientOf(target());
    const whole = await client.generate({ model: MODEL, prompt: "Once upon a time", options, stream: false });
    expect(String(whole.response).length).toBeGreaterThan(0);
    let streamed = "";
    for await (const part of await client.generate({
      model: MODEL,
      prompt: "Once upon a time",
      options,
      stream: true,
    }))
      streamed += part.response;
    expect(streamed).toBe(whole.response);
    const raw = await client.generate({
      model: MODEL,
      prompt: "Once upon a time",
      raw: true,
      options,
      stream: false,
    });
    expect(String(raw.response).startsWith(", there was")).toBe(true);
  });

  it("a tool-call round trip and a JSON-schema format", async () => {
    const client = clientOf(target());
    const parameters = weather as unknown as Tool["function"]["parameters"];
    const tools: Tool[] = [
      { type: "function", function: { name: "get_weather", description: "Weather", parameters } },
    ];
    const messages = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.chat({
      model: MODEL,
      messages,
      tools,
      options: { temperature: 0, num_predict: 900 },
    });
    const calls = first.message.tool_calls ?? [];
    // Greedy on this model, the grammar-constrained answer under `auto` is calls (deterministic).
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.function.name).toBe("get_weather");
      expect(validateJson(call.function.arguments, weather)).toBeNull();
    }
    const final = await client.chat({
      model: MODEL,
      messages: [...messages, first.message, ...calls.map(() => ({ role: "tool", content: "18 degrees" }))],
      tools,
      options: { temperature: 0, num_predict: 900 },
    });
    expect(final.done).toBe(true);
    const json = await client.chat({
      model: MODEL,
      messages,
      format: weather,
      options: { temperature: 0, num_predict: 100 },
    });
    expect(validateJson(JSON.parse(json.message.content), weather)).toBeNull();
  });
});

describe("auth and errors", () => {
  it("needs the node's token and answers Ollama-shaped errors", async () => {
    await expect(clientOf(local, "wrong").list()).rejects.toMatchObject({ status_code: 401 });
    const error = await clientOf(local)
      .chat({ model: MODEL, messages: [{ role: "user", content: "Hi" }], options: { mirostat: 2 } })
      .catch((e: unknown) => e as { status_code: number; error: string });
    expect(error).toMatchObject({ status_code: 400 });
    expect((error as { error: string }).error).toContain("mirostat");
    await expect(clientOf(local).show({ model: "nope" })).rejects.toMatchObject({ status_code: 404 });
  });
});

describe.each([
  ["a local model", () => local],
  ["a purchase from the mesh", () => consumer],
])("embed on %s", (_where, target) => {
  it("one vector per input, unit length, identical for identical input", async () => {
    const client = clientOf(target());
    const result = await client.embed({ model: MODEL, input: ["a red ball", "a red ball", "the cat"] });
    expect(result.embeddings).toHaveLength(3);
    expect(result.embeddings[0]).toEqual(result.embeddings[1]);
    expect(result.embeddings[0]).not.toEqual(result.embeddings[2]);
    const norm = Math.hypot(...result.embeddings[2]!);
    expect(norm).toBeCloseTo(1, 5);
    expect(result.prompt_eval_count).toBeGreaterThan(0);
    const single = await client.embed({ model: MODEL, input: "a red ball" });
    expect(single.embeddings[0]).toEqual(result.embeddings[0]);
  });
});
