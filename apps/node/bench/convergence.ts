/**
 * Bench: trade convergence of a mesh of ledger-only nodes (real ledger files, real libp2p hosts on
 * 127.0.0.1, no model). The nodes run in BENCH_WORKERS worker threads (default: one per core), so nodes do
 * not all share one event loop, as separate node processes would not. For N = 10 and 20 nodes in a line and
 * in a random connected graph (each node dials 2 random earlier nodes), each phase makes K dual-signed
 * trades (two throwaway keys each) at random nodes, paced at a rate from BENCH_RATES, applied there and
 * gossiped. Every node reports when each trade reached its ledger (gossip or sync). Prints per phase
 * p50/p95/max of "time until every node has the trade", the time from the last trade until every Merkle
 * root agrees, ratios (20 vs 10 nodes, p95 vs the 1 s target) and the machine. Bounded: a phase gives up
 * after BENCH_DEADLINE_MS.
 *
 * Run: `pnpm exec tsx bench/convergence.ts` in apps/node (env: BENCH_TRADES (200), BENCH_RATES ("10,50")
 * trades/s, BENCH_SIZES ("10,20"), BENCH_TOPOLOGIES ("line,random"), BENCH_WORKERS (cores),
 * BENCH_DEADLINE_MS (30000)).
 */
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { Signer } from "@tirami/core";
import { newSigner, signedTrade } from "@tirami/test-trades";

const TRADES = Number(process.env.BENCH_TRADES ?? 200);
const RATES_PER_S = (process.env.BENCH_RATES ?? "10,50").split(",").map(Number);
const SIZES = (process.env.BENCH_SIZES ?? "10,20").split(",").map(Number);
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? "line,random").split(",") as Array<"line" | "random">;
const WORKERS = Number(process.env.BENCH_WORKERS ?? cpus().length);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 30_000);
const TARGET_P95_MS = 1_000;

interface Result {
  nodes: number;
  topology: string;
  rate: number;
  delivered: number;
  p50: number;
  p95: number;
  max: number;
  rootsAgreeMs: number | null;
  syncApplied: number;
}
interface TradeEvent {
  event: "trade";
  index: number;
  tradeId: string;
  atMs: number;
  source: string;
}

const nowAbs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Worker threads hosting the nodes; node i lives in worker i mod W. */
class Pool {
  readonly workers: Worker[] = [];
  #next = 0;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  onTrade: (event: TradeEvent) => void = () => undefined;

  constructor(size: number) {
    for (let w = 0; w < size; w++) {
      const worker = new Worker(new URL("./convergence-worker.mjs", import.meta.url));
      worker.on(
        "message",
        (message: { id?: number; result?: unknown; error?: string } & Partial<TradeEvent>) => {
          if (message.event === "trade") return this.onTrade(message as TradeEvent);
          const pending = this.#pending.get(message.id as number);
          this.#pending.delete(message.id as number);
          if (message.error !== undefined) pending?.reject(new Error(message.error));
          else pending?.resolve(message.result);
        },
      );
      this.workers.push(worker);
    }
  }

