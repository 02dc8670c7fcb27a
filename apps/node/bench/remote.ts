/**
 * Bench: buying an answer over the mesh versus asking the provider itself. Two nodes, each in its own
 * process (`remote-node.ts`, `createNode` in a temporary home, 127.0.0.1, port 0): a provider with the model
 * (explicit threads, `parallelism` = the concurrency below) and a consumer without one, bootstrapped to
 * the provider. The same greedy streaming chat request goes to the provider's own API ("local") and to the
 * consumer's ("remote": the consumer buys it over `/tirami/infer/1.0.0` — spend gate, hold, token stream,
 * dual-signed trade — and streams it on as SSE). The HTTP client is a third process (`sse-client.ts`,
 * node:http, its own clock), so nothing the bench measures shares an event loop with what it measures.
 *
 * Variants, each round in a rotating order: one 256-token answer (time to first token, streaming tokens/s
 * from first to last text, end-to-end tokens/s), BENCH_CONCURRENCY answers at once (aggregate tokens/s:
 * all tokens over first start → last end) and one 1-token answer (its end-to-end time: remote − local is
 * the fixed cost of a purchase — stream open, request, signing, checking and applying the trade). Ratios
 * are medians of per-round ratios (remote/local) or differences (remote − local) from this run.
 *
 * On a 2-core machine the three processes compete for two cores, and what a ratio means depends on who
 * competes with whom. Each run therefore measures twice: first with every process scheduled freely (the
 * consumer's per-token work then also slows the provider's generation, as it would not if the consumer ran
 * elsewhere), then pinned (Linux `taskset`): the provider alone on CPU 0, the consumer and the client on
 * CPU 1 — the provider as another machine, the consumer node beside its client, as an agent's node would
 * be. `BENCH_PIN=0` or `=1` runs only one of them. Each phase gets a fresh consumer (its 1,000 TRM free
 * tier pays for ~1,000 purchases at the 1e-6 TRM/token price used here: 1 TRM per purchase).
 *
 * `BENCH_CPU_PROF=<dir>` runs the two nodes under `node --cpu-prof` (profiles written to `<dir>` when
 * they stop; the profiler slows them, so take figures from a run without it).
 *
 * Run: `pnpm run bench:remote` in apps/node (env: BENCH_RUNS, BENCH_MAX_TOKENS, BENCH_CONCURRENCY,
 * BENCH_THREADS, BENCH_PIN, BENCH_SSE_FLUSH_MS, BENCH_MODEL, BENCH_CPU_PROF, BENCH_LOG_LEVEL (the nodes' log
 * level on stderr, default error), TIRAMI_TEST_MODELS_DIR).
 */
import { pin } from "./pin.js";
import { testModelPath } from "@tirami/test-kit";
import { fork, type ChildProcess } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getModuleVersion } from "node-llama-cpp";
import type { RemoteNodeCpu, RemoteNodeReady, RemoteNodeSpec } from "./remote-node.js";
import type { SseClientBatch, SseClientBatchTimings, SseClientJob, SseClientTimings } from "./sse-client.js";

const here = dirname(fileURLToPath(import.meta.url));
const W = {
  modelPath: process.env["BENCH_MODEL"] ?? testModelPath(),
  prompt: "Once upon a time",
  maxTokens: Number(process.env["BENCH_MAX_TOKENS"] ?? 256),
  concurrency: Number(process.env["BENCH_CONCURRENCY"] ?? 8),
  threads: Number(process.env["BENCH_THREADS"] ?? 1),
  contextSize: 1_024,
  warmupRounds: 3,
  rounds: Number(process.env["BENCH_RUNS"] ?? 20),
  /** "both" (default where `taskset` and 2+ CPUs exist): shared CPUs, then pinned; "0" or "1": one of them. */
  pin: process.env["BENCH_PIN"] ?? "both",
  sseFlushMs: process.env["BENCH_SSE_FLUSH_MS"],
  cpuProfDir: process.env["BENCH_CPU_PROF"],
};
/** Purchases one consumer makes per phase; each costs 1 TRM of its 1,000 TRM free tier. */
const PURCHASES_PER_PHASE = 1 + (W.warmupRounds + W.rounds) * (2 + W.concurrency);
if (PURCHASES_PER_PHASE > 900)
  throw new RangeError(`${PURCHASES_PER_PHASE} purchases per phase exceed the consumer's free tier`);
