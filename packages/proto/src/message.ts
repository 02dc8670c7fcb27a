/**
 * Every wire message as one discriminated union (`kind`), and the codec: a frame is the canonical bytes
 * (`@tirami/core` encodeCanonical) of the message's fields under its own versioned domain, e.g.
 * `tirami/msg/infer-request/v1`; decoding reads the domain first and dispatches on it. Upstream framed
 * bincode behind a 4-byte length allowing 64 MiB (docs/upstream.md §7.1); here each kind has an exact byte,
 * value-count and depth limit derived from its field bounds, checked before anything is allocated.
 *
 * `decodeMessage` throws only `ProtoError` — `MESSAGE_TOO_LARGE`, `UNKNOWN_MESSAGE` or `INVALID_MESSAGE`
 * with `details.field` — whatever bytes it is given. It checks shape and bounds, not signatures: verify
 * those with `checkSignedTrade`, `verifyProviderOffer`, `verifyReputationObservation`.
 * @module
 */
import {
  CANONICAL_DOMAIN_RE,
  type CanonicalLimits,
  decodeCanonical,
  encodeCanonical,
  isTiramiError,
} from "@tirami/core";
import { MESSAGE_BYTES_MAX } from "./constants.js";
import { describeValue, invalidField, ProtoError, ProtoErrorCode } from "./errors.js";
import {
  PROVIDER_OFFER_FIELDS,
  type ProviderOffer,
  refineObservation,
  refineOffer,
  REPUTATION_OBSERVATION_FIELDS,
  type LoanGossip,
  type ReputationObservation,
  type TradeGossip,
} from "./gossip.js";
import {
  INFER_END_FIELDS,
  INFER_ERROR_FIELDS,
  INFER_REQUEST_FIELDS,
  type InferEnd,
  type InferError,
  type InferRequest,
  refineInferRequest,
  TOKEN_CHUNK_FIELDS,
  type TokenChunk,
} from "./infer.js";
import {
  bytesMaxOf,
  checkRecord,
  checkTrailingFields,
  depthOf,
  type Field,
  itemsMaxOf,
  recordFromCanonical,
  type RecordType,
  recordToCanonical,
} from "./schema.js";
import {
  TRADE_ACCEPT_FIELDS,
  TRADE_PROPOSAL_FIELDS,
  TRADE_REJECT_FIELDS,
  type TradeAccept,
  type TradeProposal,
  type TradeReject,
} from "./settle.js";
import { SYNC_REQUEST_FIELDS, SYNC_RESPONSE_FIELDS, type SyncRequest, type SyncResponse } from "./sync.js";
import { SIGNED_TRADE_RECORD, type SignedTrade } from "./trade.js";
import { SIGNED_LOAN_RECORD } from "./loan.js";
import { SIGNED_INSURANCE_RECORD } from "./insurance.js";
import { SIGNED_FUTURE_RECORD } from "./future.js";
import {
  FUTURE_ACCEPT_FIELDS,
  FUTURE_PROPOSAL_FIELDS,
  FUTURE_REJECT_FIELDS,
  type FutureAccept,
  type FutureGossip,
  type FutureProposal,
  type FutureReject,
} from "./future-wire.js";
import {
  INSURANCE_ACCEPT_FIELDS,
  INSURANCE_PROPOSAL_FIELDS,
  INSURANCE_REJECT_FIELDS,
  type InsuranceAccept,
  type InsuranceGossip,
  type InsuranceProposal,
  type InsuranceReject,
} from "./insurance-wire.js";
import {
  LEND_OFFER_FIELDS,
  type LendOffer,
  LOAN_REPAYMENT_FIELDS,
  type LoanRepayment,
} from "./loan-events.js";
import {
  LOAN_ACCEPT_FIELDS,
  LOAN_PROPOSAL_FIELDS,
  LOAN_REJECT_FIELDS,
  type LoanAccept,
  type LoanProposal,
  type LoanReject,
} from "./loan-wire.js";
import { AGENT_PROFILE_FIELDS, type AgentProfile, refineAgentProfile } from "./agent-profile.js";
import {
  EMBED_END_FIELDS,
  EMBED_REQUEST_FIELDS,
  EMBED_VECTORS_FIELDS,
  type EmbedEnd,
  type EmbedRequest,
  type EmbedVectors,
} from "./embed.js";

