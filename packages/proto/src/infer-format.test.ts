/**
 * Proves an `infer_request` carries a structured-output format across the wire intact (encode → decode),
 * and that the wire refuses what a provider could not enforce: a schema outside the supported subset,
 * text that is not JSON, a schema on json_object, or stop strings beside a format.
 */
import { describe, expect, it } from "vitest";
import { examples } from "../test/fixtures.js";
import { ProtoError } from "./errors.js";
import type { InferRequest } from "./infer.js";
import { decodeMessage, encodeMessage, parseMessage } from "./message.js";

const base: InferRequest = { ...examples.infer_request, stop: [] } as InferRequest;
const schema = JSON.stringify({
  type: "object",
  properties: { city: { type: "string" }, unit: { enum: ["c", "f"] } },
  required: ["city"],
});

describe("infer_request.response_format", () => {
  it.each([{ type: "json_object" as const }, { type: "json_schema" as const, schema }])(
    "round-trips %j",
    (format) => {
      const request = { ...base, response_format: format };
      expect(decodeMessage(encodeMessage(request), ["infer_request"])).toEqual(request);
    },
  );

  it.each([
    [{ type: "json_schema", schema: '{"type":"string","pattern":"a"}' }, "pattern"],
    [{ type: "json_schema", schema: "{not json" }, "JSON text of a schema"],
    [{ type: "json_schema" }, "JSON text of a schema"],
    [{ type: "json_object", schema }, "absent for json_object"],
    [{ type: "grammar", schema }, "response_format.type"],
  ])("refuses %j", (format, message) => {
    expect(() => parseMessage({ ...base, response_format: format })).toThrow(ProtoError);
    expect(() => parseMessage({ ...base, response_format: format })).toThrow(message);
  });

  it("refuses stop strings beside a format", () => {
    const request = { ...base, stop: ["\n"], response_format: { type: "json_object" } };
    expect(() => parseMessage(request)).toThrow('"stop" expected empty when response_format is present');
  });
});