/** Agent tokens per node: the gate allows one spender 30 spends a minute, so requests rotate over these. */
const AGENTS = 64;
const TARGETS = { stream: 0.95, endToEnd: 0.85, aggregate: 0.8, fixedMs: 10 };

const cpu = cpus();
console.log(
  "machine:",
  JSON.stringify({
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memory_gb: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    "node-llama-cpp": await getModuleVersion(),
  }),
);
console.log("workload:", JSON.stringify({ ...W, purchasesPerPhase: PURCHASES_PER_PHASE }));

const common = {
  rate_limit_per_minute: 1_000_000,
  max_tokens_max: W.maxTokens,
  offer_interval_ms: 1_000,
  ...(W.sseFlushMs === undefined ? {} : { sse_flush_interval_ms: Number(W.sseFlushMs) }),
};

/** Forks a bench script with tsx (and the CPU profiler for the nodes when asked); resolves once spawned. */
async function forkScript(script: string, args: string[], profile: boolean): Promise<ChildProcess> {
  const profiler =
    profile && W.cpuProfDir !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${W.cpuProfDir}`] : [];
  const child = fork(join(here, script), args, { execArgv: ["--import", "tsx", ...profiler] });
  await new Promise<void>((ready, failed) => {
    child.once("spawn", ready);
    child.once("error", failed);
  });
  return child;
}

interface NodeProcess extends RemoteNodeReady {
  child: ChildProcess;
  next: number;
}

async function startNode(spec: RemoteNodeSpec): Promise<NodeProcess> {
  const child = await forkScript("remote-node.ts", [JSON.stringify(spec)], true);
  const ready = await new Promise<RemoteNodeReady>((done, failed) => {
    child.once("message", (message: RemoteNodeReady) => done(message));
    child.once("exit", (code) => failed(new Error(`a bench node exited with ${code} before it was ready`)));
  });
  return { ...ready, child, next: 0 };
}

async function stopNode(node: NodeProcess): Promise<void> {
  const exited = new Promise((done) => node.child.once("exit", done));
  node.child.send("stop");
  await exited;
}

const provider = await startNode({
  flags: {
    ...common,
    model: W.modelPath,
    threads: W.threads,
    context_size: W.contextSize,
    parallelism: W.concurrency,
    chat_wrapper: "general",
    price_trm_per_token: 0.000_001,
  },
  agents: AGENTS,
  waitTimeoutMs: 0,
});
const modelId = provider.modelId;
if (modelId === undefined) throw new Error("the provider did not load its model");
const providerAddr = provider.multiaddrs[0];
if (providerAddr === undefined) throw new Error("the provider has no mesh address");

const bodyOf = (maxTokens: number): string =>
  JSON.stringify({
    model: modelId,
    messages: [{ role: "user", content: W.prompt }],
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
const jobOf = (node: NodeProcess, maxTokens: number): SseClientJob => ({
  url: node.url,
  token: node.tokens[node.next++ % node.tokens.length] as string,
  body: bodyOf(maxTokens),
  client: "http",
});

/** One request as the client saw it, times relative to its start (ms). */
interface Sample {
  firstTextMs: number;
  lastTextMs: number;
  endMs: number;
  tokens: number;
}
/** One round of one variant: its requests, the wall time from the first start to the last end, CPU used. */
interface Run {
  samples: Sample[];
  wallMs: number;
  /** CPU time (ms, all threads) the provider and the consumer process used during the round. */
  cpuMs: { provider: number; consumer: number };
}

function toRun(timings: SseClientTimings[]): Omit<Run, "cpuMs"> {
  const startMs = Math.min(...timings.map((t) => t.startMs));
  const endMs = Math.max(...timings.map((t) => t.endMs));
  const samples = timings.map((t) => ({
    firstTextMs: t.firstTextMs - t.startMs,
    lastTextMs: t.lastTextMs - t.startMs,
    endMs: t.endMs - t.startMs,
    tokens: t.tokens,
  }));
  return { samples, wallMs: endMs - startMs };
}

function ask(client: ChildProcess, batch: SseClientBatch): Promise<Omit<Run, "cpuMs">> {
  return new Promise((done, failed) => {
    client.once("message", (reply: SseClientBatchTimings | { error: string }) =>
      "error" in reply ? failed(new Error(reply.error)) : done(toRun(reply.timings)),
    );
    client.send(batch);
  });
}

/** The CPU time a node process has used so far (ms). */
function cpuOf(node: NodeProcess): Promise<number> {
  return new Promise((done) => {
    node.child.once("message", (reply: RemoteNodeCpu) => done(reply.cpuMs));
    node.child.send("cpu");
  });
}

const first = (run: Run): Sample => run.samples[0] as Sample;
const ttftOf = (run: Run): number => first(run).firstTextMs;
const streamRateOf = (run: Run): number => {
  const s = first(run);
  return ((s.tokens - 1) * 1_000) / (s.lastTextMs - s.firstTextMs);
};
const e2eRateOf = (run: Run): number => (first(run).tokens * 1_000) / first(run).endMs;
const aggregateRateOf = (run: Run): number =>
  (run.samples.reduce((sum, s) => sum + s.tokens, 0) * 1_000) / run.wallMs;
const endOf = (run: Run): number => first(run).endMs;
const tailOf = (run: Run): number => first(run).endMs - first(run).lastTextMs;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const VARIANTS = ["local", "remote", "localN", "remoteN", "local1", "remote1"] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Variant, string> = {
  local: `local: ${W.maxTokens} tokens from the provider's API`,
  remote: `remote: ${W.maxTokens} tokens bought through the consumer's API`,
  localN: `local × ${W.concurrency} at once`,
  remoteN: `remote × ${W.concurrency} at once`,
  local1: "local: 1 token",
  remote1: "remote: 1 token",
};