/** Every message that crosses the wire. */
export type Message =
  | InferRequest
  | TokenChunk
  | InferEnd
  | InferError
  | TradeProposal
  | TradeAccept
  | TradeReject
  | SyncRequest
  | SyncResponse
  | TradeGossip
  | ProviderOffer
  | ReputationObservation
  | LoanProposal
  | LoanAccept
  | LoanReject
  | LoanGossip
  | LoanRepayment
  | LendOffer
  | EmbedRequest
  | EmbedVectors
  | EmbedEnd
  | InsuranceProposal
  | InsuranceAccept
  | InsuranceReject
  | InsuranceGossip
  | FutureProposal
  | FutureAccept
  | FutureReject
  | FutureGossip
  | AgentProfile;

export type MessageKind = Message["kind"];
/** The message type of one kind. */
export type MessageOf<K extends MessageKind> = Extract<Message, { kind: K }>;

/** Limits of one kind, derived from its field bounds (bytes capped at `MESSAGE_BYTES_MAX`). */
export interface MessageLimits extends CanonicalLimits {
  readonly domain: string;
}

interface KindSpec {
  readonly kind: MessageKind;
  readonly domain: string;
  readonly record: RecordType;
  readonly limits: MessageLimits;
}

/** Trades in a sync response come in leaf order, strictly increasing `(timestamp_ms, trade_id)`. */
function refineSyncResponse(value: Record<string, unknown>, kind: string): void {
  const trades = value.trades as SignedTrade[];
  for (let index = 1; index < trades.length; index++) {
    const before = trades[index - 1] as SignedTrade;
    const here = trades[index] as SignedTrade;
    const ordered =
      before.trade.timestamp_ms < here.trade.timestamp_ms ||
      (before.trade.timestamp_ms === here.trade.timestamp_ms && before.trade_id < here.trade_id);
    if (!ordered)
      throw invalidField(
        kind,
        `trades[${index}]`,
        "trades in strictly increasing (timestamp_ms, trade_id) order",
      );
  }
}

function spec(
  kind: MessageKind,
  name: string,
  fields: readonly Field[],
  refine?: RecordType["refine"],
): KindSpec {
  checkTrailingFields(fields);
  const record: RecordType = refine === undefined ? { t: "record", fields } : { t: "record", fields, refine };
  const domain = `tirami/msg/${name}/v1`;
  // The message's own list is not on the wire: its fields sit at the top level of the canonical message.
  const fieldBytes = bytesMaxOf(record) - 5;
  const bytesMax = Math.min(MESSAGE_BYTES_MAX, 2 + domain.length + 2 + fieldBytes);
  const itemsMax = Math.min(bytesMax, itemsMaxOf(record) - 1);
  const depthMax = depthOf(record) - 1;
  return { kind, domain, record, limits: { domain, bytesMax, itemsMax, depthMax } };
}

