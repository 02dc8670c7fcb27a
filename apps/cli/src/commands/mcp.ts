/**
 * `tirami mcp`: the node's MCP server over stdio, for desktop agents (Claude Desktop, IDEs): every tool
 * calls the node at `--url` with the token `tirami` would use, through @tirami/client (docs/mcp.md).
 * stdout carries MCP's JSON-RPC only; nothing else is printed there. Runs until stdin closes.
 * @module
 */
import { Command } from "commander";
import { createTiramiClient } from "@tirami/client";
import { serveStdio } from "@tirami/mcp";
import { defineAction } from "../command-kit.js";
import { CHAT_TIMEOUT_MS_DEFAULT } from "../constants.js";
import type { CliDeps } from "../deps.js";

export function mcpCommand(deps: CliDeps): Command {
  return new Command("mcp")
    .description("serve this node's tools to an AI agent over MCP (stdio)")
    .addHelpText(
      "after",
      "\nExample (Claude Desktop's config):\n" +
        '  { "mcpServers": { "tirami": { "command": "tirami", "args": ["mcp", "--url", "http://127.0.0.1:3000"] } } }',
    )
    .action(
      defineAction(deps, async (ctx) => {
        const { token } = ctx.client();
        const client = createTiramiClient({
          baseUrl: ctx.options.url,
          ...(token.value === undefined ? {} : { token: token.value }),
          // A paid chat may take as long as a CLI chat does.
          timeoutMs: Math.max(ctx.options.timeout_ms, CHAT_TIMEOUT_MS_DEFAULT),
        });
        const ended = new Promise<void>((resolve) => {
          process.stdin.once("end", resolve);
          process.stdin.once("close", resolve);
        });
        const server = await serveStdio(client);
        await ended;
        await server.close();
      }),
    );
}
