/**
 * Proves the composition root on real files: a non-loopback bind without an explicit token is refused
 * before anything is created; the node key, operator token (0600), agents and the kill switch survive a
 * restart in the same home; a second node on a home in use fails with the holder's pid before it
 * loads a model; the configuration table reads env values and reports bad ones (bootstrap addresses
 * included); and the maintenance loop releases expired holds on the real ledger.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createManualClock, isTiramiError } from "@tirami/core";
import { pino } from "pino";
import { readNodeConfig } from "./config.js";
import { startMaintenanceLoop } from "./loops/maintenance.js";
import { startPricingLoop } from "./loops/pricing.js";
import { createNode, isLoopback } from "./node.js";
import { createCounterparty, createTestNode } from "../test/fixture.js";

const silent = pino({ level: "silent" });

/** The issues `readNodeConfig` reports for `sources` (none when it accepts them). */
function issuesOf(sources: Parameters<typeof readNodeConfig>[0]): string[] {
  try {
    readNodeConfig(sources);
  } catch (error) {
    return (error as { details: { issues: string[] } }).details.issues;
  }
  return [];
}

describe("createNode", () => {
  it("refuses a non-loopback bind without an explicit api_token, creating nothing", async () => {
    const home = mkdtempSync(join(tmpdir(), "tirami-node-bind-"));
    try {
      const config = readNodeConfig({ flags: { home, api_bind: "0.0.0.0", log_level: "silent" } });
      const error = await createNode({ config, logger: silent }).catch((caught: unknown) => caught);
      expect(isTiramiError(error, "UNSAFE_BIND")).toBe(true);
      expect(existsSync(join(home, "node.key"))).toBe(false);
      expect(existsSync(join(home, "ledger.db"))).toBe(false);
      const allowed = await createNode({
        config: { ...config, api_token: "a-long-explicit-operator-token" },
        logger: silent,
      });
      expect(allowed.operatorToken.source).toBe("config");
      await allowed.stop();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    expect([
      isLoopback("127.0.0.1"),
      isLoopback("127.8.9.1"),
      isLoopback("::1"),
      isLoopback("localhost"),
      isLoopback("10.0.0.1"),
      isLoopback("::"),
    ]).toEqual([true, true, true, true, false, false]);
  });

  it("keeps its key, operator token, agents and kill switch across a restart", async () => {
    const first = await createTestNode();
    const { home, token } = first;
    const account = first.node.account;
    expect(first.node.operatorToken.source).toBe("created");
    expect(statSync(join(home, "api.token")).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "node.key")).mode & 0o777).toBe(0o600);
    first.node.agents.create("survivor");
    first.node.safety.activateKill("restart test", "operator");
    await first.node.stop();

    const config = readNodeConfig({ flags: { home, log_level: "silent" } });
    const second = await createNode({ config, logger: silent });
    try {
      expect(second.account).toBe(account);
      expect(second.operatorToken).toMatchObject({ token, source: "file" });
      expect(second.agents.get("survivor").status).toBe("active");
      expect(second.safety.killSwitch()).toMatchObject({ active: true, reason: "restart test" });
      const response = await second.http.app.request("/v1/tirami/safety", {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await response.json()) as { kill_switch: { active: boolean } }).kill_switch.active).toBe(true);
    } finally {
      await second.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("one node per home", () => {
  it("refuses a second node on a home in use before loading its model, naming the holder's pid", async () => {
    const first = await createTestNode();
    try {
      // A model path that does not exist: had the second node got as far as its model, it would fail
      // with MODEL_NOT_FOUND (or, on the databases, with SQLite's "database is locked") instead.
      const config = readNodeConfig({
        flags: { home: first.home, log_level: "silent", model: join(first.home, "absent.gguf") },
      });
      const error = await createNode({ config, logger: silent }).catch((caught: unknown) => caught);
      expect(isTiramiError(error, "HOME_IN_USE")).toBe(true);
      expect((error as { details: unknown }).details).toMatchObject({
        pid: process.pid,
        path: join(first.home, "node.lock"),
      });
      // The first node is untouched, and stopping it frees the home for the next one.
      expect(first.node.ledger.verify().ok).toBe(true);
      await first.node.stop();
      expect(existsSync(join(first.home, "node.lock"))).toBe(false);
      const next = await createNode({ config: { ...config, model: undefined }, logger: silent });
      expect(existsSync(join(first.home, "node.lock"))).toBe(true);
      await next.stop();
    } finally {
      await first.close();
    }
  });
});

describe("graceful stop", () => {
  it("lets a remote purchase in flight finish its settlement, paying for what it received, before closing the ledger", async () => {
    const t = await createTestNode({ flags: { shutdown_grace_ms: 0 } });
    const provider = createCounterparty();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const purchase = t.node.spend.spend({
      spender: "operator",
      counterparty: provider,
      modelId: "stories260K",
      priceTrmPerToken: 1,
      maxTokens: 100,
      requestId: "in-flight-at-stop",
      run: (signal) =>
        new Promise<{ promptTokens: number; completionTokens: number }>((resolve) => {
          started();
          signal.addEventListener("abort", () => resolve({ promptTokens: 4, completionTokens: 6 }), {
            once: true,
          });
        }),
    });
    await running;
    const stopped = t.node.stop();
    const outcome = await purchase;
    expect(outcome).toMatchObject({ amountTrm: 6, heldTrm: 100 });
    expect(outcome.effectiveBalanceTrm).toBe(1_000 - 6);
    await stopped;
    expect(() => t.node.ledger.tradeCount()).toThrow();
    await expect(
      t.node.spend.spend({
        spender: "operator",
        counterparty: provider,
        modelId: "m",
        priceTrmPerToken: 1,
        maxTokens: 1,
        requestId: "late",
        run: async () => ({ promptTokens: 1, completionTokens: 1 }),
      }),
    ).rejects.toMatchObject({ code: "SHUTTING_DOWN" });
    rmSync(t.home, { recursive: true, force: true });
  });
});

describe("pricing", () => {
  it("quotes the ledger's live price (fed by the pricing loop) unless a fixed price is configured", async () => {
    const live = await createTestNode({ flags: { price_trm_per_token: undefined } });
    try {
      const response = await live.node.http.app.request("/v1/tirami/pricing", { headers: live.auth() });
      const body = (await response.json()) as {
        source: string;
        price_trm_per_token: number;
        deflation_factor: number;
      };
      expect(body.source).toBe("live");
      expect(body.price_trm_per_token).toBe(live.node.ledger.pricing.quote().price_trm_per_token);
      expect(body.deflation_factor).toEqual(expect.any(Number));
    } finally {
      await live.close();
    }
    const fed = await createTestNode({ flags: { price_trm_per_token: undefined } });
    try {
      const before = fed.node.ledger.pricing.snapshot().observations_total;
      const loop = startPricingLoop({
        observe: (input) => fed.node.ledger.pricing.observe(input),
        providersSeen: () => 1,
        requestsInFlight: () => 3,
        logger: silent,
      });
      loop.tick();
      loop.stop();
      expect(fed.node.ledger.pricing.snapshot()).toMatchObject({
        observations_total: before + 1,
        supply: 1,
        demand: 3,
      });
    } finally {
      await fed.close();
    }
    const fixed = await createTestNode({ flags: { price_trm_per_token: 2.5 } });
    try {
      const body = (await (
        await fixed.node.http.app.request("/v1/tirami/pricing", { headers: fixed.auth() })
      ).json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        source: "config",
        price_trm_per_token: 2.5,
        estimated_cost_100_tokens_trm: 250,
      });
    } finally {
      await fixed.close();
    }
  });
});

describe("configuration", () => {
  it("reads TIRAMI_* variables over defaults and reports every bad value", () => {
    const config = readNodeConfig({ env: { TIRAMI_API_PORT: "8123", TIRAMI_MAX_TOKENS_MAX: "64" } });
    expect(config).toMatchObject({
      api_port: 8123,
      max_tokens_max: 64,
      api_bind: "127.0.0.1",
      body_bytes_max: 65_536,
      threads: 1,
    });
    let caught: unknown;
    try {
      readNodeConfig({ env: { TIRAMI_API_PORT: "70000", TIRAMI_THREADS: "zero" } });
    } catch (error) {
      caught = error;
    }
    expect(isTiramiError(caught, "CONFIG_INVALID")).toBe(true);
    expect((caught as Error).message).toContain("api_port");
    expect((caught as Error).message).toContain("threads");
  });

  it("rejects a bootstrap entry that is not a dialable multiaddr, naming where it came from", () => {
    expect(issuesOf({ flags: { bootstrap: ["garbage"] }, flagNames: { bootstrap: "--seed" } })).toEqual([
      expect.stringMatching(/^bootstrap = \["garbage"\] \(from flag --seed\): "garbage" is not a multiaddr/),
    ]);
    expect(issuesOf({ env: { TIRAMI_BOOTSTRAP: "/ip4/127.0.0.1/tcp/1,nope" } })).toEqual([
      expect.stringMatching(/\(from env TIRAMI_BOOTSTRAP\): "nope" is not a multiaddr/),
    ]);
    expect(issuesOf({ env: { TIRAMI_BOOTSTRAP: "/ip4/127.0.0.1/tcp/7700" } })).toEqual([]);
  });

  it("rejects bind addresses that are not addresses with the other options, before anything starts", () => {
    expect(issuesOf({ flags: { p2p_bind: "garbage", api_bind: "not an address" } })).toEqual([
      expect.stringMatching(
        /^api_bind = "not an address" \(from flag [^)]*\): expected an IP address or localhost/,
      ),
      expect.stringMatching(/^p2p_bind = "garbage" \(from flag [^)]*\): expected an IPv4 address/),
    ]);
    expect(issuesOf({ flags: { p2p_bind: "0.0.0.0", api_bind: "::1" } })).toEqual([]);
  });
});

describe("maintenance loop", () => {
  it("releases holds past their deadline on the real ledger", async () => {
    const clock = createManualClock(Date.now());
    const t = await createTestNode({ clock });
    try {
      const { ledger, account } = t.node;
      ledger.reserve({ account, amountTrm: 50, reason: "stale", ttlMs: 1_000 });
      expect(ledger.balance(account).reserved_trm).toBe(50);
      const loop = startMaintenanceLoop({
        releaseExpiredHolds: () => ledger.releaseExpiredHolds(),
        expireApprovals: () => t.node.safety.expireApprovals(),
        logger: silent,
      });
      loop.tick();
      expect(ledger.balance(account).reserved_trm).toBe(50);
      clock.advanceMs(2_000);
      loop.tick();
      loop.stop();
      expect(ledger.balance(account).reserved_trm).toBe(0);
    } finally {
      await t.close();
    }
  });
});