const SPECS: readonly KindSpec[] = [
  spec("infer_request", "infer-request", INFER_REQUEST_FIELDS, refineInferRequest),
  spec("token_chunk", "token-chunk", TOKEN_CHUNK_FIELDS),
  spec("infer_end", "infer-end", INFER_END_FIELDS),
  spec("infer_error", "infer-error", INFER_ERROR_FIELDS),
  spec("trade_proposal", "trade-proposal", TRADE_PROPOSAL_FIELDS),
  spec("trade_accept", "trade-accept", TRADE_ACCEPT_FIELDS),
  spec("trade_reject", "trade-reject", TRADE_REJECT_FIELDS),
  spec("sync_request", "sync-request", SYNC_REQUEST_FIELDS),
  spec("sync_response", "sync-response", SYNC_RESPONSE_FIELDS, refineSyncResponse),
  spec("trade_gossip", "trade-gossip", SIGNED_TRADE_RECORD.fields),
  spec("provider_offer", "provider-offer", PROVIDER_OFFER_FIELDS, refineOffer),
  spec("reputation_observation", "reputation-observation", REPUTATION_OBSERVATION_FIELDS, refineObservation),
  spec("loan_proposal", "loan-proposal", LOAN_PROPOSAL_FIELDS),
  spec("loan_accept", "loan-accept", LOAN_ACCEPT_FIELDS),
  spec("loan_reject", "loan-reject", LOAN_REJECT_FIELDS),
  spec("loan_gossip", "loan-gossip", SIGNED_LOAN_RECORD.fields),
  spec("loan_repayment", "loan-repayment", LOAN_REPAYMENT_FIELDS),
  spec("lend_offer", "lend-offer", LEND_OFFER_FIELDS),
  spec("embed_request", "embed-request", EMBED_REQUEST_FIELDS),
  spec("embed_vectors", "embed-vectors", EMBED_VECTORS_FIELDS),
  spec("embed_end", "embed-end", EMBED_END_FIELDS),
  spec("insurance_proposal", "insurance-proposal", INSURANCE_PROPOSAL_FIELDS),
  spec("insurance_accept", "insurance-accept", INSURANCE_ACCEPT_FIELDS),
  spec("insurance_reject", "insurance-reject", INSURANCE_REJECT_FIELDS),
  spec("insurance_gossip", "insurance-gossip", SIGNED_INSURANCE_RECORD.fields),
  spec("future_proposal", "future-proposal", FUTURE_PROPOSAL_FIELDS),
  spec("future_accept", "future-accept", FUTURE_ACCEPT_FIELDS),
  spec("future_reject", "future-reject", FUTURE_REJECT_FIELDS),
  spec("future_gossip", "future-gossip", SIGNED_FUTURE_RECORD.fields),
  spec("agent_profile", "agent-profile", AGENT_PROFILE_FIELDS, refineAgentProfile),
];

const BY_KIND = new Map<string, KindSpec>(SPECS.map((entry) => [entry.kind, entry]));
const BY_DOMAIN = new Map<string, KindSpec>(SPECS.map((entry) => [entry.domain, entry]));

/** The schema record of each kind (internal: tests derive arbitraries from it). */
export const MESSAGE_RECORDS: ReadonlyMap<MessageKind, RecordType> = new Map(
  SPECS.map((entry) => [entry.kind, entry.record]),
);

/** Every kind, in a stable order. */
export const MESSAGE_KINDS: readonly MessageKind[] = SPECS.map((entry) => entry.kind);

/** Domain and decoder limits of each kind. */
export const MESSAGE_LIMITS: Readonly<Record<MessageKind, MessageLimits>> = Object.fromEntries(
  SPECS.map((entry) => [entry.kind, entry.limits]),
) as Record<MessageKind, MessageLimits>;

function specOf(value: unknown): KindSpec {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidField("message", "(message)", "an object", value);
  let kind: unknown;
  try {
    kind = (value as Record<string, unknown>).kind;
  } catch {
    kind = undefined;
  }
  const found = typeof kind === "string" ? BY_KIND.get(kind) : undefined;
  if (found === undefined) {
    throw new ProtoError(ProtoErrorCode.UNKNOWN_MESSAGE, `unknown message kind ${describeValue(kind)}`, {
      details: { field: "kind" },
    });
  }
  return found;
}

/**
 * Validates an untrusted JSON-shaped value as a message and returns a clean copy (declared fields only).
 * Throws `ProtoError`: `UNKNOWN_MESSAGE` for a missing or unknown `kind`, `INVALID_MESSAGE` naming the field.
 */
export function parseMessage(value: unknown): Message {
  const entry = specOf(value);
  const clean = checkRecord(entry.kind, entry.record, value, "", "kind");
  return { kind: entry.kind, ...clean } as Message;
}

/**
 * The frame of a message: canonical bytes under its kind's domain. Validates first; throws `ProtoError`
 * (`UNKNOWN_MESSAGE`, `INVALID_MESSAGE` naming the field, or `MESSAGE_TOO_LARGE`).
 */
