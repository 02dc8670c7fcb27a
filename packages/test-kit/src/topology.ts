/**
 * Mesh topologies for tests and benches, independent of any node type: a graph (line, star, or a connected
 * random graph from a seed) and two ways to realise it — start nodes one by one, each bootstrapping to its
 * already-started neighbours (`startTopology`), or dial every edge between nodes already running
 * (`connectTopology`). The caller says how to start, address, dial and ask a node, so the same helpers
 * serve libp2p hosts, ledger-only mesh nodes and whole nodes alike.
 * @module
 */
import { waitFor, type WaitOptions } from "./wait.js";

/** Most nodes a topology may have: tests and benches on one machine stay far below it. */
export const TOPOLOGY_NODES_MAX = 1_000;

/** An undirected graph on nodes `0 … nodeCount-1`; each edge `[a, b]` has `a < b`, none repeats. */
export interface Topology {
  /** For reports, e.g. `line-5`, `star-4`, `random-20-d4-s7`. */
  readonly name: string;
  readonly nodeCount: number;
  readonly edges: readonly (readonly [number, number])[];
}

function checkNodeCount(nodeCount: number): void {
  if (!Number.isSafeInteger(nodeCount) || nodeCount < 1 || nodeCount > TOPOLOGY_NODES_MAX)
    throw new RangeError(`"nodeCount" expected an integer from 1 to ${TOPOLOGY_NODES_MAX}, got ${nodeCount}`);
}

/**
 * A deterministic pseudo-random generator (mulberry32) returning numbers in [0, 1): the same `seed` gives
 * the same sequence on every run, so a test's graph or kill point can be reproduced from its seed.
 */
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

/** 0 – 1 – 2 – … – (nodeCount-1): the longest path a message can take (diameter nodeCount-1). */
export function lineTopology(nodeCount: number): Topology {
  checkNodeCount(nodeCount);
  const edges = Array.from({ length: nodeCount - 1 }, (_, i) => [i, i + 1] as const);
  return { name: `line-${nodeCount}`, nodeCount, edges };
}

/** Node 0 is the hub; every other node links to it only (diameter 2). */
export function starTopology(nodeCount: number): Topology {
  checkNodeCount(nodeCount);
  const edges = Array.from({ length: nodeCount - 1 }, (_, i) => [0, i + 1] as const);
  return { name: `star-${nodeCount}`, nodeCount, edges };
}

/**
 * A connected random graph drawn from `seed`: a random spanning tree (each node links to an earlier one),
 * then random extra edges until the average degree reaches `degree` (or the graph is complete). No
 * self-loops, no repeated edges.
 */
export function randomTopology(nodeCount: number, options: { degree: number; seed: number }): Topology {
  checkNodeCount(nodeCount);
  if (!Number.isFinite(options.degree) || options.degree < 0)
    throw new RangeError(`"degree" expected a non-negative number, got ${options.degree}`);
  const random = seededRandom(options.seed);
  const pick = (below: number): number => Math.floor(random() * below);
  const seen = new Set<string>();
  const edges: (readonly [number, number])[] = [];
  const add = (x: number, y: number): void => {
    const [a, b] = x < y ? [x, y] : [y, x];
    if (a === b || seen.has(`${a}-${b}`)) return;
    seen.add(`${a}-${b}`);
    edges.push([a, b]);
  };
  for (let node = 1; node < nodeCount; node++) add(pick(node), node);
  const target = Math.min(Math.floor((nodeCount * options.degree) / 2), (nodeCount * (nodeCount - 1)) / 2);
  // Bounded: duplicates and self-loops are redrawn, but never more than 100 draws per node.
  for (let draw = 0; edges.length < target && draw < 100 * nodeCount; draw++)
    add(pick(nodeCount), pick(nodeCount));
  return {
    name: `random-${nodeCount}-d${options.degree}-s${options.seed}`,
    nodeCount,
    edges: edges.sort((p, q) => p[0] - q[0] || p[1] - q[1]),
  };
}

/** The neighbours of `node` with a lower index: the ones it bootstraps to when started in index order. */
export function earlierNeighbours(topology: Topology, node: number): number[] {
  return topology.edges.filter(([, b]) => b === node).map(([a]) => a);
}

