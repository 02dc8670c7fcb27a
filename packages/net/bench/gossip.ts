/**
 * Gossip propagation benchmark: N real mesh hosts on loopback (one process) in a line and in a random
 * graph; K messages published at random nodes; for each message, the time until every node has it.
 * Prints p50/p95/max per topology, ratios between topologies, and the machine. Each run is bounded.
 *
 *   pnpm run bench                       # N = 10 and 20, K = 50
 *   BENCH_K=100 BENCH_SIZES=10,20,30 pnpm run bench
 */
import os from "node:os";
import { utf8 } from "@tirami/core";
import { lineTopology, pause, randomTopology, seededRandom, type Topology } from "@tirami/test-kit";
import { TOPIC_TRADES } from "../src/index.js";
import { startHostTopology } from "./topology.js";

const K = Number(process.env.BENCH_K ?? 50);
const SIZES = (process.env.BENCH_SIZES ?? "10,20").split(",").map(Number);
const PUBLISH_INTERVAL_MS = 20;
const WARMUP_MS = 3_000; // three gossipsub heartbeats: meshes formed
const RUN_DEADLINE_MS = 30_000;

interface Result {
  name: string;
  edges: number;
  delivered: number;
  total: number;
  p50: number;
  p95: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function run(topology: Topology, random: () => number, messages = K): Promise<Result> {
  const running = await startHostTopology(topology);
  try {
    const { hosts } = running;
    const arrivals = hosts.map(() => new Map<string, number>());
    hosts.forEach((host, i) => {
      host.subscribe(TOPIC_TRADES, {
        validate: () => "accept",
        onMessage: (bytes) => arrivals[i]?.set(Buffer.from(bytes).toString("utf8"), performance.now()),
      });
    });
    await pause(WARMUP_MS);

    const published = new Map<string, { at: number; origin: number }>();
    for (let k = 0; k < messages; k++) {
      const origin = Math.floor(random() * hosts.length);
      const id = `m${k}-${Math.floor(random() * 1e9)}`;
      published.set(id, { at: performance.now(), origin });
      await hosts[origin]?.publish(TOPIC_TRADES, utf8(id));
      await pause(PUBLISH_INTERVAL_MS);
    }
    const complete = (id: string, origin: number): boolean =>
      arrivals.every((seen, i) => i === origin || seen.has(id));
    const deadline = performance.now() + RUN_DEADLINE_MS;
    while (
      performance.now() < deadline &&
      ![...published].every(([id, { origin }]) => complete(id, origin))
    ) {
      await pause(50);
    }
    const times: number[] = [];
    for (const [id, { at, origin }] of published) {
      if (!complete(id, origin)) continue;
      let last = at;
      arrivals.forEach((seen, i) => {
        if (i !== origin) last = Math.max(last, seen.get(id) ?? at);
      });
      times.push(last - at);
    }
    times.sort((a, b) => a - b);
    return {
      name: topology.name,
      edges: topology.edges.length,
      delivered: times.length,
      total: messages,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times.at(-1) ?? Number.NaN,
    };
  } finally {
    await running.stop();
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  console.log(
    `gossip propagation: K=${K} messages per topology, published every ${PUBLISH_INTERVAL_MS} ms at random nodes; time until every node has a message\n`,
  );
  const SEED = 20_261_127;
  const random = seededRandom(SEED);
  const results: Result[] = [];
  await run(lineTopology(5), random, 10); // warm-up (JIT, first sockets): not reported
  for (const n of SIZES) {
    for (const topology of [lineTopology(n), randomTopology(n, { degree: 4, seed: SEED + n })]) {
      const started = performance.now();
      const result = await run(topology, random);
      results.push(result);
      console.log(
        `${result.name.padEnd(16)} edges=${String(result.edges).padStart(3)} delivered=${result.delivered}/${result.total}` +
          `  p50=${result.p50.toFixed(1)} ms  p95=${result.p95.toFixed(1)} ms  max=${result.max.toFixed(1)} ms` +
          `  (run ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
  console.log("\nratios (same run):");
  for (const n of SIZES) {
    const line = results.find((r) => r.name === `line-${n}`);
    const rand = results.find((r) => r.name.startsWith(`random-${n}-`));
    if (line !== undefined && rand !== undefined)
      console.log(`  n=${n}: line p50 / random p50 = ${(line.p50 / rand.p50).toFixed(2)}×`);
  }
  const first = SIZES[0];
  const last = SIZES.at(-1);
  if (first !== undefined && last !== undefined && first !== last) {
    for (const kind of ["line", "random"]) {
      const a = results.find((r) => r.name.startsWith(`${kind}-${first}`));
      const b = results.find((r) => r.name.startsWith(`${kind}-${last}`));
      if (a !== undefined && b !== undefined)
        console.log(`  ${kind}: p50 at n=${last} / p50 at n=${first} = ${(b.p50 / a.p50).toFixed(2)}×`);
    }
  }
  if (results.some((r) => r.delivered < r.total)) process.exitCode = 1;
}

await main();
