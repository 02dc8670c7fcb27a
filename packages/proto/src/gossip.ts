/**
 * Gossip items (docs/architecture.md §7): signed trades, provider offers and reputation observations. Each carries
 * its own signature, because gossip is relayed and the relaying peer proves nothing. An offer or an
 * observation is signed over the canonical bytes of all its other fields under its own domain
 * (`tirami/offer/v1`, `tirami/reputation/v1`), so neither can be replayed as the other or as a trade; its
 * dedup id is the SHA-256 of those same bytes. Offers carry the sender's Merkle root and trade count, which
 * upstream computed but never sent (docs/upstream.md §7.5), so peers can notice they have diverged and sync.
 * Freshness (timestamp windows) is the receiver's policy, not the codec's.
 * @module
 */
import {
  type AccountId,
  encodeCanonical,
  fromHex,
  isSignatureHex,
  PUBLIC_KEY_BYTES,
  sha256,
  SHA256_BYTES,
  SIGNATURE_BYTES,
  type Signer,
  toHex,
  verifySignature,
} from "@tirami/core";
import {
  CONTEXT_LENGTH_MAX,
  FREE_CAPACITY_MAX,
  MULTIADDR_LENGTH_MAX,
  OFFER_MODELS_MAX,
  OFFER_MEMORY_BYTES_MAX,
  OFFER_MULTIADDRS_MAX,
  OFFER_THROUGHPUT_BYTES_PER_S_MAX,
  PROTOCOL_VERSION_MAX,
} from "./constants.js";
import { invalidField } from "./errors.js";
import { MODEL_ID_LENGTH_MAX } from "./ids.js";
import { checkRecord, type Field, type RecordType, recordToCanonical } from "./schema.js";
import { PRICE_TRM_PER_TOKEN_MAX, type SignedTrade } from "./trade.js";
import type { SignedLoan } from "./loan.js";
import { type LendOffer, lendOfferId, type LoanRepayment, loanRepaymentId } from "./loan-events.js";

/** A dual-signed loan, relayed as is (`loan_id` is its dedup id). */
export interface LoanGossip extends SignedLoan {
  kind: "loan_gossip";
}

/** A signed trade, relayed as is (`trade_id` is its dedup id). */
export interface TradeGossip extends SignedTrade {
  kind: "trade_gossip";
}

export interface OfferedModel {
  model_id: string;
  price_trm_per_token: number;
  context_length?: number;
}

/** What a provider serves and at what price, signed by `account`. */
export interface ProviderOffer {
  kind: "provider_offer";
  account: AccountId;
  /** Distinct `model_id`s. */
  models: OfferedModel[];
  /** Requests the provider can accept right now. */
  free_capacity: number;
  protocol_version: number;
  /** Root of the provider's trade log (docs/architecture.md §5) and how many trades it covers. */
  merkle_root: string;
  trade_count: number;
  multiaddrs?: string[];
  timestamp_ms: number;
  signature: string;
  /**
   * What the node could give a stage of a split model (`@tirami/shard`). Added after the first version of
   * offers as a trailing field: an offer without it has the bytes and signature it always had.
   */
  capacity?: OfferCapacity;
}

/** A node's advertised capacity for running part of a model. */
export interface OfferCapacity {
  /** Memory it offers for weights, KV cache and buffers. */
  memory_bytes: number;
  /** Weight bytes it reads per second while decoding; absent when unknown. */
  throughput_bytes_per_s?: number;
}

/** `observer`'s opinion of `subject`, a score in [0, 1], signed by `observer`. */
export interface ReputationObservation {
  kind: "reputation_observation";
  observer: AccountId;
  subject: AccountId;
  score: number;
  timestamp_ms: number;
  signature: string;
}

/** Domain of the bytes an offer's signature covers. */
export const OFFER_SIGNING_DOMAIN = "tirami/offer/v1";
/** Domain of the bytes an observation's signature covers. */
export const REPUTATION_SIGNING_DOMAIN = "tirami/reputation/v1";

const account: Field["type"] = { t: "hex", bytes: PUBLIC_KEY_BYTES };
const signature: Field = { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } };

