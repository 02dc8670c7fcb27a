/**
 * Proves the node's MCP endpoint (`/mcp`, streamable HTTP) with the MCP SDK's own client, on a two-node
 * mesh (a provider serving stories260K, a consumer without a model): the tools are listed with JSON-schema
 * inputs and destructive ones annotated; balance answers; a chat is paid through the mesh and its trade is
 * in the consumer's ledger; with the kill switch on, chat is refused with the gate's code; invalid input
 * gets a clear error; a wrong token is refused before MCP; an agent's token cannot use operator tools.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTradeId } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
const started: TestNode[] = [];
const clients: Client[] = [];
let provider: TestNode, consumer: TestNode, consumerUrl: string;

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: "tirami-test", version: "0.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

type ToolAnswer = { isError?: boolean; content: Array<{ type: string; text?: string }> };
const textOf = (answer: unknown): string => ((answer as ToolAnswer).content[0]?.text as string) ?? "";

beforeAll(async () => {
  provider = await createTestNode({
    model: true,
    flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [] },
  });
  started.push(provider);
  await provider.node.start();
  consumer = await createTestNode({
    flags: {
      p2p_port: 0,
      offer_interval_ms: 1_000,
      bootstrap: [provider.node.mesh?.host.multiaddrs()[0] as string],
    },
  });
  started.push(consumer);
  ({ url: consumerUrl } = await consumer.node.start());
  await waitFor("the consumer to see the provider", () => (consumer.node.mesh?.providers().length ?? 0) > 0, {
    timeoutMs: 30_000,
  });
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  for (const t of started.reverse()) await t.close();
});

describe("MCP over streamable HTTP at /mcp", () => {
  it("lists the tools with inputs and annotations, and answers balance", async () => {
    const mcp = await connect(consumerUrl, consumer.token);
    const { tools } = await mcp.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of [
      "tirami_balance",
      "tirami_chat",
      "tirami_kill_switch",
      "tirami_trades",
      "tirami_borrow",
    ])
      expect(byName.has(name)).toBe(true);
    expect(byName.get("tirami_kill_switch")?.annotations?.destructiveHint).toBe(true);
    expect(byName.get("tirami_balance")?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get("tirami_chat")?.inputSchema.properties).toHaveProperty("messages");

    const balance = JSON.parse(textOf(await mcp.callTool({ name: "tirami_balance", arguments: {} }))) as {
      account_id: string;
    };
    expect(balance.account_id).toBe(consumer.node.account);
    const { resources } = await mcp.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual([
      "tirami://ledger/root",
      "tirami://trades/recent",
    ]);
  });

  it("buys a chat through the mesh; with the kill switch on, chat is denied", async () => {
    const mcp = await connect(consumerUrl, consumer.token);
    const messages = [{ role: "user", content: "Once upon a time" }];
    const answer = await mcp.callTool({
      name: "tirami_chat",
      arguments: { model: MODEL, max_tokens: 8, temperature: 0, messages },
    });
    expect((answer as ToolAnswer).isError).toBeFalsy();
    const tradeId = (JSON.parse(textOf(answer)) as { x_tirami: { trade_id: string } }).x_tirami.trade_id;
    expect(tradeId).toSatisfy(isTradeId);
    expect(consumer.node.ledger.getTrade(tradeId)?.trade.provider).toBe(provider.node.account);

    const root = await mcp.readResource({ uri: "tirami://ledger/root" });
    expect(JSON.parse((root.contents[0] as { text: string }).text)).toMatchObject({
      merkle_root: consumer.node.ledger.merkleRoot(),
    });

    await mcp.callTool({ name: "tirami_kill_switch", arguments: { activate: true, reason: "mcp test" } });
    const trades = consumer.node.ledger.tradeCount();
    const denied = await mcp.callTool({
      name: "tirami_chat",
      arguments: { model: MODEL, max_tokens: 8, messages },
    });
    expect((denied as ToolAnswer).isError).toBe(true);
    expect(textOf(denied)).toMatch(/^403 KILL_SWITCH_ACTIVE/);
    expect(consumer.node.ledger.tradeCount()).toBe(trades);
    await mcp.callTool({ name: "tirami_kill_switch", arguments: { activate: false } });
  }, 60_000);

  it("refuses invalid input clearly, a wrong token, and an agent's operator calls", async () => {
    const mcp = await connect(consumerUrl, consumer.token);
    const invalid = await mcp
      .callTool({ name: "tirami_trade", arguments: { trade_id: "not-hex" } })
      .catch((error: unknown) => ({ isError: true, content: [{ type: "text", text: String(error) }] }));
    expect((invalid as ToolAnswer).isError).toBe(true);
    expect(textOf(invalid)).toMatch(/trade_id/);

    await expect(connect(consumerUrl, "wrong-token")).rejects.toThrow(/401|Unauthorized|invalid/i);

    const { token } = consumer.node.agents.create("mcp-agent");
    const agent = await connect(consumerUrl, token);
    const refused = await agent.callTool({ name: "tirami_kill_switch", arguments: { activate: true } });
    expect(textOf(refused)).toMatch(/^403 OPERATOR_ONLY/);
    expect(consumer.node.safety.state().kill_switch.active).toBe(false);
  });
});
