/**
 * Proves the Responses API with the official `openai` client (6.49.0) against real nodes serving the real
 * stories260K model, locally and through a consumer buying from a provider over a real two-node mesh:
 * a plain answer with usage and `x_tirami`; a streamed one whose events come in the documented order with
 * increasing sequence numbers and add up to the final response; a function-call round trip (call →
 * `function_call_output` → answer) whose arguments validate; `text.format` json_schema output that
 * validates; a follow-up with `previous_response_id` that carries the conversation; stored responses read
 * back and deleted, visible to their principal only; and a purchase that is paid with a trade.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateJson } from "@tirami/core";
import { FIXTURE_MODEL, type RunningTestNode, startLocalAndMesh } from "../../test/local-and-mesh.js";

const MODEL = FIXTURE_MODEL;
let local: RunningTestNode;
let consumer: RunningTestNode;

const clientOf = (n: RunningTestNode, token = n.t.token) =>
  new OpenAI({ apiKey: token, baseURL: `${n.url}/v1`, maxRetries: 0 });

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
const tools = [
  {
    type: "function" as const,
    name: "get_weather",
    description: "Weather",
    parameters: weather,
    strict: true,
  },
];

describe.each([
  ["a local model", () => local, false],
  ["a purchase from the mesh", () => consumer, true],
])("the Responses API on %s", (_where, target, bought) => {
  it("answers plain text with usage and x_tirami, stored and readable", async () => {
    const client = clientOf(target());
    const response = await client.responses.create({
      model: MODEL,
      input: "Once upon a time",
      instructions: "Tell a story.",
      max_output_tokens: 16,
      temperature: 0,
    });
    expect(response.object).toBe("response");
    expect(response.id).toMatch(/^resp_/);
    expect(["completed", "incomplete"]).toContain(response.status);
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
    const extra = (response as unknown as { x_tirami: { trade_id: string | null } }).x_tirami;
    expect(extra.trade_id !== null).toBe(bought);
    expect(await client.responses.retrieve(response.id)).toMatchObject({
      id: response.id,
      output: response.output,
    });
  });

  it("streams the documented events in order; they add up to the final response", async () => {
    const stream = await clientOf(target()).responses.create({
      model: MODEL,
      input: [{ role: "user", content: "Once upon a time" }],
      max_output_tokens: 24,
      temperature: 0,
      stream: true,
    });
    const types: string[] = [];
    const sequence: number[] = [];
    let deltas = "";
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === "response.output_text.delta") deltas += event.delta;
      if (event.type === "response.completed" || event.type === "response.incomplete") final = event.response;
    }
    const distinct = types.filter((type, i) => type !== types[i - 1]);
    expect(distinct.slice(0, 5)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
    ]);
    expect(distinct.slice(5, 8)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
    ]);
    expect(["response.completed", "response.incomplete"]).toContain(distinct[8]);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(final?.output_text ?? (final?.output[0] as { content: { text: string }[] }).content[0]?.text).toBe(
      deltas,
    );
  });

  it("a function call round trip", async () => {
    const client = clientOf(target());
    const first = await client.responses.create({
      model: MODEL,
      input: "What is the weather in Paris?",
      tools,
      tool_choice: "required",
      parallel_tool_calls: false,
      max_output_tokens: 200,
      temperature: 0,
    });
    const call = first.output[0];
    if (call?.type !== "function_call") throw new Error(`expected a function call, got ${call?.type}`);
    expect(call.name).toBe("get_weather");
    expect(validateJson(JSON.parse(call.arguments), weather)).toBeNull();
    const second = await client.responses.create({
      model: MODEL,
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "18 degrees" }],
      tools,
      tool_choice: "none",
      max_output_tokens: 16,
      temperature: 0,
    });
    expect(second.output[0]?.type).toBe("message");
    expect(second.previous_response_id).toBe(first.id);
  });

  it("text.format json_schema output validates, streamed function calls arrive as events", async () => {
    const client = clientOf(target());
    const person = {
      type: "object",
      properties: { name: { type: "string", maxLength: 12 }, age: { type: "integer" } },
      required: ["name", "age"],
      additionalProperties: false,
    };
    const json = await client.responses.create({
      model: MODEL,
      input: "Who is Lily?",
      text: { format: { type: "json_schema", name: "person", schema: person, strict: true } },
      max_output_tokens: 100,
      temperature: 0,
    });
    expect(validateJson(JSON.parse(json.output_text), person)).toBeNull();
    const stream = client.responses.stream({
      model: MODEL,
      input: "Weather in Oslo?",
      tools,
      tool_choice: { type: "function", name: "get_weather" },
      parallel_tool_calls: false,
      max_output_tokens: 300,
      temperature: 0,
    });
    const final = await stream.finalResponse();
    const calls = final.output.filter((item) => item.type === "function_call");
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls)
      if (call.type === "function_call") expect(validateJson(JSON.parse(call.arguments), weather)).toBeNull();
  });
});

describe("stored responses", () => {
  it("a follow-up continues the conversation; GET, DELETE and other principals", async () => {
    const client = clientOf(local);
    const first = await client.responses.create({
      model: MODEL,
      input: "Lily had a dog.",
      max_output_tokens: 8,
      temperature: 0,
    });
    const followUp = await client.responses.create({
      model: MODEL,
      previous_response_id: first.id,
      input: "What did Lily have?",
      max_output_tokens: 8,
      temperature: 0,
    });
    expect(followUp.previous_response_id).toBe(first.id);
    // The follow-up's prompt holds the first turn: more input tokens than the question alone.
    const alone = await client.responses.create({
      model: MODEL,
      input: "What did Lily have?",
      max_output_tokens: 8,
      store: false,
      temperature: 0,
    });
    expect(followUp.usage?.input_tokens).toBeGreaterThan(
      (alone.usage?.input_tokens ?? 0) + (first.usage?.output_tokens ?? 0),
    );
    await expect(client.responses.retrieve(alone.id)).rejects.toMatchObject({ status: 404 });

    const created = await fetch(`${local.url}/v1/tirami/agents`, {
      method: "POST",
      headers: { ...local.t.auth(), "content-type": "application/json" },
      body: JSON.stringify({ name: "reader" }),
    });
    const agent = clientOf(local, ((await created.json()) as { token: string }).token);
    await expect(agent.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
    await expect(
      agent.responses.create({
        model: MODEL,
        previous_response_id: first.id,
        input: "Hi",
        max_output_tokens: 4,
      }),
    ).rejects.toMatchObject({ status: 404 });

    await client.responses.delete(first.id);
    await expect(client.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
  });
});
