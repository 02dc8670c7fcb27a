/**
 * Proves that every message kind round-trips byte-identically through encodeMessage/decodeMessage, that
 * each invalid field is refused with INVALID_MESSAGE naming that field (on encode, parse and decode),
 * that oversize frames are refused with MESSAGE_TOO_LARGE before decoding, that unknown kinds, domains
 * and versions are UNKNOWN_MESSAGE, and that each kind's derived limits admit exactly its largest valid
 * message.
 */
import { encodeCanonical, isTiramiError, toHex } from "@tirami/core";
import { describe, expect, it } from "vitest";
import { invalidSamples, largestOf, looseFrame, WIRE_VALID_LABELS } from "../test/arbitraries.js";
import { examples } from "../test/fixtures.js";
import { MESSAGE_BYTES_MAX } from "./constants.js";
import { ProtoError } from "./errors.js";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  MESSAGE_KINDS,
  MESSAGE_LIMITS,
  MESSAGE_RECORDS,
  type MessageKind,
  messageDomain,
  parseMessage,
} from "./message.js";
import type { FieldType, RecordType } from "./schema.js";

function protoError(run: () => unknown, where = ""): ProtoError {
  try {
    run();
  } catch (error) {
    expect(error, where).toBeInstanceOf(ProtoError);
    return error as ProtoError;
  }
  throw new Error(`expected a ProtoError, nothing was thrown ${where}`);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Sets `path` (a list of keys and indexes) in `target` to `value`. */
function setAt(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
}

function pathText(path: (string | number)[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? key : `${text}.${key}`),
    "",
  );
}

/** Every field path present in `value` (records recursed, lists through their first item). */
function fieldPaths(
  type: FieldType,
  value: unknown,
  path: (string | number)[],
): [(string | number)[], FieldType][] {
  const out: [(string | number)[], FieldType][] = [];
  if (type.t === "optional") return value === undefined ? out : fieldPaths(type.of, value, path);
  if (type.t === "record") {
    for (const field of type.fields) {
      const child = (value as Record<string, unknown>)[field.name];
      out.push([[...path, field.name], field.type]);
      out.push(
        ...fieldPaths(field.type, child, [...path, field.name]).filter(([p]) => p.length > path.length + 1),
      );
    }
  } else if (type.t === "list" && Array.isArray(value) && value.length > 0) {
    out.push([[...path, 0], type.of]);
    out.push(...fieldPaths(type.of, value[0], [...path, 0]).filter(([p]) => p.length > path.length + 1));
  }
  return out;
}

describe("round trip", () => {
  it.each(MESSAGE_KINDS)(
    "%s encodes, decodes to an equal message and re-encodes to the same bytes",
    (kind) => {
      const message = examples[kind];
      const bytes = encodeMessage(message);
      const decoded = decodeMessage(bytes);
      expect(decoded).toEqual(message);
      expect(toHex(encodeMessage(decoded))).toBe(toHex(bytes));
      expect(parseMessage(clone(message))).toEqual(message);
      expect(decodeMessage(bytes, [kind])).toEqual(message);
    },
  );

  it("frames start with the kind's versioned domain", () => {
    const bytes = encodeMessage(examples.token_chunk);
    const domain = "tirami/msg/token-chunk/v1";
    expect(messageDomain("token_chunk")).toBe(domain);
    expect(bytes[1]).toBe(domain.length);
    expect(Buffer.from(bytes.subarray(2, 2 + domain.length)).toString()).toBe(domain);
  });

  it("parseMessage keeps only declared fields and omits absent optionals", () => {
    const { retry_after_ms: _dropped, ...noRetry } = examples.infer_error;
    expect(decodeMessage(encodeMessage(noRetry))).toEqual(noRetry);
    expect("retry_after_ms" in decodeMessage(encodeMessage(noRetry))).toBe(false);
  });

  it("infer_request accepts a prompt instead of messages", () => {
    const { messages: _messages, ...rest } = examples.infer_request;
    const withPrompt = { ...rest, prompt: "Once upon a time" };
    expect(decodeMessage(encodeMessage(withPrompt))).toEqual(withPrompt);
  });
});