export function encodeMessage(message: Message): Uint8Array {
  const entry = specOf(message);
  const clean = checkRecord(entry.kind, entry.record, message, "", "kind");
  const bytes = encodeCanonical(entry.domain, recordToCanonical(entry.record, clean));
  if (bytes.length > entry.limits.bytesMax) throw tooLarge(entry.kind, bytes.length, entry.limits.bytesMax);
  return bytes;
}

function tooLarge(kind: string, bytes: number, limit: number): ProtoError {
  return new ProtoError(
    ProtoErrorCode.MESSAGE_TOO_LARGE,
    `${kind}: ${bytes} bytes exceeds the limit of ${limit}`,
    {
      details: { kind, bytes, limit },
    },
  );
}

/** Reads the domain at the head of a frame without decoding the rest (at most 64 bytes are looked at). */
function peekDomain(bytes: Uint8Array): string {
  if (bytes.length < 2)
    throw new ProtoError(ProtoErrorCode.INVALID_MESSAGE, "frame too short for a domain", {
      details: { field: "(domain)" },
    });
  const length = ((bytes[0] as number) << 8) | (bytes[1] as number);
  if (length === 0 || length > 64 || bytes.length < 2 + length) {
    throw new ProtoError(ProtoErrorCode.INVALID_MESSAGE, `bad domain length ${length}`, {
      details: { field: "(domain)" },
    });
  }
  let domain = "";
  for (let index = 2; index < 2 + length; index++) domain += String.fromCharCode(bytes[index] as number);
  if (!CANONICAL_DOMAIN_RE.test(domain)) {
    throw new ProtoError(ProtoErrorCode.INVALID_MESSAGE, "malformed domain", {
      details: { field: "(domain)" },
    });
  }
  return domain;
}

/**
 * Decodes one frame. With `expected`, any other kind is refused as `UNKNOWN_MESSAGE` (a stream or topic
 * accepts only its own kinds). Throws only `ProtoError`; allocates nothing beyond the kind's limits.
 */
export function decodeMessage(bytes: Uint8Array): Message;
export function decodeMessage<K extends MessageKind>(bytes: Uint8Array, expected: readonly K[]): MessageOf<K>;
export function decodeMessage(bytes: Uint8Array, expected?: readonly MessageKind[]): Message {
  if (!(bytes instanceof Uint8Array)) throw invalidField("message", "(frame)", "a Uint8Array", bytes);
  if (bytes.length > MESSAGE_BYTES_MAX) throw tooLarge("message", bytes.length, MESSAGE_BYTES_MAX);
  const domain = peekDomain(bytes);
  const entry = BY_DOMAIN.get(domain);
  if (entry === undefined) {
    throw new ProtoError(ProtoErrorCode.UNKNOWN_MESSAGE, `unknown message domain ${JSON.stringify(domain)}`, {
      details: { domain },
    });
  }
  if (expected !== undefined && !expected.includes(entry.kind)) {
    throw new ProtoError(
      ProtoErrorCode.UNKNOWN_MESSAGE,
      `${entry.kind} is not expected here (expected ${expected.join(", ")})`,
      {
        details: { domain, kind: entry.kind },
      },
    );
  }
  if (bytes.length > entry.limits.bytesMax) throw tooLarge(entry.kind, bytes.length, entry.limits.bytesMax);
  let fields;
  try {
    ({ fields } = decodeCanonical(bytes, entry.limits));
  } catch (cause) {
    if (!isTiramiError(cause)) throw cause;
    throw new ProtoError(ProtoErrorCode.INVALID_MESSAGE, `${entry.kind}: ${cause.message}`, {
      cause,
      details: { kind: entry.kind, field: "(frame)" },
    });
  }
  const shaped = recordFromCanonical(entry.kind, entry.record, fields, "");
  const clean = checkRecord(entry.kind, entry.record, shaped, "", undefined);
  return { kind: entry.kind, ...clean } as Message;
}

/** The domain of a kind's frames, e.g. `tirami/msg/infer-request/v1`. */
export function messageDomain(kind: MessageKind): string {
  const entry = BY_KIND.get(kind);
  if (entry === undefined) throw new RangeError(`unknown message kind ${String(kind)}`);
  return entry.domain;
}
