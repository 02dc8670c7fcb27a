/**
 * Request schemas of the agora routes (`/v1/tirami/agora/*`, docs/agora.md) with their limits: the node
 * validates with them and the client checks against them. The bounds are the signed agent profile's
 * (proto `agent-profile.ts`, checked equal in apps/node's `agora.test.ts`), so a request that passes here
 * is one the node can sign and the mesh will carry.
 * @module
 */
import { z } from "zod";
import { hex64 } from "./tirami.js";

/** Model size classes, smallest first. */
export const AGORA_TIERS = ["small", "medium", "large", "frontier"] as const;
export const AGORA_AGENT_ID_LENGTH_MAX = 64;
export const AGORA_MODELS_MAX = 16;
export const AGORA_MODEL_ID_LENGTH_MAX = 128;
export const AGORA_CAPABILITIES_MAX = 16;
export const AGORA_CAPABILITY_LENGTH_MAX = 64;
export const AGORA_ENDPOINTS_MAX = 8;
export const AGORA_ENDPOINT_LENGTH_MAX = 256;
export const AGORA_DESCRIPTION_BYTES_MAX = 512;
export const AGORA_PRICE_TRM_PER_TOKEN_MAX = 1_000_000;
export const AGORA_PATTERNS_MAX = 16;
export const AGORA_PATTERN_LENGTH_MAX = 128;
export const AGORA_MATCHES_MAX = 100;
/** Agents one node registers at most (its own profile included in the registry's per-node bound). */
export const AGORA_AGENTS_MAX = 16;

/** 1..max printable ASCII characters without spaces (ids, model names, URLs). */
const idText = (lengthMax: number) =>
  z
    .string()
    .min(1)
    .max(lengthMax)
    .regex(/^[\x21-\x7e]+$/, "expected printable ASCII without spaces");
const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const agoraAccountSchema = hex64;

/** `POST /v1/tirami/agora/register`: one of this node's agents. */
export const agoraRegisterSchema = z
  .object({
    agent_id: idText(AGORA_AGENT_ID_LENGTH_MAX),
    models: z
      .array(idText(AGORA_MODEL_ID_LENGTH_MAX))
      .max(AGORA_MODELS_MAX)
      .refine(distinct, "models must be distinct"),
    price_trm_per_token: z.number().min(0).max(AGORA_PRICE_TRM_PER_TOKEN_MAX),
    tier: z.enum(AGORA_TIERS),
    capabilities: z
      .array(idText(AGORA_CAPABILITY_LENGTH_MAX))
      .max(AGORA_CAPABILITIES_MAX)
      .refine(distinct, "capabilities must be distinct")
      .default([]),
    endpoints: z
      .array(idText(AGORA_ENDPOINT_LENGTH_MAX))
      .max(AGORA_ENDPOINTS_MAX)
      .refine(distinct, "endpoints must be distinct")
      .default([]),
    description: z
      .string()
      .refine((text) => new TextEncoder().encode(text).length <= AGORA_DESCRIPTION_BYTES_MAX, {
        message: `at most ${AGORA_DESCRIPTION_BYTES_MAX} UTF-8 bytes`,
      })
      .default(""),
  })
  .strict();
export type AgoraRegisterRequest = z.infer<typeof agoraRegisterSchema>;

/** `POST /v1/tirami/agora/find`. */
export const agoraFindSchema = z
  .object({
    model_patterns: z
      .array(z.string().min(1).max(AGORA_PATTERN_LENGTH_MAX))
      .max(AGORA_PATTERNS_MAX)
      .default([]),
    max_trm_per_token: z.number().min(0).max(AGORA_PRICE_TRM_PER_TOKEN_MAX).optional(),
    tier: z.enum(AGORA_TIERS).optional(),
    min_reputation: z.number().min(0).max(1).optional(),
    capabilities: z.array(idText(AGORA_CAPABILITY_LENGTH_MAX)).max(AGORA_CAPABILITIES_MAX).optional(),
    limit: z.number().int().min(1).max(AGORA_MATCHES_MAX).default(20),
  })
  .strict();
export type AgoraFindRequest = z.infer<typeof agoraFindSchema>;

/** `POST /v1/tirami/agora/a2a/task`: a paid task at another node's A2A endpoint. */
export const AGORA_TASK_PROMPT_LENGTH_MAX = 32_768;
export const AGORA_TASK_MAX_TOKENS_MAX = 4_096;
export const agoraTaskSchema = z
  .object({
    /** The provider's agent card URL (or its base URL). */
    url: z.string().url().max(2_048),
    prompt: z.string().min(1).max(AGORA_TASK_PROMPT_LENGTH_MAX),
    model: z.string().min(1).max(AGORA_MODEL_ID_LENGTH_MAX).optional(),
    max_tokens: z.number().int().min(1).max(AGORA_TASK_MAX_TOKENS_MAX).default(64),
  })
  .strict();

/** `POST /v1/tirami/agora/nostr/publish`. */
export const agoraNostrPublishSchema = z.object({ dry_run: z.boolean().default(false) }).strict();
