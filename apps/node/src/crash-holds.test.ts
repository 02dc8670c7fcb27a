/**
 * Proves that no hold outlives the process whose request it was, across separate OS processes (`node
 * dist/main.js`): a provider serving stories260K and a consumer without a model, price 1 TRM/token.
 *
 * - The provider is killed (SIGKILL) in the middle of the consumer's stream of up to 520 tokens, then
 *   restarted from its home: its hold of the consumer's worst case is released at start, so the consumer
 *   can at once buy another 520-token answer (with the dead hold kept, 1,000 − 520 would not cover it).
 * - The consumer is killed in the middle of its own purchase, then restarted: its own hold is released
 *   at start (`reserved_trm` 0, nothing charged), and the provider — which released its hold when the
 *   stream died — serves it another 520-token answer within seconds.
 *
 * Afterwards every ledger file verifies, has no active hold, and both hold the same trades and balances.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedger } from "@tirami/ledger";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { createDaemonPool, type Daemon, freePort, getJson, openaiClient } from "../test/daemons.js";

const MODEL = "stories260K";
const WORST_TOKENS = 520;
const pool = createDaemonPool();
let provider: Daemon, consumer: Daemon;

beforeAll(async () => {
  const p2pPort = await freePort();
  provider = await pool.start("provider", {
    TIRAMI_MODEL: testModelPath(),
    TIRAMI_CHAT_WRAPPER: "general",
    TIRAMI_P2P_PORT: String(p2pPort),
    TIRAMI_PRICE_TRM_PER_TOKEN: "1",
  });
  consumer = await pool.start("consumer", {
    TIRAMI_P2P_PORT: "0",
    TIRAMI_BOOTSTRAP: `/ip4/127.0.0.1/tcp/${p2pPort}`,
  });
  await routed();
}, 90_000);

afterAll(async () => {
  await pool.close();
});

/** Waits until the consumer routes to the provider (after either restarts). */
async function routed(): Promise<void> {
  await waitFor(
    "the consumer to route to the provider",
    async () => (await getJson(consumer, `/v1/tirami/route?model=${MODEL}`)).selected !== null,
    { timeoutMs: 30_000 },
  );
  await new Promise((r) => setTimeout(r, 1_100)); // one gossipsub heartbeat for the trade topic
}

/**
 * Streams a `WORST_TOKENS` answer at the consumer and SIGKILLs `victim` at the first token. Returns true
 * when the kill cut the stream, false when the model finished first (then it was an ordinary purchase).
 */
async function killMidStream(victim: Daemon): Promise<boolean> {
  const stream = await openaiClient(consumer).chat.completions.create({
    model: MODEL,
    max_tokens: WORST_TOKENS,
    temperature: 1,
    stream: true,
    messages: [{ role: "user", content: "Once upon a time" }],
  });
  let killed: Promise<void> | undefined;
  try {
    for await (const _chunk of stream) killed ??= pool.kill(victim);
  } catch {
    await killed;
    return true;
  }
  await killed;
  return victim === consumer; // a killed consumer cut its own stream whatever arrived
}

/**
 * One more purchase with a worst case of 520 TRM (held at both ends while it runs), cut short at the first
 * full stop so that it costs little.
 */
async function buyWorstCase(): Promise<number> {
  const answer = await openaiClient(consumer).chat.completions.create({
    model: MODEL,
    max_tokens: WORST_TOKENS,
    temperature: 0,
    stop: ["."],
    messages: [{ role: "user", content: "Once upon a time" }],
  });
  return (answer as unknown as { x_tirami: { trm_cost: number } }).x_tirami.trm_cost;
}

describe("holds do not outlive their process", () => {
  it("a provider killed mid-stream and restarted serves the same consumer's worst case at once", async () => {
    for (let attempt = 1; !(await killMidStream(provider)); attempt++) {
      expect(attempt).toBeLessThan(4); // the model finished before the kill landed: try again
      provider = await pool.restart(provider);
      await routed();
    }
    expect((await getJson(consumer, "/v1/tirami/balance")).reserved_trm).toBe(0);
    provider = await pool.restart(provider);
    await routed();
    expect(await buyWorstCase()).toBeGreaterThan(0);
  }, 120_000);

  it("a consumer killed during its purchase and restarted holds nothing and is served again within seconds", async () => {
    const before = await getJson(consumer, "/v1/tirami/balance");
    expect(await killMidStream(consumer)).toBe(true);
    consumer = await pool.restart(consumer);
    const after = await getJson(consumer, "/v1/tirami/balance");
    expect({ reserved_trm: after.reserved_trm, balance_trm: after.balance_trm }).toEqual({
      reserved_trm: 0,
      balance_trm: before.balance_trm,
    });
    await routed();
    let cost = 0;
    await waitFor(
      "the provider to serve the restarted consumer's worst case",
      async () => (cost = await buyWorstCase().catch(() => 0)) > 0,
      { timeoutMs: 10_000 },
    );
  }, 120_000);

  it("every ledger verifies, holds nothing, and both agree on trades and balances", async () => {
    const agreed = (network: Record<string, unknown> | undefined) => {
      const { total_accounts: _rows, local_account: _self, mesh: _mesh, ...figures } = network ?? {};
      return figures;
    };
    await waitFor("equal roots", async () => {
      const [a, b] = await Promise.all([provider, consumer].map((d) => getJson(d, "/v1/tirami/network")));
      return a?.merkle_root === b?.merkle_root;
    });
    const [a, b] = await Promise.all([provider, consumer].map((d) => getJson(d, "/v1/tirami/network")));
    expect(agreed(a)).toEqual(agreed(b));
    expect(a?.trading_accounts).toBe(2);
    await Promise.all([pool.stop(consumer), pool.stop(provider)]);
    const views = [provider, consumer].map((d) => {
      const ledger = openLedger({ path: join(d.home, "ledger.db") });
      try {
        expect(ledger.verify().ok).toBe(true);
        expect(ledger.listHolds()).toEqual([]);
        const balance = (account: string) => ledger.balance(account as never).balance_trm;
        return {
          root: ledger.merkleRoot(),
          trades: ledger.tradeCount(),
          provider: balance(provider.account),
          consumer: balance(consumer.account),
        };
      } finally {
        ledger.close();
      }
    });
    expect(views[1]).toEqual(views[0]);
    expect((views[0]?.provider ?? 0) + (views[0]?.consumer ?? 0)).toBe(2_000);
  }, 60_000);
});