  call<T>(worker: number, command: Record<string, unknown>): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.workers[worker]!.postMessage({ id, ...command });
    });
  }

  all<T>(command: Record<string, unknown>): Promise<T[]> {
    return Promise.all(this.workers.map((_, w) => this.call<T>(w, command)));
  }

  async close(): Promise<void> {
    await this.all({ op: "stop" }).catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function scenario(size: number, topology: "line" | "random"): Promise<Result[]> {
  const pool = new Pool(Math.min(WORKERS, size));
  const workerOf = (index: number) => index % pool.workers.length;
  try {
    const addrs: string[] = [];
    for (let i = 0; i < size; i++) {
      const bootstrap: string[] = [];
      if (i > 0) {
        if (topology === "line") bootstrap.push(addrs[i - 1]!);
        else
          for (const pick of new Set([Math.floor(Math.random() * i), Math.floor(Math.random() * i)]))
            bootstrap.push(addrs[pick]!);
      }
      addrs.push(await pool.call<string>(workerOf(i), { op: "start", index: i, bootstrap }));
    }
    const readyBy = Date.now() + 20_000;
    while (!(await pool.all<boolean>({ op: "ready" })).every(Boolean)) {
      if (Date.now() > readyBy) throw new Error("nodes did not subscribe in time");
      await sleep(50);
    }
    await sleep(2_500); // gossipsub mesh formation (heartbeats)
    const results: Result[] = [];
    for (const rate of RATES_PER_S) {
      const result = await phase(pool, size, topology, rate, workerOf);
      results.push(result);
      console.log(line(result));
    }
    return results;
  } finally {
    await pool.close();
  }
}

async function phase(
  pool: Pool,
  size: number,
  topology: string,
  rate: number,
  workerOf: (index: number) => number,
): Promise<Result> {
  const state = async () => (await pool.all<Array<{ count: number; root: string }>>({ op: "state" })).flat();
  const base = (await state())[0]!.count;
  const created = new Map<string, number>();
  const arrivals = new Map<string, { nodes: number; lastMs: number }>();
  let syncApplied = 0;
  pool.onTrade = (event) => {
    if (event.source === "sync") syncApplied += 1;
    const entry = arrivals.get(event.tradeId) ?? { nodes: 0, lastMs: 0 };
    entry.nodes += 1;
    entry.lastMs = Math.max(entry.lastMs, event.atMs);
    arrivals.set(event.tradeId, entry);
  };
  const keys: Signer[] = Array.from({ length: 40 }, () => newSigner());
  const intervalMs = 1_000 / rate;
  const startMs = performance.now();
  const announced: Array<Promise<void>> = [];
  for (let k = 0; k < TRADES; k++) {
    const wait = startMs + k * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const provider = keys[Math.floor(Math.random() * keys.length)]!;
    let consumer = keys[Math.floor(Math.random() * keys.length)]!;
    if (consumer === provider) consumer = keys[(keys.indexOf(provider) + 1) % keys.length]!;
    const trade = signedTrade({
      provider: provider,
      consumer: consumer,
      completionTokens: 1 + Math.floor(Math.random() * 5),
    });
    const origin = Math.floor(Math.random() * size);
    announced.push(
      pool.call<number>(workerOf(origin), { op: "announce", index: origin, trade }).then((atMs) => {
        created.set(trade.trade_id, atMs);
      }),
    );
  }
  await Promise.all(announced);
  const lastCreatedMs = nowAbs();
  let rootsAgreeMs: number | null = null;
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    const nodes = await state();
    if (nodes.every((n) => n.count === base + TRADES) && new Set(nodes.map((n) => n.root)).size === 1) {
      rootsAgreeMs = nowAbs() - lastCreatedMs;
      break;
    }
    await sleep(5);
  }
  const latencies: number[] = [];
  let delivered = 0;
  for (const [tradeId, createdMs] of created) {
    const entry = arrivals.get(tradeId);
    if (entry === undefined || entry.nodes < size) continue;
    delivered += 1;
    latencies.push(entry.lastMs - createdMs);
  }
  latencies.sort((a, b) => a - b);
  return {
    nodes: size,
    topology,
    rate,
    delivered,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    rootsAgreeMs,
    syncApplied,
  };
}

const fmt = (ms: number | null) => (ms === null || Number.isNaN(ms) ? "n/a" : `${ms.toFixed(1)} ms`);
const line = (r: Result) =>
  `${r.topology.padEnd(6)} N=${String(r.nodes).padStart(2)} @${String(r.rate).padStart(3)}/s: every node has the trade — ` +
  `p50 ${fmt(r.p50)}, p95 ${fmt(r.p95)}, max ${fmt(r.max)} (${r.delivered}/${TRADES} everywhere); ` +
  `roots agree ${fmt(r.rootsAgreeMs)} after the last trade; ${r.syncApplied} applies via sync; p95/target ${(r.p95 / TARGET_P95_MS).toFixed(3)}`;

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; ` +
      `load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  console.log(
    `workload: ${TRADES} dual-signed trades per phase from random nodes at ${RATES_PER_S.join(", ")}/s; ` +
      `nodes in ${WORKERS} worker thread(s); deadline ${DEADLINE_MS} ms per phase`,
  );
  const results: Result[] = [];
  for (const topology of TOPOLOGIES)
    for (const size of SIZES) results.push(...(await scenario(size, topology)));
  for (const topology of TOPOLOGIES) {
    for (const rate of RATES_PER_S) {
      const small = results.find(
        (r) => r.topology === topology && r.rate === rate && r.nodes === Math.min(...SIZES),
      );
      const large = results.find(
        (r) => r.topology === topology && r.rate === rate && r.nodes === Math.max(...SIZES),
      );
      if (small !== undefined && large !== undefined && small !== large)
        console.log(
          `${topology} @${rate}/s: p95 N=${large.nodes} / N=${small.nodes} = ${(large.p95 / small.p95).toFixed(2)}`,
        );
    }
  }
  console.log(
    `load average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
