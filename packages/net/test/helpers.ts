/**
 * Test helper: start real mesh hosts on 127.0.0.1 port 0 and stop every one of them afterwards. Waiting
 * for a condition is @tirami/test-kit's `waitFor`.
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
