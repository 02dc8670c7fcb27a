/**
 * Proves the trade stream (`GET /v1/tirami/trades/stream`) on a real node with a real mesh host (no
 * peers needed): an operator stream receives every trade the ledger takes, pushed as SSE with its proof
 * path, while an agent's stream receives only the trade this node bought for that agent (attributed by
 * the safety gate's allowing decision for the trade's request id) and not another spender's or a
 * third party's; without a token the stream is refused. On the route mounted alone with tiny limits, an
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

describe("on a node", () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await createTestNode({ flags: { p2p_port: 0, bootstrap: [] } });
    await t.node.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  const open = async (token?: string) => {
    const response = await t.node.http.app.request("/v1/tirami/trades/stream", {
      headers: token === undefined ? {} : t.auth(token),
    });
    return response;
  };

  it("refuses a stream without a token", async () => {
    const response = await open();
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("MISSING_TOKEN");
  });

  it("pushes every trade to the operator and only its own purchase to an agent", async () => {
    const { token: botToken } = t.node.agents.create("bot");
    t.node.agents.create("other");
    const operator = sseReader(await open(t.token));
    const bot = sseReader(await open(botToken));
    await waitFor("both streams to be ready", () =>
      [operator, bot].every((s) => s.events.some((e) => e.event === "ready")),
    );
    const mesh = t.node.mesh;
    if (mesh === undefined) throw new Error("mesh not running");
    const self = t.node.key.signer;
    // The gate allows "bot" one spend and "other" another, as the spend path does before buying.
    for (const [spender, requestId] of [
      ["bot", "bot-req-1"],
      ["other", "other-req-1"],
    ] as const) {
      const decision = t.node.safety.checkSpend({
        spender,
        amountTrm: 5,
        reason: "test purchase",
        requestId,
      });
      expect(decision.allowed).toBe(true);
    }
    const provider = newSigner();
    const botTrade = signedTrade({ provider, consumer: self, requestId: "bot-req-1" });
    const otherTrade = signedTrade({ provider, consumer: self, requestId: "other-req-1" });
    const thirdParty = signedTrade({ provider, consumer: newSigner(), requestId: "bot-req-1" });
    for (const trade of [thirdParty, otherTrade, botTrade])
      expect((await mesh.announceTrade(trade)).outcome).toBe("applied");

    await waitFor("the operator to see three trades", () => operator.trades().length === 3);
    expect(operator.trades().map((trade) => trade.trade_id)).toEqual([
      thirdParty.trade_id,
      otherTrade.trade_id,
      botTrade.trade_id,
    ]);
    expect(operator.trades()[2]?.proof_path).toBe(`/v1/tirami/proof/${botTrade.trade_id}`);
    await waitFor("the agent to see its trade", () => bot.trades().length === 1);
    expect(bot.trades()[0]?.trade_id).toBe(botTrade.trade_id);
    // The agent's stream got nothing else: the other trades were emitted before its own.
    expect(bot.trades()).toHaveLength(1);
    expect(bot.events.find((e) => e.event === "trade")?.id).toBe(botTrade.trade_id);
    await operator.close();
    await bot.close();
  });
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
      safety: { listDecisions: () => [] },
      localAccount: newSigner().accountId,
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
