/**
 * @tirami/node (apps) — the Tirami node daemon: composes the ledger, safety gate and inference engine
 * behind an OpenAI-compatible HTTP API with the TRM economy, safety and agent routes.
 * @packageDocumentation
 */

/** Node and app. */
export {
  createNode,
  isLoopback,
  LEDGER_FILE,
  NODE_DB_FILE,
  type NodeOptions,
  type TiramiNode,
} from "./node.js";
export { type AppDeps, createApp, type NodeApp } from "./app.js";
export { NODE_CONFIG_TABLE, type NodeConfig, readNodeConfig } from "./config.js";

/** Agents, tokens and errors. */
export { type Agent, type AgentRegistry, type AgentStatus, agentSpender } from "./agents/registry.js";
export { agentSpenders } from "./agents/spenders.js";
export { ERROR_MAPPINGS, NodeError, NodeErrorCode } from "./errors.js";
export type { EnginePort, LedgerPort, PricingPort, SafetyPort } from "./deps.js";
