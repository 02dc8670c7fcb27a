/**
 * Bench: trade convergence of a mesh of ledger-only nodes (real ledgers on disk, real libp2p hosts on
 * 127.0.0.1, no model). For N = 10 and 20 nodes in a line and in a random connected graph (each node
 * dials 2 random earlier nodes), K dual-signed trades (two throwaway keys each) are made at random nodes,
 * paced at BENCH_RATE per second, applied there and gossiped. Every node records when each trade reached
 * its ledger (gossip or sync). Each mesh runs one phase per rate in BENCH_RATES. Prints, per phase, p50/p95/max of "time until every node has the trade",
 * the time from the last trade until every Merkle root agrees, and ratios (20 vs 10 nodes, p95 vs the 1 s
 * target), plus the machine. Bounded: each scenario gives up after BENCH_DEADLINE_MS.
 *
 * Run: `pnpm exec tsx bench/convergence.ts` in apps/node (env: BENCH_TRADES (200), BENCH_RATES ("10,50") trades/s,
 * BENCH_SIZES ("10,20"), BENCH_TOPOLOGIES ("line,random"), BENCH_DEADLINE_MS (30000)).
 */
import { cpus, totalmem } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { TOPIC_TRADES } from "@tirami/net";
import type { Signer } from "@tirami/core";
import { type LedgerNode, makeTrade, newSigner, startLedgerNode, waitFor } from "../src/testing/mesh.js";

const TRADES = Number(process.env.BENCH_TRADES ?? 200);
const RATES_PER_S = (process.env.BENCH_RATES ?? "10,50").split(",").map(Number);
const SIZES = (process.env.BENCH_SIZES ?? "10,20").split(",").map(Number);
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? "line,random").split(",") as Array<"line" | "random">;
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
  /** Event-loop delay during the phase (all nodes share this process's loop): p99 and max, ms. */
  loopP99Ms: number;
  loopMaxMs: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function scenario(size: number, topology: "line" | "random"): Promise<Result[]> {
  const nodes: LedgerNode[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const bootstrap: string[] = [];
      if (i > 0) {
        if (topology === "line") bootstrap.push(nodes[i - 1]!.addr());
        else {
          const picks = new Set<number>([Math.floor(Math.random() * i), Math.floor(Math.random() * i)]);
          for (const pick of picks) bootstrap.push(nodes[pick]!.addr());
        }
      }
      nodes.push(
        await startLedgerNode({ bootstrap, offerIntervalMs: 2_000, host: { pingIntervalMs: 60_000 } }),
      );
    }
    await waitFor(
      () => nodes.every((n) => n.mesh.host.topicPeers(TOPIC_TRADES).length >= 1),
      "every node to subscribe",
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // gossipsub mesh formation (heartbeats)

    const results: Result[] = [];
    for (const rate of RATES_PER_S) {
      results.push(await phase(nodes, size, topology, rate));
      console.log(line(results[results.length - 1] as Result));
    }
    return results;
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

async function phase(nodes: LedgerNode[], size: number, topology: string, rate: number): Promise<Result> {
  const created = new Map<string, number>();
  const arrivals = new Map<string, number[]>();
  let syncApplied = 0;
  const unsubscribers: Array<() => void> = [];
  for (const node of nodes) {
    unsubscribers.push(
      node.mesh.onTrade((signed, source) => {
        if (source === "sync") syncApplied += 1;
        const list = arrivals.get(signed.trade_id) ?? [];
        list.push(performance.now());
        arrivals.set(signed.trade_id, list);
      }),
    );
  }
  const base = nodes[0]!.ledger.tradeCount();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const keys: Signer[] = Array.from({ length: 40 }, () => newSigner());
  const intervalMs = 1_000 / rate;
  const startMs = performance.now();
  for (let k = 0; k < TRADES; k++) {
    const due = startMs + k * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const provider = keys[Math.floor(Math.random() * keys.length)]!;
    let consumer = keys[Math.floor(Math.random() * keys.length)]!;
    if (consumer === provider) consumer = keys[(keys.indexOf(provider) + 1) % keys.length]!;
    const signed = makeTrade(provider, consumer, { completionTokens: 1 + Math.floor(Math.random() * 5) });
    const origin = nodes[Math.floor(Math.random() * nodes.length)]!;
    created.set(signed.trade_id, performance.now());
    await origin.mesh.announceTrade(signed);
  }
  const lastCreatedMs = performance.now();
  let rootsAgreeMs: number | null = null;
  try {
    await waitFor(
      () =>
        nodes.every((n) => n.ledger.tradeCount() === base + TRADES) &&
        new Set(nodes.map((n) => n.ledger.merkleRoot())).size === 1,
      "every root to agree",
      DEADLINE_MS,
      5,
    );
    rootsAgreeMs = performance.now() - lastCreatedMs;
  } catch {
    rootsAgreeMs = null;
  }
  const latencies: number[] = [];
  let delivered = 0;
  for (const [tradeId, createdMs] of created) {
    const list = arrivals.get(tradeId) ?? [];
    if (list.length < size) continue; // never reached everyone within the deadline
    delivered += 1;
    latencies.push(Math.max(...list) - createdMs);
  }
  latencies.sort((a, b) => a - b);
  for (const unsubscribe of unsubscribers) unsubscribe();
  loop.disable();
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
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
  };
}

const fmt = (ms: number | null) => (ms === null || Number.isNaN(ms) ? "n/a" : `${ms.toFixed(1)} ms`);
const line = (r: Result) =>
  `${r.topology.padEnd(6)} N=${String(r.nodes).padStart(2)} @${String(r.rate).padStart(3)}/s: every node has the trade — p50 ${fmt(r.p50)}, p95 ${fmt(r.p95)}, max ${fmt(r.max)} ` +
  `(${r.delivered}/${TRADES} everywhere); roots agree ${fmt(r.rootsAgreeMs)} after the last trade; ${r.syncApplied} applies via sync; ` +
  `p95/target ${(r.p95 / TARGET_P95_MS).toFixed(3)}; event-loop delay p99 ${fmt(r.loopP99Ms)}, max ${fmt(r.loopMaxMs)}`;

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  console.log(
    `workload: ${TRADES} dual-signed trades per phase from random nodes at ${RATES_PER_S.join(", ")}/s; deadline ${DEADLINE_MS} ms per phase`,
  );
  const results: Result[] = [];
  for (const topology of TOPOLOGIES) {
    for (const size of SIZES) {
      results.push(...(await scenario(size, topology)));
    }
  }
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
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