/** One measured phase with a fresh consumer and client; `pinned` isolates the provider on CPU 0. */
async function phase(title: string, pinned: boolean): Promise<void> {
  const consumer = await startNode({
    flags: { ...common, bootstrap: [providerAddr] },
    agents: AGENTS,
    waitForModel: modelId,
    waitTimeoutMs: 30_000,
  });
  const client = await forkScript("sse-client.ts", [], false);
  if (pinned) {
    const ok =
      pin(provider.child.pid, 0) && pin(consumer.child.pid, 1) && pin(client.pid, 1) && pin(process.pid, 1);
    if (!ok) throw new Error("pinning failed");
  }
  const run = async (variant: Variant): Promise<Run> => {
    const node = variant.startsWith("local") ? provider : consumer;
    const maxTokens = variant.endsWith("1") ? 1 : W.maxTokens;
    const count = variant.endsWith("N") ? W.concurrency : 1;
    const before = { provider: await cpuOf(provider), consumer: await cpuOf(consumer) };
    const timed = await ask(client, { batch: Array.from({ length: count }, () => jobOf(node, maxTokens)) });
    const cpuMs = {
      provider: (await cpuOf(provider)) - before.provider,
      consumer: (await cpuOf(consumer)) - before.consumer,
    };
    return { ...timed, cpuMs };
  };
  const check = { local: first(await run("local")).tokens, remote: first(await run("remote")).tokens };
  if (check.local !== check.remote) throw new Error(`token counts differ: ${JSON.stringify(check)}`);

  const before = loadavg()[0] ?? 0;
  const runs = Object.fromEntries(VARIANTS.map((name) => [name, [] as Run[]])) as Record<Variant, Run[]>;
  for (let round = 0; round < W.warmupRounds + W.rounds; round += 1) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
    for (const name of order) {
      const result = await run(name);
      if (round >= W.warmupRounds) runs[name].push(result);
    }
  }
  const after = loadavg()[0] ?? 0;
  report(`${title} (tokens per answer: ${check.local})`, runs, [before, after]);
  client.disconnect();
  await stopNode(consumer);
}