/** How to wait until the edges of a topology are up. */
export interface ConnectedOptions<N> extends WaitOptions {
  /** True once `a` and `b` are connected (e.g. `a.connectedAccounts().includes(b.account)`). */
  connected(a: N, b: N): boolean;
}

/** Waits until `connected` holds for both ends of every edge; the error names the first edge still down. */
export async function waitForEdges<N>(
  nodes: readonly N[],
  topology: Topology,
  options: ConnectedOptions<N>,
): Promise<void> {
  for (const [a, b] of topology.edges) {
    const nodeA = nodeAt(nodes, a);
    const nodeB = nodeAt(nodes, b);
    await waitFor(
      `edge ${a}–${b} of ${topology.name} to connect`,
      () => options.connected(nodeA, nodeB) && options.connected(nodeB, nodeA),
      options,
    );
  }
}

function nodeAt<N>(nodes: readonly N[], index: number): N {
  if (index >= nodes.length)
    throw new RangeError(`the topology needs node ${index}, got ${nodes.length} nodes`);
  return nodes[index] as N;
}

/** How `startTopology` starts and addresses nodes. */
export interface StartTopologyOptions<N> extends Partial<ConnectedOptions<N>> {
  /**
   * Starts node `index` with `bootstrap`, the addresses of its already-started neighbours. Register the
   * node's stop here (a pool stopped in `afterEach`, or `onTestFinished`): if a later start fails,
   * `startTopology` throws and the nodes started so far are the caller's to stop.
   */
  start(index: number, bootstrap: string[]): Promise<N>;
  /** An address another node can dial (a multiaddr). */
  addr(node: N): string;
}

/**
 * Starts `topology.nodeCount` nodes in index order, each with its earlier neighbours as bootstrap peers,
 * so every edge gets dialed once. With `connected`, also waits until every edge is up. Returns the nodes
 * by index.
 * @example
 * const hosts = await startTopology(lineTopology(3), {
 *   start: (_index, bootstrap) => pool.start({ bootstrap }),
 *   addr: (host) => host.multiaddrs()[0]!,
 *   connected: (a, b) => a.connectedAccounts().includes(b.account),
 * });
 */
export async function startTopology<N>(topology: Topology, options: StartTopologyOptions<N>): Promise<N[]> {
  const nodes: N[] = [];
  for (let index = 0; index < topology.nodeCount; index++) {
    const bootstrap = earlierNeighbours(topology, index).map((a) => options.addr(nodeAt(nodes, a)));
    nodes.push(await options.start(index, bootstrap));
  }
  await waitIfAsked(nodes, topology, options);
  return nodes;
}

/** How `connectTopology` addresses and dials nodes. */
export interface ConnectTopologyOptions<N> extends Partial<ConnectedOptions<N>> {
  /** An address another node can dial (a multiaddr). */
  addr(node: N): string;
  /** Makes `from` dial `addr`. */
  dial(from: N, addr: string): Promise<unknown>;
}

/**
 * Connects running nodes as `topology` says: for every edge `[a, b]`, node `b` dials node `a` (all edges
 * at once). With `connected`, also waits until every edge is up.
 */
export async function connectTopology<N>(
  nodes: readonly N[],
  topology: Topology,
  options: ConnectTopologyOptions<N>,
): Promise<void> {
  if (nodes.length < topology.nodeCount)
    throw new RangeError(`${topology.name} needs ${topology.nodeCount} nodes, got ${nodes.length}`);
  await Promise.all(
    topology.edges.map(([a, b]) => options.dial(nodeAt(nodes, b), options.addr(nodeAt(nodes, a)))),
  );
  await waitIfAsked(nodes, topology, options);
}

async function waitIfAsked<N>(
  nodes: readonly N[],
  topology: Topology,
  options: Partial<ConnectedOptions<N>>,
): Promise<void> {
  const { connected, timeoutMs, intervalMs } = options;
  if (connected === undefined) return;
  await waitForEdges(nodes, topology, {
    connected,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(intervalMs === undefined ? {} : { intervalMs }),
  });
}
