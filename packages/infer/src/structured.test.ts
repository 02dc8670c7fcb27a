/**
 * Proves structured output and tool calls are enforced by grammar on real tiny models (stories260K and
 * the random-weight llama-2-tiny), sampled with several seeds: every json_schema answer that ends by
 * itself parses and validates against its schema, json_object answers are objects, every tool-call
 * answer names a declared function with arguments that validate against its parameters, `required`
 * and a named choice always call, `parallel: false` calls once; the history renderer and the streaming
 * decoder of `{"response": …}` envelopes read back what they are given.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkJsonSchema, validateJson } from "@tirami/core";
import { createEngine, type Engine } from "./engine.js";
import { InvalidGenerationOptionsError } from "./errors.js";
import {
  createResponseTextDecoder,
  parseToolAnswer,
  planToolCalls,
  renderToolHistory,
  type ToolFunction,
} from "./tools.js";
import { LLAMA2_TINY_RANDOM, STORIES_260K } from "../test/models.js";

const SEEDS = [1, 2, 3, 4];
const weather: ToolFunction = {
  name: "get_weather",
  description: "Current weather in a city",
  parameters: {
    type: "object",
    properties: {
      city: { type: "string", maxLength: 24 },
      unit: { type: "string", enum: ["c", "f"] },
      days: { type: "integer" },
    },
    required: ["city", "unit"],
    additionalProperties: false,
  },
};
const time: ToolFunction = {
  name: "get_time",
  parameters: { type: "object", properties: { zone: { enum: ["utc", "local"] } }, required: ["zone"] },
};
const person = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 16 },
    age: { type: "integer" },
    pets: { type: "array", items: { enum: ["cat", "dog"] }, maxItems: 3 },
  },
  required: ["name", "age", "pets"],
  additionalProperties: false,
} as const;
checkJsonSchema(person);

const engines: Engine[] = [];
beforeAll(async () => {
  for (const modelPath of [STORIES_260K, LLAMA2_TINY_RANDOM])
    engines.push(
      await createEngine({
        modelPath,
        threads: 1,
        contextSize: 2048,
        chatWrapper: "llama2",
        flashAttention: false,
      }),
    );
});
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

const messages = [{ role: "user" as const, content: "What is the weather in Paris?" }];

describe.each([0, 1])(
  "model %i",
  (which) => {
    const engine = (): Engine => engines[which] as Engine;

    it("json_schema answers parse and validate", async () => {
      for (const seed of SEEDS) {
        const result = await engine().chat(messages, {
          seed,
          temperature: 1,
          max_tokens: 200,
          format: { type: "json_schema", schema: person },
        });
        expect(result.finish_reason).toBe("stop");
        expect(validateJson(JSON.parse(result.text), person)).toBeNull();
      }
    });

    it("json_object answers are JSON objects", async () => {
      const result = await engine().generate("Once upon a time", {
        temperature: 0,
        max_tokens: 900,
        format: { type: "json_object" },
      });
      if (result.finish_reason === "stop") expect(typeof JSON.parse(result.text)).toBe("object");
      else expect(result.text.startsWith("{")).toBe(true);
    });

    it.each([
      ["required", "required" as const, true],
      ["a named function", { name: "get_time" }, true],
      ["required, one call", "required" as const, false],
    ])("%s always calls, with valid arguments", async (_label, choice, parallel) => {
      const plan = planToolCalls({ tools: [weather, time], choice, parallel });
      if (plan === undefined) throw new Error("a plan was expected");
      for (const seed of SEEDS) {
        const result = await engine().chat(renderToolHistory(messages, plan.instructions), {
          seed,
          temperature: 1,
          max_tokens: 900,
          format: plan.format,
        });
        expect(result.finish_reason).toBe("stop");
        const answer = parseToolAnswer(result.text, plan.format, () => "call_x");
        expect(answer?.kind).toBe("calls");
        if (answer?.kind !== "calls") continue;
        if (!parallel) expect(answer.calls).toHaveLength(1);
        for (const call of answer.calls) {
          const tool = [weather, time].find((t) => t.name === call.name);
          if (typeof choice === "object") expect(call.name).toBe(choice.name);
          expect(validateJson(JSON.parse(call.arguments), tool?.parameters ?? {})).toBeNull();
        }
      }
    });

    it("auto answers either calls or text, both well-formed", async () => {
      const plan = planToolCalls({ tools: [weather], choice: "auto", parallel: true });
      if (plan === undefined) throw new Error("a plan was expected");
      for (const seed of SEEDS) {
        const result = await engine().chat(renderToolHistory(messages, plan.instructions), {
          seed,
          temperature: 1,
          max_tokens: 900,
          format: plan.format,
        });
        if (result.finish_reason !== "stop") continue;
        const answer = parseToolAnswer(result.text, plan.format, () => "call_x");
        expect(answer).not.toBeNull();
        if (answer?.kind === "text") {
          const decoder = createResponseTextDecoder();
          const streamed = [...result.text].map((c) => decoder.push(c)).join("");
          expect(streamed).toBe(answer.text);
        }
      }
    });
  },
  120_000,
);

describe("tool plans", () => {
  it("none is plain text; an undeclared name or a bad schema is refused", () => {
    expect(planToolCalls({ tools: [weather], choice: "none", parallel: true })).toBeUndefined();
    expect(() => planToolCalls({ tools: [weather], choice: { name: "nope" }, parallel: true })).toThrow(
      InvalidGenerationOptionsError,
    );
    const bad = {
      name: "f",
      parameters: { type: "object", properties: { x: { type: "string", pattern: "a" } } },
    };
    expect(() => planToolCalls({ tools: [bad], choice: "auto", parallel: true })).toThrow("pattern");
    expect(() => planToolCalls({ tools: [weather, weather], choice: "auto", parallel: true })).toThrow(
      "twice",
    );
  });

  it("renders calls and results as the envelope and Function result turns", () => {
    const rendered = renderToolHistory(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Oslo","unit":"c"}' }],
        },
        { role: "tool", content: "12 degrees", tool_call_id: "call_1" },
      ],
      "TOOLS",
    );
    expect(rendered).toEqual([
      { role: "system", content: "Be brief.\n\nTOOLS" },
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: '{"tool_calls":[{"name":"get_weather","arguments":{"city":"Oslo","unit":"c"}}]}',
      },
      { role: "user", content: "Function result (get_weather, call call_1): 12 degrees" },
    ]);
  });

  it("decodes streamed response text across escapes split between pieces", () => {
    const decoder = createResponseTextDecoder();
    const pieces = ['{ "resp', 'onse": "a\\', "nb \\u00", 'e9 \\"q\\"', '" }'];
    expect(pieces.map((p) => decoder.push(p)).join("")).toBe('a\nb é "q"');
    const calls = createResponseTextDecoder();
    expect(calls.push('{"tool_calls": [')).toBe("");
  });
});