function report(title: string, runs: Record<Variant, Run[]>, load: [number, number]): void {
  console.log(`\n${title}`);
  const fixed = (values: number[], digits: number): string => median(values).toFixed(digits);
  console.table(
    VARIANTS.map((name) => {
      const list = runs[name];
      const single = !name.endsWith("N");
      const long = !name.endsWith("1");
      return {
        variant: LABELS[name],
        runs: list.length,
        "ttft ms": single ? fixed(list.map(ttftOf), 2) : "",
        "stream tok/s": single && long ? fixed(list.map(streamRateOf), 0) : "",
        "end-to-end tok/s": single && long ? fixed(list.map(e2eRateOf), 0) : "",
        "aggregate tok/s": single ? "" : fixed(list.map(aggregateRateOf), 0),
        "end ms": single
          ? fixed(list.map(endOf), 2)
          : fixed(
              list.map((r) => r.wallMs),
              1,
            ),
        "tail ms": single ? fixed(list.map(tailOf), 2) : "",
        "provider cpu ms": fixed(
          list.map((r) => r.cpuMs.provider),
          1,
        ),
        "consumer cpu ms": fixed(
          list.map((r) => r.cpuMs.consumer),
          1,
        ),
      };
    }),
  );
  /** The median of per-round values and, in brackets, their interquartile range (how noisy the run was). */
  const perRound = (a: Variant, b: Variant, f: (x: Run, y: Run) => number): [number, string] => {
    const values = runs[a].map((x, i) => f(x, runs[b][i] as Run)).sort((x, y) => x - y);
    const at = (q: number): number => values[Math.round(q * (values.length - 1))] as number;
    return [median(values), `[${at(0.25).toFixed(2)}–${at(0.75).toFixed(2)}]`];
  };
  const verdict = (ok: boolean): string => (ok ? "meets" : "misses");
  const [stream, streamIqr] = perRound("remote", "local", (x, y) => streamRateOf(x) / streamRateOf(y));
  const [e2e, e2eIqr] = perRound("remote", "local", (x, y) => e2eRateOf(x) / e2eRateOf(y));
  const [ttft, ttftIqr] = perRound("remote", "local", (x, y) => ttftOf(x) - ttftOf(y));
  const [aggregate, aggregateIqr] = perRound(
    "remoteN",
    "localN",
    (x, y) => aggregateRateOf(x) / aggregateRateOf(y),
  );
  const [fixedMs, fixedIqr] = perRound("remote1", "local1", (x, y) => endOf(x) - endOf(y));
  const [tail, tailIqr] = perRound("remote", "local", (x, y) => tailOf(x) - tailOf(y));
  console.log(
    `remote vs local (medians of ${W.rounds} per-round ratios or differences [interquartile range]):`,
  );
  console.log(
    `  streaming tokens/s ratio ${stream.toFixed(3)} ${streamIqr} (${verdict(stream >= TARGETS.stream)} ≥ ${TARGETS.stream})`,
  );
  console.log(
    `  end-to-end tokens/s ratio ${e2e.toFixed(3)} ${e2eIqr} (${verdict(e2e >= TARGETS.endToEnd)} ≥ ${TARGETS.endToEnd})`,
  );
  console.log(`  time-to-first-token overhead ${ttft.toFixed(2)} ms ${ttftIqr}`);
  console.log(
    `  aggregate tokens/s ratio at ${W.concurrency} concurrent ${aggregate.toFixed(3)} ${aggregateIqr} ` +
      `(${verdict(aggregate >= TARGETS.aggregate)} ≥ ${TARGETS.aggregate})`,
  );
  console.log(
    `  fixed per-request cost (1-token answer, remote − local) ${fixedMs.toFixed(2)} ms ${fixedIqr} ` +
      `(${verdict(fixedMs <= TARGETS.fixedMs)} ≤ ${TARGETS.fixedMs} ms)`,
  );
  console.log(`  tail after the last text, remote − local ${tail.toFixed(2)} ms ${tailIqr}`);
  const [cpu1, cpu1Iqr] = perRound("remote", "local", (x, y) => x.cpuMs.provider / y.cpuMs.provider);
  const [cpuN, cpuNIqr] = perRound("remoteN", "localN", (x, y) => x.cpuMs.provider / y.cpuMs.provider);
  console.log(
    `  provider CPU time per answer, remote/local ${cpu1.toFixed(3)} ${cpu1Iqr}; ` +
      `at ${W.concurrency} concurrent ${cpuN.toFixed(3)} ${cpuNIqr} (load-robust: what the provider's thread pays)`,
  );
  console.log(
    `load average (1 min) before ${load[0].toFixed(2)}, after ${load[1].toFixed(2)} on ${cpu.length} cores`,
  );
}

if (W.pin !== "1") await phase("shared CPUs: provider, consumer and client scheduled freely", false);
if (W.pin !== "0") {
  if (cpu.length >= 2 && pin(process.pid, 1))
    await phase("pinned: provider on CPU 0; consumer, client (and this process) on CPU 1", true);
  else console.log("\n(pinned phase skipped: needs Linux taskset and 2 CPUs)");
}
await stopNode(provider);
