/**
 * Proves the trade stream (`GET /v1/tirami/trades/stream`) on a consumer node buying from a provider
 * serving stories260K over libp2p on 127.0.0.1: an operator stream receives every trade the ledger takes
 * (a gossiped third-party trade and three purchases), pushed as SSE with its source and proof path, while
 * an agent's stream receives only the trade bought for that agent, not the operator's, another agent's or
 * the third party's; without a token the stream is refused. On the route mounted alone with tiny limits, an
 * idle stream sends heartbeats and the subscriber cap answers 503 STREAMS_FULL until a stream closes.
 */
import { Hono } from "hono";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@tirami/test-kit";
import { newSigner, signedTrade } from "@tirami/test-trades";
import { createTestNode, type TestNode } from "../../test/fixture.js";
import { createErrorHandler } from "../middleware/on-error.js";
import type { AppEnv } from "../principal.js";
import { tradeStreamRoutes } from "./trades-stream.js";

const MODEL = "stories260K";

/** Reads SSE text from a response into `events`/`comments` until cancelled. */
function sseReader(response: Response) {
  const events: Array<{ event: string; data: string; id?: string }> = [];
  let comments = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const done = (async () => {
    for (;;) {
      const { value, done: ended } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (ended) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(":")) comments += 1;
        const field = (name: string) =>
          block
            .split("\n")
            .find((line) => line.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim();
        const event = field("event");
        if (event !== undefined) events.push({ event, data: field("data") ?? "", id: field("id") });
      }
    }
  })();
  return {
    events,
    comments: () => comments,
    trades: () =>
      events
        .filter((e) => e.event === "trade")
        .map((e) => JSON.parse(e.data) as { trade_id: string; source: string; proof_path: string }),
    async close() {
      await reader.cancel();
      await done;
    },
  };
}

describe("on a consumer node of a two-node mesh", () => {
  const started: TestNode[] = [];
  let consumer: TestNode;
  beforeAll(async () => {
    const provider = await createTestNode({
      model: true,
      flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [] },
    });
    started.push(provider);
    await provider.node.start();
    const boot = provider.node.mesh?.host.multiaddrs()[0] as string;
    consumer = await createTestNode({ flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [boot] } });
    started.push(consumer);
    await consumer.node.start();
    await waitFor(
      "the consumer to route to the provider",
      () => (consumer.node.mesh?.route(MODEL, "balanced").length ?? 0) > 0,
      {
        timeoutMs: 30_000,
      },
    );
  }, 60_000);
  afterAll(async () => {
    for (const t of started.reverse()) await t.close();
  });

  const open = (token?: string) =>
    consumer.node.http.app.request("/v1/tirami/trades/stream", {
      headers: token === undefined ? {} : consumer.auth(token),
    });
  /** Buys a short answer from the provider as `token`'s principal; returns the trade id. */
  const buy = async (token: string): Promise<string> => {
    const response = await consumer.node.http.app.request("/v1/chat/completions", {
      method: "POST",
      headers: { ...consumer.auth(token), "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 4,
        temperature: 0,
        messages: [{ role: "user", content: "Once" }],
      }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { x_tirami: { trade_id: string } }).x_tirami.trade_id;
  };

  it("refuses a stream without a token", async () => {
    const response = await open();
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("MISSING_TOKEN");
  });

  it(
    "pushes every trade to the operator and only its own purchase to an agent",
    { timeout: 60_000 },
    async () => {
      const { token: botToken } = consumer.node.agents.create("bot");
      const { token: otherToken } = consumer.node.agents.create("other");
      const operator = sseReader(await open(consumer.token));
      const bot = sseReader(await open(botToken));
      await waitFor("both streams to be ready", () =>
        [operator, bot].every((s) => s.events.some((e) => e.event === "ready")),
      );

      // A trade between two other accounts, learnt as gossip would bring it.
      const thirdParty = signedTrade({ provider: newSigner(), consumer: newSigner() });
      expect((await consumer.node.mesh?.announceTrade(thirdParty))?.outcome).toBe("applied");
      const bought = [await buy(consumer.token), await buy(otherToken), await buy(botToken)];

      await waitFor("the operator to see four trades", () => operator.trades().length === 4);
      expect(operator.trades().map((trade) => trade.trade_id)).toEqual([thirdParty.trade_id, ...bought]);
      expect(operator.trades()[3]).toMatchObject({
        source: "consumer",
        proof_path: `/v1/tirami/proof/${bought[2]}`,
      });
      // Each listener hears each trade in the same turn, so by now the agent heard all four: it kept one.
      expect(bot.trades().map((trade) => trade.trade_id)).toEqual([bought[2]]);
      expect(bot.events.find((e) => e.event === "trade")?.id).toBe(bought[2]);
      await operator.close();
      await bot.close();
    },
  );
});

describe("the route alone", () => {
  const app = new Hono<AppEnv>();
  app.onError(createErrorHandler(pino({ level: "silent" })));
  app.use("*", async (c, next) => {
    c.set("principal", { kind: "operator" });
    return next();
  });
  app.route(
    "/",
    tradeStreamRoutes({
      mesh: () => undefined,
      owners: { ownerOf: () => undefined },
      settings: { heartbeatMs: 20, subscribersMax: 1 },
    }),
  );

  it("sends heartbeats on an idle stream and caps the subscribers", async () => {
    const first = await app.request("/trades/stream");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toContain("text/event-stream");
    const stream = sseReader(first);
    await waitFor("two heartbeats", () => stream.comments() >= 2);
    expect(JSON.parse(stream.events[0]?.data ?? "{}")).toEqual({ heartbeat_ms: 20, mesh: false });

    const refused = await app.request("/trades/stream");
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("STREAMS_FULL");
    expect(refused.headers.get("retry-after")).toBe("1");
    await stream.close();
    await waitFor("the slot to free up", async () => {
      const again = await app.request("/trades/stream");
      if (again.status !== 200) return false;
      await again.body?.cancel();
      return true;
    });
  });
});
