/**
 * Test helpers: start real mesh hosts on 127.0.0.1 port 0 and stop every one of them afterwards, and poll
 * for a condition (no fixed sleeps standing in for assertions).
 */
import { generateSeed } from "@tirami/core";
import { createMeshHost, type MeshHost, type MeshHostOptions } from "../src/index.js";

export interface HostPool {
  start(options?: Partial<MeshHostOptions>): Promise<MeshHost>;
  stopAll(): Promise<void>;
}

/** A pool that remembers every host it started so `stopAll` (in afterEach) leaves nothing running. */
export function hostPool(): HostPool {
  const hosts: MeshHost[] = [];
  return {
    async start(options = {}) {
      const host = await createMeshHost({
        seed: options.seed ?? generateSeed(),
        listen: ["/ip4/127.0.0.1/tcp/0"],
        bootstrapBackoffBaseMs: 100,
        bootstrapBackoffMaxMs: 1_000,
        gossipHeartbeatMs: 200,
        ...options,
      });
      hosts.push(host);
      await host.start();
      return host;
    },
    async stopAll() {
      await Promise.all(hosts.splice(0).map((host) => host.stop()));
    },
  };
}

/** Polls `check` every 20 ms until it returns true; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves after `ms` (only to let a message that should NOT arrive have its chance to). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
