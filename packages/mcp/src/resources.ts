/**
 * MCP resources of a node: the ledger's Merkle root (with its trade count) and the recent trades, read
 * through the client like every tool.
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { TiramiClient } from "@tirami/client";

/** URI of the ledger's root. */
export const LEDGER_ROOT_URI = "tirami://ledger/root";
/** URI of the recent trades. */
export const RECENT_TRADES_URI = "tirami://trades/recent";

/** Registers the resources on `server`. */
export function registerResources(server: McpServer, client: TiramiClient): void {
  server.registerResource(
    "ledger-root",
    LEDGER_ROOT_URI,
    {
      title: "Ledger Merkle root",
      description: "The root of this node's trade log (RFC 9162), its trade count and its account.",
      mimeType: "application/json",
    },
    async (uri) => {
      const network = await client.network();
      const body = {
        merkle_root: network.merkle_root,
        total_trades: network.total_trades,
        local_account: network.local_account,
      };
      return {
        contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(body, null, 2) }],
      };
    },
  );
  server.registerResource(
    "recent-trades",
    RECENT_TRADES_URI,
    {
      title: "Recent trades",
      description: "The newest dual-signed trades of this node's ledger.",
      mimeType: "application/json",
    },
    async (uri) => {
      const trades = await client.trades({ limit: 20 });
      return {
        contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(trades, null, 2) }],
      };
    },
  );
}