const OFFER_BODY_FIELDS: readonly Field[] = [
  { name: "account", type: account },
  {
    name: "models",
    type: {
      t: "list",
      max: OFFER_MODELS_MAX,
      of: {
        t: "record",
        fields: [
          { name: "model_id", type: { t: "id", lengthMax: MODEL_ID_LENGTH_MAX } },
          { name: "price_trm_per_token", type: { t: "float", min: 0, max: PRICE_TRM_PER_TOKEN_MAX } },
          {
            name: "context_length",
            type: { t: "optional", of: { t: "uint", min: 1, max: CONTEXT_LENGTH_MAX } },
          },
        ],
      },
    },
  },
  { name: "free_capacity", type: { t: "uint", max: FREE_CAPACITY_MAX } },
  { name: "protocol_version", type: { t: "uint", min: 1, max: PROTOCOL_VERSION_MAX } },
  { name: "merkle_root", type: { t: "hex", bytes: SHA256_BYTES } },
  { name: "trade_count", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
  {
    name: "multiaddrs",
    type: {
      t: "optional",
      of: { t: "list", max: OFFER_MULTIADDRS_MAX, of: { t: "id", lengthMax: MULTIADDR_LENGTH_MAX } },
    },
  },
  { name: "timestamp_ms", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
];

/** The offer's trailing `capacity` (see `OfferCapacity`): last in both the signed body and the message. */
const OFFER_CAPACITY_FIELD: Field = {
  name: "capacity",
  trailing: true,
  type: {
    t: "optional",
    of: {
      t: "record",
      fields: [
        { name: "memory_bytes", type: { t: "uint", max: OFFER_MEMORY_BYTES_MAX } },
        {
          name: "throughput_bytes_per_s",
          type: { t: "optional", of: { t: "uint", min: 1, max: OFFER_THROUGHPUT_BYTES_PER_S_MAX } },
        },
      ],
    },
  },
};

/** No model listed twice. */
export function refineOffer(value: Record<string, unknown>, kind: string): void {
  const seen = new Set<string>();
  (value.models as OfferedModel[]).forEach((model, index) => {
    if (seen.has(model.model_id))
      throw invalidField(kind, `models[${index}].model_id`, "a model id not listed before");
    seen.add(model.model_id);
  });
}

const OBSERVATION_BODY_FIELDS: readonly Field[] = [
  { name: "observer", type: account },
  { name: "subject", type: account },
  { name: "score", type: { t: "float", min: 0, max: 1 } },
  { name: "timestamp_ms", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
];

/** An observer does not rate itself. */
export function refineObservation(value: Record<string, unknown>, kind: string): void {
  if (value.observer === value.subject)
    throw invalidField(kind, "subject", "a different account from observer");
}

export const PROVIDER_OFFER_FIELDS: readonly Field[] = [
  ...OFFER_BODY_FIELDS,
  signature,
  OFFER_CAPACITY_FIELD,
];
export const REPUTATION_OBSERVATION_FIELDS: readonly Field[] = [...OBSERVATION_BODY_FIELDS, signature];

const OFFER_BODY: RecordType = {
  t: "record",
  fields: [...OFFER_BODY_FIELDS, OFFER_CAPACITY_FIELD],
  refine: refineOffer,
};
const OBSERVATION_BODY: RecordType = {
  t: "record",
  fields: OBSERVATION_BODY_FIELDS,
  refine: refineObservation,
};

function bodyBytes(domain: string, type: RecordType, kind: string, value: unknown): Uint8Array {
  const clean = checkRecord(kind, type, value, "", "kind");
  return encodeCanonical(domain, recordToCanonical(type, clean));
}

function withoutSignature<T extends { signature?: unknown }>(value: T): Omit<T, "signature"> {
  if (typeof value !== "object" || value === null) return value;
  const { signature: _ignored, ...rest } = value;
  return rest;
}

/** The bytes an offer's signature covers. Throws `ProtoError` `INVALID_MESSAGE` for an invalid offer. */
export function providerOfferSigningBytes(
  offer: Omit<ProviderOffer, "kind" | "signature"> & { kind?: string; signature?: string },
): Uint8Array {
  const { kind: _kind, ...rest } = withoutSignature(offer);
  return bodyBytes(OFFER_SIGNING_DOMAIN, OFFER_BODY, "provider_offer", rest);
}

/**
 * Validates and signs an offer. Throws `RangeError` when `signer` is not `offer.account`, and `ProtoError`
 * `INVALID_MESSAGE` naming the bad field.
 */
export function signProviderOffer(
  offer: Omit<ProviderOffer, "kind" | "signature">,
  signer: Signer,
): ProviderOffer {
  if (signer.accountId !== offer.account)
    throw new RangeError(`signer ${signer.accountId} is not the offer's account`);
  const { kind: _kind, ...rest } = withoutSignature(offer as ProviderOffer);
  const clean = checkRecord("provider_offer", OFFER_BODY, rest, "", undefined);
  const bytes = encodeCanonical(OFFER_SIGNING_DOMAIN, recordToCanonical(OFFER_BODY, clean));
  return {
    kind: "provider_offer",
    ...(clean as Omit<ProviderOffer, "kind" | "signature">),
    signature: toHex(signer.sign(bytes)),
  };
}

/** True when the offer is valid and signed by its `account`. Never throws. */
export function verifyProviderOffer(offer: unknown): boolean {
  return verifySigned(offer, "account", (value) => providerOfferSigningBytes(value as ProviderOffer));
}

/** Dedup id of an offer: hex SHA-256 of its signing bytes. Throws `ProtoError` for an invalid offer. */
export function providerOfferId(offer: ProviderOffer): string {
  return toHex(sha256(providerOfferSigningBytes(offer)));
}

/** The bytes an observation's signature covers. Throws `ProtoError` `INVALID_MESSAGE` when invalid. */
export function reputationObservationSigningBytes(
  observation: Omit<ReputationObservation, "kind" | "signature"> & { kind?: string; signature?: string },
): Uint8Array {
  const { kind: _kind, ...rest } = withoutSignature(observation);
  return bodyBytes(REPUTATION_SIGNING_DOMAIN, OBSERVATION_BODY, "reputation_observation", rest);
}

/**
 * Validates and signs an observation. Throws `RangeError` when `signer` is not `observation.observer`, and
 * `ProtoError` `INVALID_MESSAGE` naming the bad field.
 */
export function signReputationObservation(
  observation: Omit<ReputationObservation, "kind" | "signature">,
  signer: Signer,
): ReputationObservation {
  if (signer.accountId !== observation.observer)
    throw new RangeError(`signer ${signer.accountId} is not the observer`);
  const { kind: _kind, ...rest } = withoutSignature(observation as ReputationObservation);
  const clean = checkRecord("reputation_observation", OBSERVATION_BODY, rest, "", undefined);
  const bytes = encodeCanonical(REPUTATION_SIGNING_DOMAIN, recordToCanonical(OBSERVATION_BODY, clean));
  return {
    kind: "reputation_observation",
    ...(clean as Omit<ReputationObservation, "kind" | "signature">),
    signature: toHex(signer.sign(bytes)),
  };
}

/** True when the observation is valid and signed by its `observer`. Never throws. */
export function verifyReputationObservation(observation: unknown): boolean {
  return verifySigned(observation, "observer", (value) =>
    reputationObservationSigningBytes(value as ReputationObservation),
  );
}

/** Dedup id of an observation: hex SHA-256 of its signing bytes. Throws `ProtoError` when invalid. */
export function reputationObservationId(observation: ReputationObservation): string {
  return toHex(sha256(reputationObservationSigningBytes(observation)));
}

/**
 * True when `value[signerField]`'s Ed25519 signature in `value.signature` verifies over `signingBytes(value)`
 * (internal: shared by every singly-signed gossip item). Never throws.
 */
export function verifySigned(
  value: unknown,
  signerField: string,
  signingBytes: (value: unknown) => Uint8Array,
): boolean {
  try {
    if (typeof value !== "object" || value === null) return false;
    const record = value as Record<string, unknown>;
    const sig = record.signature;
    const signer = record[signerField];
    if (!isSignatureHex(sig) || typeof signer !== "string") return false;
    return verifySignature(signer as AccountId, signingBytes(value), fromHex(sig));
  } catch {
    return false;
  }
}

/** The dedup id of any gossip item: `trade_id` for a trade, else the SHA-256 of the signing bytes. */
export function gossipItemId(
  item: TradeGossip | ProviderOffer | ReputationObservation | LoanGossip | LoanRepayment | LendOffer,
): string {
  switch (item.kind) {
    case "loan_gossip":
      return item.loan_id;
    case "loan_repayment":
      return loanRepaymentId(item);
    case "lend_offer":
      return lendOfferId(item);
    case "trade_gossip":
      return item.trade_id;
    case "provider_offer":
      return providerOfferId(item);
    case "reputation_observation":
      return reputationObservationId(item);
  }
}
