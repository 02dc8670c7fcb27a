/**
 * Bench: one fixed greedy chat generation through (a) node-llama-cpp in-process (`LlamaCompletion` on the
 * prompt tokens of the same `general` chat format, explicit threads, no flash attention), (a2) the
 * `@tirami/infer` engine in-process, and (b) this node's streaming `POST /v1/chat/completions` with an
 * agent token over a real 127.0.0.1 socket, SSE parsed by a client in its own process (`sse-client.ts`,
 * forked; it times on its own clock): node:http for (b), fetch for (b2).
 *
 * Per variant: time-to-first-token (request start → first text), streaming tokens/s (the tokens after the
 * first over first → last text: the rate text arrives once it flows; TTFT is reported on its own) and
 * end-to-end tokens/s (all tokens over request start → end of stream, TTFT and stream end included).
 * Variants run round-robin, in a rotating order, so machine noise hits all alike; the ratios are medians
 * of per-round ratios (b)/(a) and the TTFT overhead the median of per-round differences, all from this run.
 *
 * On a 2-core machine the client's own work competes with the server's for the same cores: each SSE write
 * wakes it. So the rounds run twice: first with every process scheduled freely, then with the client
 * isolated (Linux `taskset`): this process — server, (a) and (a2) alike — on CPU 0 and the clients on
 * CPU 1, as if the client ran on another machine. `BENCH_PIN=0` or `=1` runs only the first or second. Run: `pnpm run bench` in apps/node
 * (env: BENCH_RUNS, BENCH_MAX_TOKENS, BENCH_THREADS, BENCH_PIN, BENCH_SSE_FLUSH_MS, BENCH_MODEL,
 * TIRAMI_TEST_MODELS_DIR).
 */
import { pin } from "./pin.js";
import { testModelPath } from "@tirami/test-kit";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  GeneralChatWrapper,
  getLlama,
  getModuleVersion,
  LlamaCompletion,
  LlamaLogLevel,
} from "node-llama-cpp";
import { pino } from "pino";
import { readNodeConfig } from "../src/config.js";
import { createNode } from "../src/node.js";
import type { SseClientJob, SseClientTimings } from "./sse-client.js";

const here = dirname(fileURLToPath(import.meta.url));
const W = {
  modelPath: process.env["BENCH_MODEL"] ?? testModelPath(),
  prompt: "Once upon a time",
  maxTokens: Number(process.env["BENCH_MAX_TOKENS"] ?? 256),
  threads: Number(process.env["BENCH_THREADS"] ?? 1),
  contextSize: 1_024,
  warmupRounds: 3,
  rounds: Number(process.env["BENCH_RUNS"] ?? 20),
  /** "both" (default where `taskset` and 2+ CPUs exist): shared CPUs, then client isolated; "0" or "1": one of them. */
  pin: process.env["BENCH_PIN"] ?? "both",
};

/** One generation, timed from its request's start (ms). */
interface Sample {
  firstTextMs: number;
  lastTextMs: number;
  endMs: number;
  tokens: number;
}

const ttftOf = (s: Sample): number => s.firstTextMs;
const e2eRateOf = (s: Sample): number => (s.tokens * 1_000) / s.endMs;
const streamRateOf = (s: Sample): number => ((s.tokens - 1) * 1_000) / (s.lastTextMs - s.firstTextMs);

