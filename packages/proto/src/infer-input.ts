/**
 * The wire's rules for what a caller asks of a remote inference: the chat turns or the prompt, the token
 * cap, the sampling and the stop sequences of an `infer_request` — every field checked with the very
 * field declarations `encodeMessage` and `decodeMessage` use (`infer.ts`), and the whole request checked
 * against the frame limit with the largest values of the fields the sender fills in itself (request id,
 * consumer, model, price, time). An HTTP boundary that accepts only what passes here never sends a peer
 * anything its decoder would refuse.
 * @module
 */
import { ProtoError, ProtoErrorCode } from "./errors.js";
import type { ChatMessage } from "./infer.js";
import { INFER_REQUEST_FIELDS, refineInferRequest } from "./infer.js";
import { MESSAGE_LIMITS } from "./message.js";
import { bytesMaxOf, bytesOf, checkRecord, type Field, type RecordType } from "./schema.js";

/** The caller's part of an `infer_request`; absent sampling fields take the sender's defaults. */
export interface InferInput {
  messages?: ChatMessage[] | undefined;
  prompt?: string | undefined;
  max_tokens: number;
  temperature?: number | undefined;
  top_p?: number | undefined;
  top_k?: number | undefined;
  seed?: number | undefined;
  stop?: string[] | undefined;
}

const INPUT_FIELD_NAMES: ReadonlySet<string> = new Set([
  "messages",
  "prompt",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "seed",
  "stop",
]);
const SENDER_DEFAULTED = new Set(["temperature", "top_p", "top_k", "seed", "stop"]);

const INPUT_FIELDS: readonly Field[] = INFER_REQUEST_FIELDS.filter((field) =>
  INPUT_FIELD_NAMES.has(field.name),
).map((field) =>
  SENDER_DEFAULTED.has(field.name) ? { name: field.name, type: { t: "optional", of: field.type } } : field,
);
const INPUT_RECORD: RecordType = { t: "record", fields: INPUT_FIELDS, refine: refineInferRequest };

/** Frame bytes of everything but the input: the domain, the field count and the sender's own fields at their largest. */
const FRAME_BYTES_OVERHEAD =
  2 +
  MESSAGE_LIMITS.infer_request.domain.length +
  2 +
  INFER_REQUEST_FIELDS.filter((field) => !INPUT_FIELD_NAMES.has(field.name)).reduce(
    (sum, field) => sum + bytesMaxOf(field.type),
    0,
  );

/**
 * Checks `input` by the wire's rules and returns a clean copy (declared fields only): well-formed text
 * (no lone surrogate) within its byte bounds, exactly one of `messages` and `prompt`, numbers in range,
 * and a frame no larger than `MESSAGE_LIMITS.infer_request.bytesMax`.
 * @throws {ProtoError} INVALID_MESSAGE with `details.field` naming the field (e.g. `messages[2].content`),
 *   or MESSAGE_TOO_LARGE.
 * @example checkInferInput({ prompt: "Once upon a time", max_tokens: 16 })
 */
export function checkInferInput(input: InferInput): InferInput {
  const clean = checkRecord("infer_request", INPUT_RECORD, input, "", undefined);
  // An absent sampling field is sent with the sender's default: count it at its largest.
  const bytes =
    FRAME_BYTES_OVERHEAD +
    INPUT_FIELDS.reduce(
      (sum, field) =>
        sum +
        (clean[field.name] === undefined && SENDER_DEFAULTED.has(field.name) && field.type.t === "optional"
          ? bytesMaxOf(field.type.of)
          : bytesOf(field.type, clean[field.name])),
      0,
    );
  const limit = MESSAGE_LIMITS.infer_request.bytesMax;
  if (bytes > limit) {
    throw new ProtoError(
      ProtoErrorCode.MESSAGE_TOO_LARGE,
      `infer_request: ${bytes} bytes exceeds the limit of ${limit}`,
      { details: { kind: "infer_request", bytes, limit } },
    );
  }
  return clean as unknown as InferInput;
}
