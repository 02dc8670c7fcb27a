/**
 * Reusable mesh topologies for benchmarks: build a graph (line, seeded random connected graph), start one
 * real mesh host per vertex on 127.0.0.1, dial every edge, and wait until all edges are connected.
 * The node app's trade-convergence benchmark builds on `startTopology`.
 */
import { generateSeed } from "@tirami/core";
import { createMeshHost, type MeshHost, type MeshHostOptions } from "../src/index.js";

/** An undirected graph on vertices 0..n-1. */
export interface Topology {
  name: string;
  n: number;
  edges: Array<[number, number]>;
}

/** Deterministic PRNG (mulberry32) so a benchmark's graph and publishers are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** 0 – 1 – 2 – … – n-1: the worst case for propagation (diameter n-1). */
export function lineTopology(n: number): Topology {
  return {
    name: `line-${n}`,
    n,
    edges: Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]),
  };
}

/**
 * A connected random graph: a random spanning tree (each vertex links to an earlier one) plus random extra
 * edges until the average degree reaches `degree`. No self-loops or duplicate edges.
 */
export function randomTopology(n: number, degree: number, random: () => number): Topology {
  const key = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const seen = new Set<string>();
  const edges: Array<[number, number]> = [];
  const add = (a: number, b: number): void => {
    if (a === b || seen.has(key(a, b))) return;
    seen.add(key(a, b));
    edges.push([a, b]);
  };
  for (let v = 1; v < n; v++) add(v, Math.floor(random() * v));
  const target = Math.min(Math.floor((n * degree) / 2), (n * (n - 1)) / 2);
  for (let guard = 0; edges.length < target && guard < 100 * n; guard++)
    add(Math.floor(random() * n), Math.floor(random() * n));
  return { name: `random-${n}-d${degree}`, n, edges };
}

/** Started hosts of a topology; `stop()` stops all of them. */
export interface RunningTopology {
  topology: Topology;
  hosts: MeshHost[];
  stop(): Promise<void>;
}

/**
 * Starts `topology.n` hosts (options merged into each) and connects every edge; resolves when every
 * edge is connected or throws after `connectTimeoutMs` (stopping what it started).
 */
export async function startTopology(
  topology: Topology,
  hostOptions: Partial<MeshHostOptions> = {},
  connectTimeoutMs = 20_000,
): Promise<RunningTopology> {
  const hosts: MeshHost[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(hosts.map((host) => host.stop()));
  };
  try {
    for (let i = 0; i < topology.n; i++) {
      const host = await createMeshHost({
        seed: generateSeed(),
        listen: ["/ip4/127.0.0.1/tcp/0"],
        ...hostOptions,
      });
      hosts.push(host);
      await host.start();
    }
    await Promise.all(
      topology.edges.map(async ([a, b]) => {
        const target = hosts[a]?.multiaddrs()[0];
        if (target === undefined) throw new Error(`host ${a} has no address`);
        await hosts[b]?.dial(target);
      }),
    );
    const deadline = Date.now() + connectTimeoutMs;
    for (const [a, b] of topology.edges) {
      const hostA = hosts[a];
      const hostB = hosts[b];
      if (hostA === undefined || hostB === undefined) throw new Error("edge out of range");
      while (!hostA.connectedAccounts().includes(hostB.account)) {
        if (Date.now() > deadline) throw new Error(`edge ${a}-${b} did not connect`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    return { topology, hosts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