/** Times an in-process generation whose `onText` runs at each piece of text; resolves with its tokens. */
async function measure(generate: (onText: () => void) => Promise<number>): Promise<Sample> {
  const start = performance.now();
  let first = -1;
  let last = -1;
  const tokens = await generate(() => {
    last = performance.now();
    if (first < 0) first = last;
  });
  const end = performance.now();
  if (first < 0) throw new Error("generation produced no text");
  return { firstTextMs: first - start, lastTextMs: last - start, endMs: end - start, tokens };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

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
console.log("workload:", JSON.stringify(W));

// (b) the node, started first so its engine is the process's first Llama user.
const home = mkdtempSync(join(tmpdir(), "tirami-bench-"));
const config = readNodeConfig({
  flags: {
    home,
    api_port: 0,
    model: W.modelPath,
    threads: W.threads,
    context_size: W.contextSize,
    max_tokens_max: W.maxTokens,
    chat_wrapper: "general",
    log_level: "silent",
    rate_limit_per_minute: 1_000_000,
    ...(process.env["BENCH_SSE_FLUSH_MS"] === undefined
      ? {}
      : { sse_flush_interval_ms: Number(process.env["BENCH_SSE_FLUSH_MS"]) }),
  },
});
const node = await createNode({ config, logger: pino({ level: "silent" }) });
const { url } = await node.start();
const agentToken = node.agents.create("bench").token;
const body = JSON.stringify({
  model: node.engine?.manifest.id,
  messages: [{ role: "user", content: W.prompt }],
  max_tokens: W.maxTokens,
  temperature: 0,
  stream: true,
  stream_options: { include_usage: true },
});
/** A client process. */
async function forkClient(): Promise<ChildProcess> {
  const child = fork(join(here, "sse-client.ts"), [], { execArgv: ["--import", "tsx"] });
  await new Promise<void>((ready, failed) => {
    child.once("spawn", ready);
    child.once("error", failed);
  });
  return child;
}
const clients = { http: await forkClient(), fetch: await forkClient() };
/** Moves the clients to CPU 1 and this process (server and in-process variants) to CPU 0. */
const isolateClients = (): boolean =>
  cpu.length >= 2 && Object.values(clients).every((child) => pin(child.pid, 1)) && pin(process.pid, 0);
const viaClient = (kind: SseClientJob["client"]) => (): Promise<Sample> =>
  new Promise((done, failed) => {
    const child = clients[kind];
    child.once("message", (reply: SseClientTimings | { error: string }) => {
      if ("error" in reply) return failed(new Error(reply.error));
      const { startMs, firstTextMs, lastTextMs, endMs, tokens } = reply;
      done({
        firstTextMs: firstTextMs - startMs,
        lastTextMs: lastTextMs - startMs,
        endMs: endMs - startMs,
        tokens,
      });
    });
    child.send({ url, token: agentToken, body, client: kind } satisfies SseClientJob);
  });

// (a2) the @tirami/infer engine the node uses, called in-process.
const engine = node.engine;
if (engine === undefined) throw new Error("model did not load");
const viaEngine = async (onText: () => void): Promise<number> =>
  (
    await engine.chat([{ role: "user", content: W.prompt }], {
      temperature: 0,
      max_tokens: W.maxTokens,
      onText,
    })
  ).completion_tokens;

// (a) node-llama-cpp directly, configured like the engine: the same `general` chat format turned into
// prompt tokens, then a plain greedy LlamaCompletion on one context sequence (the floor of what the engine
// and the node can do).
const llama = await getLlama({ build: "never", gpu: false, logLevel: LlamaLogLevel.warn, maxThreads: 0 });
const model = await llama.loadModel({ modelPath: W.modelPath });
const context = await model.createContext({
  contextSize: W.contextSize,
  threads: W.threads,
  flashAttention: false,
  sequences: 1,
});
const sequence = context.getSequence();
const { contextText } = new GeneralChatWrapper().generateContextState({
  chatHistory: [
    { type: "user", text: W.prompt },
    { type: "model", response: [] },
  ],
});
const chatPromptTokens = contextText.tokenize(model.tokenizer);
const viaLlama = async (onText: () => void): Promise<number> => {
  await sequence.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: sequence });
  let tokens = 0;
  await completion.generateCompletionWithMeta(chatPromptTokens, {
    temperature: 0,
    maxTokens: W.maxTokens,
    repeatPenalty: false,
    onToken: (t) => (tokens += t.length),
    onTextChunk: onText,
  });
  completion.dispose({ disposeSequence: false });
  return tokens;
};

