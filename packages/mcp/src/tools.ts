/**
 * The MCP tools of a node: one per row of the client's endpoint table that names a tool (`mcp`), with the
 * row's summary as description, the route's own request schema as input (path, query and body fields in
 * one object), and annotations an agent host can act on: read-only for GETs, destructive for calls that
 * move money or stop spending (chat, loans, kill switch, policy), open-world for what reaches the mesh.
 * A tool's answer is the node's JSON; a refusal is an error result carrying the node's code.
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  type Endpoint,
  type EndpointName,
  endpoints,
  type TiramiClient,
  TiramiApiError,
  TiramiClientError,
} from "@tirami/client";
import { z } from "zod";

/** What a tool call answers: the JSON as text, or an error result an agent can read. */
export async function toolResult(run: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await run();
    return {
      content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }],
    };
  } catch (error) {
    if (error instanceof TiramiApiError) {
      const retry =
        error.retryAfterMs === undefined ? "" : ` (retry after ${Math.ceil(error.retryAfterMs / 1000)} s)`;
      return {
        isError: true,
        content: [{ type: "text", text: `${error.status} ${error.code}: ${error.message}${retry}` }],
      };
    }
    if (error instanceof TiramiClientError)
      return { isError: true, content: [{ type: "text", text: `${error.code}: ${error.message}` }] };
    throw error;
  }
}

/** The object schema of a tool's input (optional inputs become an object whose fields are all optional). */
function inputSchemaOf(endpoint: Endpoint): z.ZodType {
  const schema = endpoint.input;
  if (schema === undefined) return z.strictObject({});
  return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}

/** The tools, as (name, endpoint name) pairs in table order. */
export function toolNames(): Array<{ tool: string; endpoint: EndpointName }> {
  return (Object.keys(endpoints) as EndpointName[]).flatMap((name) => {
    const tool = endpoints[name].mcp;
    return tool === false ? [] : [{ tool, endpoint: name }];
  });
}

/** Registers every tool on `server`, calling the node through `client`. */
export function registerTools(server: McpServer, client: TiramiClient): void {
  for (const { tool, endpoint: name } of toolNames()) {
    const endpoint: Endpoint = endpoints[name];
    const readOnly = endpoint.method === "GET";
    server.registerTool(
      tool,
      {
        description:
          endpoint.access === "operator" ? `${endpoint.summary} Needs the operator token.` : endpoint.summary,
        inputSchema: inputSchemaOf(endpoint),
        annotations: {
          readOnlyHint: readOnly,
          destructiveHint: endpoint.destructive,
          idempotentHint: readOnly || endpoint.method === "PUT",
          openWorldHint: endpoint.path.startsWith("/v1/") && !endpoint.path.startsWith("/v1/tirami/agents"),
        },
      },
      // The SDK has validated the arguments against the schema; the client checks them again.
      (args: unknown) => toolResult(() => client.call(name, emptyToUndefined(endpoint, args))),
    );
  }
}

/** An empty argument object for a route without input is no input. */
function emptyToUndefined(endpoint: Endpoint, args: unknown): unknown {
  if (endpoint.input !== undefined) return args;
  return undefined;
}
