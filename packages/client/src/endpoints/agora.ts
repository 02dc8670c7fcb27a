/**
 * Rows of the agora's routes (`/v1/tirami/agora/*`, `/v1/tirami/collusion/:account`, docs/agora.md): the
 * marketplace of agents and providers built from signed profiles gossiped over the mesh, reputation from
 * the real trades, collusion detection, Nostr and A2A.
 * @module
 */
import { z } from "zod";
import { endpoint } from "../endpoint.js";
import {
  agoraFindSchema,
  agoraNostrPublishSchema,
  agoraRegisterSchema,
  agoraTaskSchema,
} from "../schemas/agora.js";
import { hex64 } from "../schemas/tirami.js";

type Json = Record<string, unknown>;

const agentIdParam = z.strictObject({ agent_id: z.string().min(1).max(64) });
const accountParam = z.strictObject({ account: hex64 });

export const agoraEndpoints = {
  agoraRegister: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/agora/register",
    summary:
      "Register one of this node's agents (models, price, tier, capabilities), signed by the node and gossiped (operator).",
    access: "operator",
    input: agoraRegisterSchema,
    mcp: "tirami_agora_register",
  }),
  agoraWithdraw: endpoint<Json>()({
    method: "DELETE",
    path: "/v1/tirami/agora/agents/:agent_id",
    summary: "Stop advertising one of this node's agents (operator).",
    access: "operator",
    input: agentIdParam,
    destructive: true,
    mcp: "tirami_agora_withdraw",
  }),
  agoraAgents: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/agora/agents",
    summary: "Agents and providers known from the mesh's signed profiles.",
    access: "token",
    mcp: "tirami_agora_agents",
  }),
  agoraReputation: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/agora/reputation/:account",
    summary:
      "An account's reputation from the real trades (volume, recency, diversity, consistency) and its collusion penalty.",
    access: "token",
    input: accountParam,
    mcp: "tirami_agora_reputation",
  }),
  agoraFind: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/agora/find",
    summary:
      "Find agents by model glob patterns, tier, max price and min reputation, ranked by the composite score.",
    access: "token",
    input: agoraFindSchema,
    mcp: "tirami_agora_find",
  }),
  agoraStats: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/agora/stats",
    summary: "Counts of the registry: agents, nodes, models, expiries.",
    access: "token",
    mcp: "tirami_agora_stats",
  }),
  agoraSnapshot: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/agora/snapshot",
    summary: "The whole registry as this node sees it.",
    access: "token",
    mcp: "tirami_agora_snapshot",
  }),
  agoraNostr: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/agora/nostr",
    summary: "This node's Nostr identity, its relays and its NIP-89 handler advertisement.",
    access: "token",
    mcp: "tirami_agora_nostr",
  }),
  agoraNostrPublish: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/agora/nostr/publish",
    summary:
      "Publish this node's NIP-89 advertisement to its relays; dry_run returns the signed event only (operator).",
    access: "operator",
    input: agoraNostrPublishSchema,
    mcp: "tirami_agora_nostr_publish",
  }),
  agoraTask: endpoint<Json>()({
    method: "POST",
    path: "/v1/tirami/agora/a2a/task",
    summary: "Run a paid task at another node's A2A endpoint; the cost settles as a dual-signed trade.",
    access: "token",
    input: agoraTaskSchema,
    destructive: true,
    mcp: "tirami_agora_task",
  }),
  collusion: endpoint<Json>()({
    method: "GET",
    path: "/v1/tirami/collusion/:account",
    summary:
      "The collusion detector's view of an account: tight clusters, volume spikes, round-robin trades, penalty.",
    access: "token",
    input: accountParam,
    mcp: "tirami_collusion",
  }),
} as const;
