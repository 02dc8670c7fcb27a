/**
 * Benchmark meshes: start one real mesh host per node of a topology (the graphs come from
 * @tirami/test-kit) on 127.0.0.1, dial every edge, and wait until every edge is connected.
 */
import { generateSeed } from "@tirami/core";
import { connectTopology, type Topology } from "@tirami/test-kit";
import { createMeshHost, type MeshHost, type MeshHostOptions } from "../src/index.js";

/** Started hosts of a topology, by node index; `stop()` stops all of them. */
export interface RunningTopology {
  topology: Topology;
  hosts: MeshHost[];
  stop(): Promise<void>;
}

/**
 * Starts `topology.nodeCount` hosts (options merged into each) and connects every edge; resolves when every
 * edge is connected or throws after `connectTimeoutMs` (stopping what it started).
 */
export async function startHostTopology(
  topology: Topology,
  hostOptions: Partial<MeshHostOptions> = {},
  connectTimeoutMs = 20_000,
): Promise<RunningTopology> {
  const hosts: MeshHost[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(hosts.map((host) => host.stop()));
  };
  try {
    for (let i = 0; i < topology.nodeCount; i++) {
      const host = await createMeshHost({
        seed: generateSeed(),
        listen: ["/ip4/127.0.0.1/tcp/0"],
        ...hostOptions,
      });
      hosts.push(host);
      await host.start();
    }
    await connectTopology(hosts, topology, {
      addr: (host) => {
        const address = host.multiaddrs()[0];
        if (address === undefined) throw new Error(`host ${host.account} has no address`);
        return address;
      },
      dial: (from, address) => from.dial(address),
      connected: (a, b) => a.connectedAccounts().includes(b.account),
      timeoutMs: connectTimeoutMs,
    });
    return { topology, hosts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
