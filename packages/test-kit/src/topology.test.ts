/**
 * Proves the topologies: line and star have their exact edges; a random graph is connected, has no
 * self-loop or repeated edge, reaches the asked degree and is the same for the same seed; and both ways of
 * realising a topology connect exactly its edges between real TCP endpoints on 127.0.0.1 (each node a
 * server on port 0 that records who dialed it), waiting until every edge is up.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  connectTopology,
  earlierNeighbours,
  lineTopology,
  randomTopology,
  seededRandom,
  starTopology,
  startTopology,
  type Topology,
} from "./topology.js";

/** True when every node is reachable from node 0. */
function isConnected(topology: Topology): boolean {
  const reached = new Set([0]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [a, b] of topology.edges)
      if (reached.has(a) !== reached.has(b)) {
        reached.add(a).add(b);
        grew = true;
      }
  }
  return reached.size === topology.nodeCount;
}

describe("graphs", () => {
  it("line and star have exactly their edges", () => {
    expect(lineTopology(4)).toEqual({
      name: "line-4",
      nodeCount: 4,
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    });
    expect(starTopology(4)).toEqual({
      name: "star-4",
      nodeCount: 4,
      edges: [
        [0, 1],
        [0, 2],
        [0, 3],
      ],
    });
    expect(lineTopology(1).edges).toEqual([]);
    expect(earlierNeighbours(lineTopology(4), 2)).toEqual([1]);
    expect(earlierNeighbours(starTopology(4), 0)).toEqual([]);
  });

  it("a random graph is connected, simple, of the asked degree, and fixed by its seed", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const graph = randomTopology(20, { degree: 4, seed });
      expect(isConnected(graph)).toBe(true);
      const keys = graph.edges.map(([a, b]) => `${a}-${b}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const [a, b] of graph.edges) expect(a).toBeLessThan(b);
      expect(graph.edges).toHaveLength(40);
      expect(randomTopology(20, { degree: 4, seed })).toEqual(graph);
    }
    expect(randomTopology(20, { degree: 4, seed: 1 }).edges).not.toEqual(
      randomTopology(20, { degree: 4, seed: 2 }).edges,
    );
    expect(randomTopology(4, { degree: 10, seed: 3 }).edges).toHaveLength(6); // complete, not more
  });

  it("seededRandom repeats for a seed and stays in [0, 1)", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let i = 0; i < 1_000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it.each([0, -1, 1.5, 1_001])("refuses %s nodes", (nodeCount) => {
    expect(() => lineTopology(nodeCount)).toThrow(RangeError);
    expect(() => starTopology(nodeCount)).toThrow(RangeError);
    expect(() => randomTopology(nodeCount, { degree: 2, seed: 1 })).toThrow(RangeError);
  });
});

/** A real TCP endpoint: it listens on 127.0.0.1 port 0, dials by "host:port", and records who dialed it. */
interface Endpoint {
  name: string;
  server: Server;
  /** Names of the endpoints this one has a connection with (either direction). */
  peers: Set<string>;
  addr(): string;
  dial(addr: string): Promise<void>;
}

async function startEndpoint(name: string, bootstrap: string[] = []): Promise<Endpoint> {
  const sockets: Socket[] = [];
  const peers = new Set<string>();
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.setEncoding("utf8").once("data", (peer: string) => {
      peers.add(peer);
      socket.write(name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const endpoint: Endpoint = {
    name,
    server,
    peers,
    addr: () => `127.0.0.1:${(server.address() as AddressInfo).port}`,
    dial: (addr) =>
      new Promise((resolve, reject) => {
        const [host, port] = addr.split(":");
        const socket = createConnection({ host: host as string, port: Number(port) }, () => {
          socket.write(name);
          resolve();
        });
        sockets.push(socket);
        socket.on("error", reject);
        socket.setEncoding("utf8").once("data", (peer: string) => peers.add(peer));
      }),
  };
  for (const addr of bootstrap) await endpoint.dial(addr);
  return endpoint;
}

/** The edges the endpoints actually formed, as sorted "a-b" pairs of indexes. */
function formedEdges(endpoints: Endpoint[]): string[] {
  const index = new Map(endpoints.map((endpoint, i) => [endpoint.name, i]));
  const edges = new Set<string>();
  endpoints.forEach((endpoint, i) => {
    for (const peer of endpoint.peers) {
      const j = index.get(peer) as number;
      edges.add(i < j ? `${i}-${j}` : `${j}-${i}`);
    }
  });
  return [...edges].sort();
}

const keysOf = (topology: Topology): string[] => topology.edges.map(([a, b]) => `${a}-${b}`).sort();
const connected = (a: Endpoint, b: Endpoint): boolean => a.peers.has(b.name);

describe("realising a topology on real sockets", () => {
  it.each([lineTopology(5), starTopology(5), randomTopology(8, { degree: 3, seed: 11 })])(
    "startTopology bootstraps each node to its earlier neighbours: $name",
    async (topology) => {
      const endpoints = await startTopology(topology, {
        start: (index, bootstrap) => startEndpoint(`n${index}`, bootstrap),
        addr: (endpoint) => endpoint.addr(),
        connected,
      });
      expect(endpoints.map((endpoint) => endpoint.name)).toEqual(
        Array.from({ length: topology.nodeCount }, (_, i) => `n${i}`),
      );
      expect(formedEdges(endpoints)).toEqual(keysOf(topology));
    },
  );

  it.each([lineTopology(4), starTopology(4), randomTopology(6, { degree: 4, seed: 5 })])(
    "connectTopology dials every edge between running nodes: $name",
    async (topology) => {
      const endpoints: Endpoint[] = [];
      for (let i = 0; i < topology.nodeCount; i++) endpoints.push(await startEndpoint(`n${i}`));
      await connectTopology(endpoints, topology, {
        addr: (endpoint) => endpoint.addr(),
        dial: (from, addr) => from.dial(addr),
        connected,
      });
      expect(formedEdges(endpoints)).toEqual(keysOf(topology));
    },
  );

  it("names the edge that never came up", async () => {
    const endpoints = [await startEndpoint("n0"), await startEndpoint("n1")];
    const error = await connectTopology(endpoints, lineTopology(2), {
      addr: (endpoint) => endpoint.addr(),
      dial: async () => undefined, // nobody dials: the edge stays down
      connected,
      timeoutMs: 50,
    }).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/waiting for edge 0–1 of line-2 to connect/);
  });

  it("refuses fewer nodes than the topology has", async () => {
    await expect(
      connectTopology([], lineTopology(2), { addr: () => "", dial: async () => undefined }),
    ).rejects.toThrow(RangeError);
  });
});
