/**
 * The node's A2A agent card (A2A protocol 1.0, served at `/.well-known/agent-card.json`, the SDK's
 * `AGENT_CARD_PATH`): one skill per model the node serves, the JSON-RPC interface at `<base>/a2a`, and the
 * payment extension (required: every task is paid in TRM) whose params say who gets paid and at what
 * price. Built as the SDK's `AgentCard` type and rendered with its own `AgentCard.toJSON`, so the card is
 * exactly the protocol's shape.
 * @module
 */
import { A2A_PROTOCOL_VERSION, AgentCard } from "@a2a-js/sdk";
import type { AccountId } from "@tirami/core";
import { A2A_MAX_TOKENS_MAX, A2A_PAYMENT_EXTENSION_URI } from "./payment.js";

/** Path of the JSON-RPC endpoint, relative to the node's base URL. */
export const A2A_ENDPOINT_PATH = "/a2a";

/** What the card describes. */
export interface AgentCardInput {
  /** The node's HTTP base URL (its `public_url`, or the address a request came in on). */
  baseUrl: string;
  /** The node account that is paid (its Ed25519 public key). */
  account: AccountId;
  /** Models served and their price now. */
  models: ReadonlyArray<{ model_id: string; price_trm_per_token: number }>;
  version: string;
}

/** The card as the SDK types it. */
export function buildAgentCard(input: AgentCardInput): AgentCard {
  const base = input.baseUrl.replace(/\/+$/, "");
  return {
    name: `Tirami node ${input.account.slice(0, 16)}`,
    description:
      "Inference on the Tirami mesh, paid per token in TRM: every task settles as a dual-signed trade on both ledgers.",
    supportedInterfaces: [
      {
        url: `${base}${A2A_ENDPOINT_PATH}`,
        protocolBinding: "JSONRPC",
        tenant: "",
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
    ],
    provider: { organization: `Tirami node ${input.account}`, url: base },
    version: input.version,
    capabilities: {
      streaming: false,
      pushNotifications: false,
      extendedAgentCard: false,
      extensions: [
        {
          uri: A2A_PAYMENT_EXTENSION_URI,
          description:
            "Paid inference: the first message carries the consumer's signed intent, the task returns the provider's signed trade, the second message the consumer's signature (docs/agora.md).",
          required: true,
          params: {
            account: input.account,
            currency: "TRM",
            max_tokens_max: A2A_MAX_TOKENS_MAX,
            prices: Object.fromEntries(input.models.map((m) => [m.model_id, m.price_trm_per_token])),
          },
        },
      ],
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: input.models.map((model) => ({
      id: `inference:${model.model_id}`,
      name: `Text generation with ${model.model_id}`,
      description: `Completes a prompt with ${model.model_id} at ${model.price_trm_per_token} TRM per completion token.`,
      tags: ["inference", "text-generation", "tirami"],
      examples: ["Once upon a time"],
      inputModes: ["text/plain"],
      outputModes: ["text/plain"],
      securityRequirements: [],
    })),
    signatures: [],
  };
}

/** The card's JSON, as `/.well-known/agent-card.json` serves it. */
export function agentCardJson(input: AgentCardInput): unknown {
  return AgentCard.toJSON(buildAgentCard(input));
}