const variants = {
  a: { label: "(a) node-llama-cpp LlamaCompletion in-process", run: () => measure(viaLlama) },
  a2: { label: "(a2) @tirami/infer Engine.chat in-process", run: () => measure(viaEngine) },
  b: { label: "(b) node SSE, agent token, node:http client process", run: viaClient("http") },
  b2: { label: "(b2) node SSE, agent token, fetch client process", run: viaClient("fetch") },
} as const;
type Variant = keyof typeof variants;
const names = Object.keys(variants) as Variant[];

const check: Record<string, number> = {};
for (const name of names) check[name] = (await variants[name].run()).tokens;
console.log("token counts (check):", JSON.stringify(check), "prompt tokens (a):", chatPromptTokens.length);
if (new Set(Object.values(check)).size !== 1)
  throw new Error("the variants generated different token counts");

/** Runs the warm-up and measured rounds, every variant once a round in a rotating order. */
async function runRounds(): Promise<Record<Variant, Sample[]>> {
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<
    Variant,
    Sample[]
  >;
  for (let round = 0; round < W.warmupRounds + W.rounds; round += 1) {
    const order = names.map((_, i) => names[(i + round) % names.length] as Variant);
    for (const name of order) {
      const sample = await variants[name].run();
      if (round >= W.warmupRounds) samples[name].push(sample);
    }
  }
  return samples;
}

const best = (values: number[], lowest: boolean): number => (lowest ? Math.min : Math.max)(...values);

/** Prints the table of one phase and its ratios: medians of per-round (x)/(base) and (x) − (base) TTFT. */
function report(title: string, samples: Record<Variant, Sample[]>, load: [number, number]): void {
  console.log(`\n${title}`);
  console.table(
    names.map((name) => {
      const runs = samples[name];
      return {
        variant: variants[name].label,
        runs: runs.length,
        tokens: median(runs.map((s) => s.tokens)),
        "ttft ms": median(runs.map(ttftOf)).toFixed(2),
        "best ttft ms": best(runs.map(ttftOf), true).toFixed(2),
        "stream tok/s": median(runs.map(streamRateOf)).toFixed(0),
        "best stream tok/s": best(runs.map(streamRateOf), false).toFixed(0),
        "end-to-end tok/s": median(runs.map(e2eRateOf)).toFixed(0),
      };
    }),
  );
  const against = (name: Variant, base: Variant): string => {
    const x = samples[name];
    const y = samples[base];
    const perRound = (f: (s: Sample, t: Sample) => number): number =>
      median(x.map((s, i) => f(s, y[i] as Sample)));
    const stream = perRound((s, t) => streamRateOf(s) / streamRateOf(t));
    const e2e = perRound((s, t) => e2eRateOf(s) / e2eRateOf(t));
    const ttft = perRound((s, t) => ttftOf(s) - ttftOf(t));
    return (
      `${name}/${base}: streaming tokens/s ${stream.toFixed(3)}, end-to-end tokens/s ${e2e.toFixed(3)}, ` +
      `time-to-first-token overhead ${ttft.toFixed(2)} ms`
    );
  };
  console.log(`ratios (medians of ${W.rounds} rounds):`);
  for (const line of [against("b", "a"), against("b2", "a"), against("b", "a2"), against("a2", "a")])
    console.log(`  ${line}`);
  console.log(
    `load average (1 min) before ${load[0].toFixed(2)}, after ${load[1].toFixed(2)} on ${cpu.length} cores`,
  );
}

/** One measured phase. */
async function phase(title: string): Promise<void> {
  const before = loadavg()[0] ?? 0;
  const samples = await runRounds();
  report(title, samples, [before, loadavg()[0] ?? 0]);
}

if (W.pin !== "1") await phase("shared CPUs: server, in-process variants and clients scheduled freely");
if (W.pin !== "0") {
  if (isolateClients())
    await phase("client isolated: this process (server, (a), (a2)) on CPU 0, clients on CPU 1");
  else console.log("\n(client isolation skipped: needs Linux taskset and 2 CPUs)");
}

for (const child of Object.values(clients)) child.disconnect();
await context.dispose();
await model.dispose();
await node.stop();
rmSync(home, { recursive: true, force: true });
