/**
 * @tirami/mcp — an MCP server for a Tirami node, built on @tirami/client: one tool per capability of the
 * node's API (with JSON-schema inputs from the node's own request schemas and destructive calls marked),
 * resources for the ledger's root and recent trades, over stdio or streamable HTTP.
 * @packageDocumentation
 */
export { createMcpHttpHandler, createMcpServer, MCP_SERVER_INFO, serveStdio } from "./server.js";
export { registerTools, toolNames, toolResult } from "./tools.js";
export { LEDGER_ROOT_URI, RECENT_TRADES_URI, registerResources } from "./resources.js";
