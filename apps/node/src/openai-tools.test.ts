/**
 * Proves tool calls and structured output with the official `openai` client (6.49.0) against real nodes
 * serving the real stories260K model: on a local model and through a consumer node buying from a
 * provider over a real two-node mesh. Output is grammar-constrained, so even this tiny model makes valid
 * calls: a tool-call round trip (call → tool result → final answer), streamed and not, with `required`,
 * a named function, `auto` and `none`, `parallel_tool_calls: false`; streamed `tool_calls` deltas as
 * OpenAI shapes them (index, id, type, name, then argument pieces) and `finish_reason: "tool_calls"`;
 * `json_schema` answers that validate; `model` may be left out when the node serves one model; and
 * requests the node cannot enforce are refused with 400.
 */
import OpenAI from "openai";
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JsonSchema, validateJson } from "@tirami/core";
import { FIXTURE_MODEL, type RunningTestNode, startLocalAndMesh } from "../test/local-and-mesh.js";

const MODEL = FIXTURE_MODEL;
let local: RunningTestNode;
let consumer: RunningTestNode;

const weatherParameters = {
  type: "object",
  properties: {
    city: { type: "string", maxLength: 20 },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
} as const;
const tools: ChatCompletionTool[] = [
  {
    type: "function",
    function: { name: "get_weather", description: "Weather in a city", parameters: weatherParameters },
  },
  {
    type: "function",
    function: {
      name: "get_time",
      parameters: { type: "object", properties: { zone: { enum: ["utc", "local"] } }, required: ["zone"] },
    },
  },
];
const parametersOf = (name: string): JsonSchema => {
  const tool = tools.find((t) => t.type === "function" && t.function.name === name);
  return (tool?.type === "function" ? tool.function.parameters : undefined) as JsonSchema;
};
const person = {
  type: "object",
  properties: { name: { type: "string", maxLength: 16 }, age: { type: "integer" } },
  required: ["name", "age"],
  additionalProperties: false,
} as const;

const clientOf = (n: RunningTestNode) =>
  new OpenAI({ apiKey: n.t.token, baseURL: `${n.url}/v1`, maxRetries: 0 });

let fixture: Awaited<ReturnType<typeof startLocalAndMesh>>;
beforeAll(async () => {
  fixture = await startLocalAndMesh();
  ({ local, consumer } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

const ask = {
  model: MODEL,
  max_tokens: 900,
  temperature: 0,
  messages: [
    { role: "user", content: "What is the weather in Paris?" },
  ] as OpenAI.ChatCompletionMessageParam[],
};

function expectValidCall(call: { type: string; id: string; function: { name: string; arguments: string } }) {
  expect(call.type).toBe("function");
  expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
  expect(validateJson(JSON.parse(call.function.arguments), parametersOf(call.function.name))).toBeNull();
}

describe.each([
  ["a local model", () => local, false],
  ["a purchase from a provider over the mesh", () => consumer, true],
])("tool calls on %s", (_where, target, bought) => {
  it("round trip: a required call, the tool's result, then a final answer", async () => {
    const client = clientOf(target());
    const first = await client.chat.completions.create({ ...ask, tools, tool_choice: "required" });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const calls = choice?.message.tool_calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) if (call.type === "function") expectValidCall(call);
    const tradeId = (first as unknown as { x_tirami: { trade_id: string | null } }).x_tirami.trade_id;
    expect(tradeId !== null).toBe(bought);

    const final = await client.chat.completions.create({
      ...ask,
      max_tokens: 40,
      tools,
      tool_choice: "none",
      messages: [
        ...ask.messages,
        choice?.message as OpenAI.ChatCompletionMessageParam,
        ...calls.map((call) => ({
          role: "tool" as const,
          tool_call_id: call.id,
          content: "18 degrees, sunny",
        })),
      ],
    });
    expect(["stop", "length"]).toContain(final.choices[0]?.finish_reason);
    expect(final.choices[0]?.message.tool_calls).toBeUndefined();
    expect(final.choices[0]?.message.content?.length).toBeGreaterThan(0);
  });

  it("streams one named call as OpenAI deltas", async () => {
    const stream = await clientOf(target()).chat.completions.create({
      ...ask,
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      stream: true,
    });
    const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (c === undefined) continue;
      expect(c.delta.content ?? "").toBe("");
      deltas.push(...(c.delta.tool_calls ?? []));
      finish = c.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(deltas[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(deltas.every((d) => d.index === 0)).toBe(true);
    expect(deltas.slice(1).every((d) => d.id === undefined && d.function?.name === undefined)).toBe(true);
    const args = deltas.map((d) => d.function?.arguments ?? "").join("");
    expectValidCall({
      type: "function",
      id: deltas[0]?.id as string,
      function: { name: "get_weather", arguments: args },
    });
  });

  it("auto answers with valid calls or text; the stream agrees with the accumulated message", async () => {
    const runner = clientOf(target()).chat.completions.stream({
      ...ask,
      tools,
      tool_choice: "auto",
      seed: 3,
      temperature: 1,
    });
    const message = (await runner.finalChatCompletion()).choices[0];
    if (message?.finish_reason === "tool_calls")
      for (const call of message.message.tool_calls ?? [])
        if (call.type === "function") expectValidCall(call);
        else expect(typeof message?.message.content).toBe("string");
  });

  it("json_schema answers parse and validate, streamed and not", async () => {
    const request = {
      ...ask,
      max_tokens: 200,
      response_format: {
        type: "json_schema" as const,
        json_schema: { name: "person", schema: person, strict: true },
      },
    };
    const answer = await clientOf(target()).chat.completions.create(request);
    expect(answer.choices[0]?.finish_reason).toBe("stop");
    expect(validateJson(JSON.parse(answer.choices[0]?.message.content ?? ""), person)).toBeNull();
    const stream = await clientOf(target()).chat.completions.create({
      ...request,
      stream: true,
      temperature: 1,
      seed: 9,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(validateJson(JSON.parse(text), person)).toBeNull();
  });
});

describe("what the node refuses or infers", () => {
  it("refuses what it cannot enforce with 400", async () => {
    const client = clientOf(local);
    const cases: Partial<ChatCompletionCreateParamsNonStreaming>[] = [
      { tools, tool_choice: { type: "function", function: { name: "nope" } } },
      { tool_choice: "required" },
      { tools, stop: ["\n"] },
      {
        response_format: {
          type: "json_schema",
          json_schema: { name: "x", schema: { type: "string", pattern: "^a" } },
        },
      },
      { tools, response_format: { type: "json_object" } },
    ];
    for (const extra of cases) {
      const error = await client.chat.completions.create({ ...ask, ...extra }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    }
  });

  it("answers without `model` when the node serves exactly one", async () => {
    for (const n of [local, consumer]) {
      const response = await fetch(`${n.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${n.t.token}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }], max_tokens: 4 }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { model: string }).model).toBe(MODEL);
    }
  });
});
