/**
 * Agent profiles (docs/agora.md): what an agent on a node offers the marketplace — the models it serves,
 * its price, its tier, its capabilities and where to reach it — signed by the node it names. Upstream's
 * registry took any `agent_hex` without proof of key ownership (docs/upstream.md §10.3); here `node` is the
 * key that signs, so a profile can only describe the node that made it.
 *
 * Canonical bytes `tirami/agent-profile/v1`: [node key (bytes 32), agent_id, models (list of strings),
 * price_trm_per_token (float), tier, capabilities (list), endpoints (list), description, nostr_pubkey
 * (bytes 32 or null), timestamp_ms]; Ed25519 signature by `node` over them; the profile's id is their
 * SHA-256. A profile expires when its node stops refreshing it (the receiver's rule, docs/agora.md).
 * @module
 */
import {
  type AccountId,
  encodeCanonical,
  PUBLIC_KEY_BYTES,
  sha256,
  SIGNATURE_BYTES,
  type Signer,
  toHex,
} from "@tirami/core";
import { invalidField } from "./errors.js";
import { verifySigned } from "./gossip.js";
import { MODEL_ID_LENGTH_MAX } from "./ids.js";
import { checkRecord, type Field, type RecordType, recordToCanonical } from "./schema.js";
import { PRICE_TRM_PER_TOKEN_MAX } from "./trade.js";

export const AGENT_PROFILE_DOMAIN = "tirami/agent-profile/v1";

/** Longest agent id (printable ASCII, no spaces). */
export const AGENT_ID_LENGTH_MAX = 64;
/** Models one profile lists. */
export const AGENT_MODELS_MAX = 16;
/** Capabilities one profile lists, and the longest capability name. */
export const AGENT_CAPABILITIES_MAX = 16;
export const AGENT_CAPABILITY_LENGTH_MAX = 64;
/** Endpoints (URLs, multiaddrs) one profile lists, and the longest. */
export const AGENT_ENDPOINTS_MAX = 8;
export const AGENT_ENDPOINT_LENGTH_MAX = 256;
/** Longest description, UTF-8 bytes. */
export const AGENT_DESCRIPTION_BYTES_MAX = 512;

/** Model size classes (docs/upstream.md §10.3), smallest first. */
export const AGENT_TIERS = ["small", "medium", "large", "frontier"] as const;
export type AgentTier = (typeof AGENT_TIERS)[number];

/** An agent's signed profile. */
export interface AgentProfile {
  kind: "agent_profile";
  /** The node the agent runs on: its key signs the profile. */
  node: AccountId;
  /** The agent's name on its node (`node` for the node itself). */
  agent_id: string;
  /** Distinct model ids it serves. */
  models: string[];
  price_trm_per_token: number;
  tier: AgentTier;
  /** Distinct capability names, e.g. `chat`, `embeddings`, `a2a`, `nip90`. */
  capabilities: string[];
  /** Where to reach it: URLs (an A2A card, an HTTP API) or multiaddrs. */
  endpoints: string[];
  description: string;
  /** The node's Nostr identity (x-only secp256k1 public key, 64 hex), when it has one. */
  nostr_pubkey?: string;
  timestamp_ms: number;
  signature: string;
}

/** The profile without its envelope: what a node signs. */
export type AgentProfileBody = Omit<AgentProfile, "kind" | "signature">;

const distinct =
  (field: "models" | "capabilities" | "endpoints") =>
  (value: Record<string, unknown>, kind: string): void => {
    const seen = new Set<string>();
    (value[field] as string[]).forEach((item, index) => {
      if (seen.has(item)) throw invalidField(kind, `${field}[${index}]`, "a value not listed before");
      seen.add(item);
    });
  };

/** Nothing listed twice. */
export function refineAgentProfile(value: Record<string, unknown>, kind: string): void {
  distinct("models")(value, kind);
  distinct("capabilities")(value, kind);
  distinct("endpoints")(value, kind);
}

const BODY_FIELDS: readonly Field[] = [
  { name: "node", type: { t: "hex", bytes: PUBLIC_KEY_BYTES } },
  { name: "agent_id", type: { t: "id", lengthMax: AGENT_ID_LENGTH_MAX } },
  {
    name: "models",
    type: { t: "list", max: AGENT_MODELS_MAX, of: { t: "id", lengthMax: MODEL_ID_LENGTH_MAX } },
  },
  { name: "price_trm_per_token", type: { t: "float", min: 0, max: PRICE_TRM_PER_TOKEN_MAX } },
  { name: "tier", type: { t: "enum", values: AGENT_TIERS } },
  {
    name: "capabilities",
    type: { t: "list", max: AGENT_CAPABILITIES_MAX, of: { t: "id", lengthMax: AGENT_CAPABILITY_LENGTH_MAX } },
  },
  {
    name: "endpoints",
    type: { t: "list", max: AGENT_ENDPOINTS_MAX, of: { t: "id", lengthMax: AGENT_ENDPOINT_LENGTH_MAX } },
  },
  { name: "description", type: { t: "text", bytesMax: AGENT_DESCRIPTION_BYTES_MAX } },
  { name: "nostr_pubkey", type: { t: "optional", of: { t: "hex", bytes: 32 } } },
  { name: "timestamp_ms", type: { t: "uint", max: Number.MAX_SAFE_INTEGER } },
];

export const AGENT_PROFILE_FIELDS: readonly Field[] = [
  ...BODY_FIELDS,
  { name: "signature", type: { t: "hex", bytes: SIGNATURE_BYTES } },
];

const BODY: RecordType = { t: "record", fields: BODY_FIELDS, refine: refineAgentProfile };

/** The bytes a profile's signature covers. Throws `ProtoError` `INVALID_MESSAGE` naming the bad field. */
export function agentProfileSigningBytes(
  profile: AgentProfileBody & { kind?: string; signature?: string },
): Uint8Array {
  const { kind: _kind, signature: _signature, ...rest } = (profile ?? {}) as Record<string, unknown>;
  const clean = checkRecord("agent_profile", BODY, rest, "", undefined);
  return encodeCanonical(AGENT_PROFILE_DOMAIN, recordToCanonical(BODY, clean));
}

/**
 * Validates and signs a profile as its node. Throws `RangeError` when `signer` is not `profile.node`, and
 * `ProtoError` `INVALID_MESSAGE` naming the bad field.
 */
export function signAgentProfile(profile: AgentProfileBody, signer: Signer): AgentProfile {
  if (signer.accountId !== profile.node)
    throw new RangeError(`signer ${signer.accountId} is not the profile's node`);
  const { kind: _kind, signature: _signature, ...rest } = profile as AgentProfile;
  const clean = checkRecord("agent_profile", BODY, rest, "", undefined) as AgentProfileBody;
  const bytes = encodeCanonical(AGENT_PROFILE_DOMAIN, recordToCanonical(BODY, clean));
  return { kind: "agent_profile", ...clean, signature: toHex(signer.sign(bytes)) };
}

/** True when the profile is well-formed and signed by its `node`. Never throws. */
export function verifyAgentProfile(profile: unknown): boolean {
  return verifySigned(profile, "node", (value) => agentProfileSigningBytes(value as AgentProfile));
}

/** The profile's id (dedup key): hex SHA-256 of its signing bytes. Throws `ProtoError` when invalid. */
export function agentProfileId(profile: AgentProfileBody): string {
  return toHex(sha256(agentProfileSigningBytes(profile)));
}