describe("rejection of each invalid field", () => {
  for (const kind of MESSAGE_KINDS) {
    const record = MESSAGE_RECORDS.get(kind) as RecordType;
    const paths = fieldPaths(record, examples[kind], []);
    it(`${kind}: every field path (${paths.length}) is refused with INVALID_MESSAGE naming it`, () => {
      let checked = 0;
      for (const [path, type] of paths) {
        for (const [label, bad] of invalidSamples(type)) {
          const message = clone(examples[kind]) as unknown as Record<string, unknown>;
          setAt(message, path, bad);
          const where = `${kind} ${pathText(path)} (${label})`;
          for (const run of [
            () => encodeMessage(message as unknown as Message),
            () => parseMessage(message),
          ]) {
            const error = protoError(run, where);
            expect(error.code, where).toBe("INVALID_MESSAGE");
            expect(error.details?.field, where).toBe(pathText(path));
            expect(error.message, where).toContain(pathText(path));
          }
          // The same value written straight onto the wire is refused by the decoder, naming the same field.
          let frame: Uint8Array | undefined;
          try {
            frame = looseFrame(message);
          } catch {
            frame = undefined; // not expressible in canonical bytes (e.g. NaN, -0, objects): nothing to decode
          }
          if (frame !== undefined && !WIRE_VALID_LABELS.has(label)) {
            const error = protoError(() => decodeMessage(frame), `${where} decode`);
            if (error.code === "MESSAGE_TOO_LARGE") continue;
            expect(error.code, where).toBe("INVALID_MESSAGE");
            // Too many values can also be stopped earlier by the kind's value-count limit ("(frame)").
            const allowed = label === "too many" ? [pathText(path), "(frame)"] : [pathText(path)];
            expect(allowed, where).toContain(error.details?.field);
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(paths.length);
    });
  }

  it("unknown fields are refused, naming them", () => {
    const error = protoError(() => encodeMessage({ ...examples.token_chunk, extra: 1 } as Message));
    expect(error.code).toBe("INVALID_MESSAGE");
    expect(error.details?.field).toBe("extra");
    const nested = clone(examples.trade_proposal) as unknown as { trade: Record<string, unknown> };
    nested.trade.bonus_trm = 5;
    expect(protoError(() => parseMessage(nested)).details?.field).toBe("trade.bonus_trm");
  });

  it("cross-field rules name a field", () => {
    const both = { ...examples.infer_request, prompt: "hi" };
    expect(protoError(() => encodeMessage(both)).details?.field).toBe("prompt");
    const { messages: _m, ...neither } = examples.infer_request;
    expect(protoError(() => encodeMessage(neither as Message)).details?.field).toBe("prompt");
    const selfTrade = clone(examples.trade_proposal);
    selfTrade.trade.consumer = selfTrade.trade.provider;
    expect(protoError(() => encodeMessage(selfTrade)).details?.field).toBe("trade.consumer");
    const dupModels = clone(examples.provider_offer);
    dupModels.models.push({ ...(dupModels.models[0] as (typeof dupModels.models)[0]) });
    expect(protoError(() => encodeMessage(dupModels)).details?.field).toBe("models[2].model_id");
    const selfRating = {
      ...examples.reputation_observation,
      subject: examples.reputation_observation.observer,
    };
    expect(protoError(() => encodeMessage(selfRating)).details?.field).toBe("subject");
    const unordered = {
      ...examples.sync_response,
      trades: [examples.trade_gossip, examples.trade_gossip].map(({ kind: _k, ...t }) => t),
    };
    expect(protoError(() => encodeMessage(unordered)).details?.field).toBe("trades[1]");
    // The decoder applies the same rules to frames built without validation.
    expect(
      protoError(() => decodeMessage(looseFrame(both as unknown as Record<string, unknown>))).details?.field,
    ).toBe("prompt");
    expect(
      protoError(() => decodeMessage(looseFrame(selfTrade as unknown as Record<string, unknown>))).details
        ?.field,
    ).toBe("trade.consumer");
  });

  it("a record with the wrong number of fields is refused", () => {
    const frame = encodeCanonical(messageDomain("token_chunk"), ["req-1", 0]);
    const error = protoError(() => decodeMessage(frame));
    expect(error.code).toBe("INVALID_MESSAGE");
    expect(error.details?.field).toBe("(message)");
    const extra = encodeCanonical(messageDomain("token_chunk"), ["req-1", 0, "hi", null]);
    expect(protoError(() => decodeMessage(extra)).code).toBe("INVALID_MESSAGE");
    const shortTrade = encodeCanonical(messageDomain("trade_accept"), [new Uint8Array(32)]);
    expect(protoError(() => decodeMessage(shortTrade)).code).toBe("INVALID_MESSAGE");
  });

  it("non-objects and non-bytes are refused as ProtoError", () => {
    for (const value of [null, undefined, 5, "x", [], new Uint8Array(3)]) {
      expect(protoError(() => encodeMessage(value as unknown as Message)).code).toMatch(
        /INVALID_MESSAGE|UNKNOWN_MESSAGE/,
      );
      expect(protoError(() => parseMessage(value)).code).toMatch(/INVALID_MESSAGE|UNKNOWN_MESSAGE/);
      expect(protoError(() => decodeMessage(value as unknown as Uint8Array)).code).toBe("INVALID_MESSAGE");
    }
  });
});

describe("unknown kinds, domains and versions", () => {
  it("an unknown or missing kind is UNKNOWN_MESSAGE", () => {
    expect(
      protoError(() => encodeMessage({ ...examples.token_chunk, kind: "token_chunks" } as unknown as Message))
        .code,
    ).toBe("UNKNOWN_MESSAGE");
    const { kind: _kind, ...noKind } = examples.token_chunk;
    expect(protoError(() => parseMessage(noKind)).code).toBe("UNKNOWN_MESSAGE");
    expect(protoError(() => parseMessage({ kind: "__proto__" })).code).toBe("UNKNOWN_MESSAGE");
  });

  it("a frame of another version, another message family or a trade's own bytes is UNKNOWN_MESSAGE", () => {
    for (const domain of [
      "tirami/msg/token-chunk/v2",
      "tirami/msg/hello/v1",
      "tirami/trade/v1",
      "tirami/offer/v1",
    ]) {
      const error = protoError(() => decodeMessage(encodeCanonical(domain, ["req-1", 0, "hi"])));
      expect(error.code).toBe("UNKNOWN_MESSAGE");
      expect(error.details?.domain).toBe(domain);
    }
  });

  it("a kind outside `expected` is UNKNOWN_MESSAGE", () => {
    const bytes = encodeMessage(examples.provider_offer);
    const error = protoError(() => decodeMessage(bytes, ["token_chunk", "infer_end", "infer_error"]));
    expect(error.code).toBe("UNKNOWN_MESSAGE");
    const chunk = decodeMessage(encodeMessage(examples.token_chunk), ["token_chunk", "infer_end"]);
    expect(chunk.kind).toBe("token_chunk");
  });

  it("a malformed head is INVALID_MESSAGE", () => {
    for (const bytes of [
      [],
      [0],
      [0, 0],
      [0, 65, ...new Array(65).fill(97)],
      [0, 3, 65, 66, 67],
      [0, 5, 97, 98],
    ]) {
      expect(protoError(() => decodeMessage(new Uint8Array(bytes))).code).toBe("INVALID_MESSAGE");
    }
  });
});

describe("size limits", () => {
  it.each(MESSAGE_KINDS)(
    "%s: the largest valid message fits its limit exactly, or the frame cap applies",
    (kind) => {
      const record = MESSAGE_RECORDS.get(kind) as RecordType;
      const limits = MESSAGE_LIMITS[kind];
      expect(limits.bytesMax).toBeLessThanOrEqual(MESSAGE_BYTES_MAX);
      if (limits.bytesMax === MESSAGE_BYTES_MAX) return; // covered by the frame-cap test below
      const largest = { kind, ...(largestOf(record, 1) as object) } as Message;
      const bytes = encodeMessage(largest);
      expect(bytes.length).toBe(limits.bytesMax);
      expect(toHex(encodeMessage(decodeMessage(bytes)))).toBe(toHex(bytes));
    },
  );

  it("a frame one byte over its kind's limit is MESSAGE_TOO_LARGE before decoding", () => {
    for (const kind of MESSAGE_KINDS) {
      const limits = MESSAGE_LIMITS[kind];
      const bytes = new Uint8Array(limits.bytesMax + 1);
      bytes.set(encodeMessage(examples[kind]));
      const error = protoError(() => decodeMessage(bytes));
      expect(error.code, kind).toBe("MESSAGE_TOO_LARGE");
      expect(error.details).toMatchObject({ limit: limits.bytesMax });
    }
    expect(protoError(() => decodeMessage(new Uint8Array(MESSAGE_BYTES_MAX + 1))).code).toBe(
      "MESSAGE_TOO_LARGE",
    );
  });

  it("an infer_request whose fields are each in bounds but total over 1 MiB is MESSAGE_TOO_LARGE", () => {
    const content = "x".repeat(200_000);
    const big = {
      ...examples.infer_request,
      messages: Array.from({ length: 6 }, () => ({ role: "user" as const, content })),
    };
    const error = protoError(() => encodeMessage(big));
    expect(error.code).toBe("MESSAGE_TOO_LARGE");
    expect(error.details).toMatchObject({ kind: "infer_request", limit: MESSAGE_BYTES_MAX });
    const fits = { ...big, messages: big.messages.slice(0, 5) };
    expect(decodeMessage(encodeMessage(fits))).toEqual(fits);
  });

  it("derived limits: values and depth are bounded per kind", () => {
    expect(MESSAGE_LIMITS.token_chunk).toMatchObject({ itemsMax: 3, depthMax: 0 });
    expect(MESSAGE_LIMITS.trade_gossip).toMatchObject({ itemsMax: 14, depthMax: 1 });
    expect(MESSAGE_LIMITS.sync_response.depthMax).toBe(3);
  });
});

describe("errors", () => {
  it("are TiramiErrors with stable codes and JSON-safe details", () => {
    const error = protoError(() => encodeMessage({ ...examples.infer_end, completion_tokens: -1 }));
    expect(isTiramiError(error, "INVALID_MESSAGE")).toBe(true);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: "INVALID_MESSAGE",
      message: error.message,
      details: { kind: "infer_end", field: "completion_tokens" },
    });
  });

  it("name every kind in MESSAGE_KINDS exactly once", () => {
    expect(new Set<MessageKind>(MESSAGE_KINDS).size).toBe(30);
    expect(new Set(MESSAGE_KINDS.map(messageDomain)).size).toBe(30);
  });
});
