/**
 * Nostr events of the agora (NIP-01 ids and BIP-340 signatures by nostr-tools' `finalizeEvent`, so any
 * relay or client verifies them; upstream's had neither, docs/upstream.md §10.3), with the reference's
 * kinds and tags:
 *
 * - handler advertisement, NIP-89 kind 31990, one per agent profile (addressable by its `d` tag
 *   `tirami:<agent_id>`): `["k", "5050"]`, a `model` tag per model, `price_trm_per_token`, `tier`,
 *   `tirami_node` (the node account) and a `relay` tag per relay; `content` is kind-0-style metadata
 *   (`name`, `about`) plus `tier`, `accepted_payment: "trm"` and the node's signed agent profile, which
 *   names this Nostr key — so a reader can check with the node's Ed25519 key that the two belong together;
 * - NIP-90 job request, kind 5050 (text generation): `["i", prompt, "text"]`, `["param", "model", m]`,
 *   `["param", "max_tokens", n]`, the bid as `["param", "max_trm", n]` (NIP-90's `bid` is in millisats,
 *   TRM is not), optional `["p", provider]`, empty content;
 * - NIP-90 job result, kind 6050: `["request", <request JSON>]`, `["e", request id]`, `["i", prompt,
 *   "text"]`, `["p", customer]`, the price as `["amount_trm", n]`, `["tokens", n]` and, when the job was
 *   paid by a trade, `["tirami_trade", trade_id]`; content = the output.
 * @module
 */
import type { AgentProfile } from "@tirami/proto";
import { type Event, finalizeEvent } from "nostr-tools";
import { AgoraError, AgoraErrorCode } from "../errors.js";

export const NOSTR_KIND_HANDLER = 31990;
export const NOSTR_KIND_JOB_REQUEST = 5050;
export const NOSTR_KIND_JOB_RESULT = 6050;
/** Longest prompt taken from a job request, UTF-16 code units. */
export const NOSTR_JOB_PROMPT_LENGTH_MAX = 32_768;

const nowS = (nowMs: number): number => Math.floor(nowMs / 1_000);

/** The NIP-89 advertisement of one agent profile, signed by the node's Nostr key. */
export function handlerAdvertisement(
  profile: AgentProfile,
  options: {
    secretKey: Uint8Array;
    nowMs: number;
    relays?: readonly string[];
    reputation?: number | undefined;
  },
): Event {
  const tags = [
    ["d", `tirami:${profile.agent_id}`],
    ["k", String(NOSTR_KIND_JOB_REQUEST)],
    ...profile.models.map((model) => ["model", model]),
    ["price_trm_per_token", String(profile.price_trm_per_token)],
    ["tier", profile.tier],
    ["tirami_node", profile.node],
    ...(options.reputation === undefined ? [] : [["reputation", options.reputation.toFixed(3)]]),
    ...(options.relays ?? []).map((relay) => ["relay", relay]),
  ];
  const content = JSON.stringify({
    name: profile.agent_id,
    about: profile.description,
    tier: profile.tier,
    accepted_payment: "trm",
    tirami_profile: profile,
  });
  return finalizeEvent(
    { kind: NOSTR_KIND_HANDLER, created_at: nowS(options.nowMs), tags, content },
    options.secretKey,
  );
}

/** What a NIP-90 text-generation job asks for. */
export interface JobRequest {
  prompt: string;
  model: string;
  maxTokens: number;
  /** The most the customer pays, TRM. */
  maxTrm?: number | undefined;
  /** The provider's Nostr pubkey, when the job is addressed. */
  provider?: string | undefined;
}

/** A NIP-90 job request (kind 5050), signed by the customer's Nostr key. */
export function jobRequestEvent(job: JobRequest, options: { secretKey: Uint8Array; nowMs: number }): Event {
  const tags = [
    ["i", job.prompt, "text"],
    ["param", "model", job.model],
    ["param", "max_tokens", String(job.maxTokens)],
    ...(job.maxTrm === undefined ? [] : [["param", "max_trm", String(job.maxTrm)]]),
    ...(job.provider === undefined ? [] : [["p", job.provider]]),
  ];
  return finalizeEvent(
    { kind: NOSTR_KIND_JOB_REQUEST, created_at: nowS(options.nowMs), tags, content: "" },
    options.secretKey,
  );
}

const bad = (message: string): AgoraError =>
  new AgoraError(AgoraErrorCode.INVALID_AGORA_REQUEST, `NIP-90 job request: ${message}`);

/** Reads a kind-5050 request (whose signature the caller verified). @throws {AgoraError} INVALID_AGORA_REQUEST. */
export function parseJobRequest(event: Event): JobRequest {
  if (event.kind !== NOSTR_KIND_JOB_REQUEST) throw bad(`kind ${event.kind} is not ${NOSTR_KIND_JOB_REQUEST}`);
  const input = event.tags.find((tag) => tag[0] === "i" && tag[2] === "text");
  const param = (name: string) => event.tags.find((tag) => tag[0] === "param" && tag[1] === name)?.[2];
  const prompt = input?.[1];
  if (prompt === undefined || prompt.length === 0 || prompt.length > NOSTR_JOB_PROMPT_LENGTH_MAX)
    throw bad(`expected one text input of 1 to ${NOSTR_JOB_PROMPT_LENGTH_MAX} characters`);
  const model = param("model");
  if (model === undefined || model.length === 0) throw bad('expected a "model" param');
  const integer = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^[0-9]{1,15}$/.test(text) || !Number.isSafeInteger(value))
      throw bad(`"${name}" must be an integer`);
    return value;
  };
  const maxTokens = integer("max_tokens", param("max_tokens")) ?? 256;
  const maxTrm = integer("max_trm", param("max_trm"));
  const provider = event.tags.find((tag) => tag[0] === "p")?.[1];
  return {
    prompt,
    model,
    maxTokens,
    ...(maxTrm === undefined ? {} : { maxTrm }),
    ...(provider === undefined ? {} : { provider }),
  };
}

/** A NIP-90 job result (kind 6050) answering `request`, signed by the provider's Nostr key. */
export function jobResultEvent(
  request: Event,
  result: { output: string; tokens: number; amountTrm: number; tradeId?: string | undefined },
  options: { secretKey: Uint8Array; nowMs: number },
): Event {
  const input = request.tags.find((tag) => tag[0] === "i");
  const tags = [
    ["request", JSON.stringify(request)],
    ["e", request.id],
    ...(input === undefined ? [] : [input]),
    ["p", request.pubkey],
    ["amount_trm", String(result.amountTrm)],
    ["tokens", String(result.tokens)],
    ...(result.tradeId === undefined ? [] : [["tirami_trade", result.tradeId]]),
  ];
  return finalizeEvent(
    { kind: NOSTR_KIND_JOB_RESULT, created_at: nowS(options.nowMs), tags, content: result.output },
    options.secretKey,
  );
}
