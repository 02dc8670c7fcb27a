/**
 * The MCP server of a Tirami node, built on @tirami/client: `createMcpServer(client)` registers the tools
 * and resources; `serveStdio` speaks MCP over stdin/stdout (for desktop agents: `tirami mcp`);
 * `createMcpHttpHandler` answers MCP's streamable HTTP transport (stateless, JSON answers) with a client
 * per request, so every tool call carries the caller's own token through the node's auth and safety gate.
 * @module
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { TiramiClient } from "@tirami/client";
import { registerResources } from "./resources.js";
import { registerTools } from "./tools.js";

/** The server's name and version as MCP clients see them. */
export const MCP_SERVER_INFO = { name: "tirami", version: "0.1.0" } as const;

const INSTRUCTIONS =
  "Tools of a Tirami node: inference paid in TRM (tirami_chat), the node's balance, prices, trades and " +
  "their Merkle proofs, the mesh's providers, loans, the safety gate (kill switch, policies, approvals) " +
  "and agents. Paid calls can be refused by the safety gate (kill switch, budget, approval needed): the " +
  "error text names the reason code.";

/** An MCP server whose tools call the node through `client`. */
export function createMcpServer(client: TiramiClient): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, { instructions: INSTRUCTIONS });
  registerTools(server, client);
  registerResources(server, client);
  return server;
}

/** Serves MCP over stdio until stdin closes. */
export async function serveStdio(client: TiramiClient): Promise<McpServer> {
  const server = createMcpServer(client);
  await server.connect(new StdioServerTransport());
  return server;
}

/**
 * A handler of MCP's streamable HTTP transport: each request gets its own server and transport
 * (stateless, answers as JSON), talking to the node through `clientFor(request)`.
 */
export function createMcpHttpHandler(
  clientFor: (request: Request) => TiramiClient,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const server = createMcpServer(clientFor(request));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  };
}
