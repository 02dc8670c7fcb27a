/**
 * Proves the JSON-schema subset checker refuses what a grammar cannot enforce (naming the place) and
 * accepts the shapes OpenAI clients send, and that the answer validator accepts conforming values and
 * names the first violation of non-conforming ones.
 */
import { describe, expect, it } from "vitest";
import { checkJsonSchema, InvalidJsonSchemaError, validateJson } from "./json-schema.js";

const weather = {
  type: "object",
  properties: {
    city: { type: "string", description: "a city", maxLength: 20 },
    days: { type: "integer" },
    unit: { type: "string", enum: ["c", "f"] },
    tags: { type: "array", items: { type: "string" }, maxItems: 2 },
    when: { anyOf: [{ type: "string", format: "date" }, { type: "null" }] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
} as const;

describe("checkJsonSchema", () => {
  it("accepts OpenAI-style strict schemas, $defs and refs", () => {
    expect(() => checkJsonSchema(weather)).not.toThrow();
    expect(() =>
      checkJsonSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "t",
        type: "object",
        properties: { a: { $ref: "#/$defs/point" } },
        $defs: { point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }] } },
      }),
    ).not.toThrow();
  });

  it.each([
    [{ type: "string", pattern: "^a" }, 'schema: keyword "pattern" is not supported'],
    [{ type: "object", properties: { n: { type: "number", minimum: 0 } } }, "schema.properties.n"],
    [{ type: "thing" }, "schema.type"],
    [{ type: ["object", "null"] }, "schema.type"],
    [{ oneOf: [] }, "schema.oneOf"],
    [{ type: "object", required: ["x"] }, "schema.required"],
    [{ $ref: "#/$defs/missing" }, "unknown reference"],
    [{ $ref: "https://example.com/s.json" }, "schema.$ref"],
    [{ type: "string", maxItems: 3 }, "schema.maxItems"],
    [{ description: "no shape" }, "needs exactly one of"],
    [{ type: "string", maxLength: 100_000 }, "schema.maxLength: must be an integer from 0 to 2000"],
    ["a string", "must be an object"],
  ])("refuses %j", (schema, where) => {
    expect(() => checkJsonSchema(schema)).toThrow(InvalidJsonSchemaError);
    expect(() => checkJsonSchema(schema)).toThrow(where);
  });

  it("bounds depth and size", () => {
    let deep: object = { type: "string" };
    for (let i = 0; i < 40; i += 1) deep = { type: "array", items: deep };
    expect(() => checkJsonSchema(deep)).toThrow("nested deeper");
    const wide = { enum: Array.from({ length: 300 }, (_, i) => i) };
    expect(() => checkJsonSchema(wide)).toThrow("schema.enum");
  });
});

describe("validateJson", () => {
  it("accepts a conforming value", () => {
    expect(validateJson({ city: "Oslo", unit: "c", days: 3, tags: ["a"], when: null }, weather)).toBeNull();
    expect(validateJson({ city: "Oslo", unit: "f", when: "2026-01-01" }, weather)).toBeNull();
  });

  it.each([
    [{ unit: "c" }, 'misses required property "city"'],
    [{ city: "Oslo", unit: "k" }, "$.unit: must be one of"],
    [{ city: 3, unit: "c" }, "$.city: must be of type string"],
    [{ city: "x".repeat(21), unit: "c" }, "at most 20 characters"],
    [{ city: "Oslo", unit: "c", days: 1.5 }, "$.days: must be of type integer"],
    [{ city: "Oslo", unit: "c", extra: 1 }, '"extra" is not allowed'],
    [{ city: "Oslo", unit: "c", tags: ["a", "b", "c"] }, "at most 2 items"],
    [{ city: "Oslo", unit: "c", when: 5 }, "$.when: matches no alternative"],
    [[1], "must be of type object"],
  ])("names the violation in %j", (value, message) => {
    expect(validateJson(value, weather)).toContain(message);
  });

  it("follows references", () => {
    const schema = {
      type: "object",
      properties: { p: { $ref: "#/$defs/pair" } },
      $defs: { pair: { type: "array", prefixItems: [{ type: "number" }, { const: "x" }] } },
    };
    checkJsonSchema(schema);
    expect(validateJson({ p: [1, "x"] }, schema)).toBeNull();
    expect(validateJson({ p: [1, "y"] }, schema)).toContain("$.p[1]");
  });
});
