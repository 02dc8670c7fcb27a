/**
 * Bench: one fixed greedy chat generation through (a) node-llama-cpp in-process (`LlamaCompletion` on the
 * prompt tokens of the same `general` chat format, explicit threads, no flash attention), (a2) the
 * `@tirami/infer` engine in-process, and (b) this node's streaming `POST /v1/chat/completions` with an
 * agent token over a real 127.0.0.1 socket, SSE parsed by a `fetch` client in its own process
 * (`sse-client.ts`, forked; it times on its own clock), and (b1) the same client inside this process.
 * Prints time-to-first-token and tokens/s of each (median and best), the ratios (b)/(a) and (b)/(a2) and
 * the TTFT overhead (b) − (a) from the same run; variants are interleaved run by run so machine noise hits
 * all alike. Run: `pnpm run bench` in apps/node (env: BENCH_RUNS, BENCH_MAX_TOKENS, BENCH_THREADS).
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
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
import { type SseClientJob, streamChat } from "./sse-client.js";

const here = dirname(fileURLToPath(import.meta.url));
const modelsDir = process.env["TIRAMI_TEST_MODELS_DIR"] ?? resolve(here, "../../../../shared/models");
const W = {
  modelPath: process.env["BENCH_MODEL"] ?? join(modelsDir, "stories260K.gguf"),
  prompt: "Once upon a time",
  maxTokens: Number(process.env["BENCH_MAX_TOKENS"] ?? 256),
  threads: Number(process.env["BENCH_THREADS"] ?? 1),
  contextSize: 1_024,
  warmupRuns: 2,
  runs: Number(process.env["BENCH_RUNS"] ?? 10),
};

interface Sample {
  ttftMs: number;
  totalMs: number;
  tokens: number;
}

async function measure(generate: (onChunk: () => void) => Promise<number>): Promise<Sample> {
  const start = performance.now();
  let first: number | undefined;
  const tokens = await generate(() => {
    first ??= performance.now();
  });
  const end = performance.now();
  return { ttftMs: (first ?? end) - start, totalMs: end - start, tokens };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function summarize(label: string, samples: Sample[]) {
  const rates = samples.map((s) => (s.tokens * 1_000) / s.totalMs);
  const ttfts = samples.map((s) => s.ttftMs);
  return {
    label,
    runs: samples.length,
    tokens: median(samples.map((s) => s.tokens)),
    ttftMs: median(ttfts),
    ttftMsBest: Math.min(...ttfts),
    totalMs: median(samples.map((s) => s.totalMs)),
    tokensPerSecond: median(rates),
    tokensPerSecondBest: Math.max(...rates),
  };
}

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
const job: SseClientJob = { url, token: agentToken, body };
// (b) from a client in its own process (as a real client is), and (b1) from a client sharing the
// server's process and thread (what this bench measured before: the client's parsing then competes with
// the generation loop).
const client = fork(join(here, "sse-client.ts"), [], { execArgv: ["--import", "tsx"] });
await new Promise<void>((ready, failed) => {
  client.once("spawn", ready);
  client.once("error", failed);
});
const viaHttp = (_onChunk: () => void): Promise<Sample> =>
  new Promise((done, failed) => {
    client.once("message", (reply: Sample | { error: string }) =>
      "error" in reply ? failed(new Error(reply.error)) : done(reply),
    );
    client.send(job);
  });
const viaHttpSameProcess = (onChunk: () => void): Promise<number> => streamChat(job, onChunk);

// (a2) the @tirami/infer engine the node uses, called in-process.
const engine = node.engine;
if (engine === undefined) throw new Error("model did not load");
const viaEngine = async (onChunk: () => void): Promise<number> =>
  (
    await engine.chat([{ role: "user", content: W.prompt }], {
      temperature: 0,
      max_tokens: W.maxTokens,
      onText: onChunk,
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
const viaLlama = async (onChunk: () => void): Promise<number> => {
  await sequence.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: sequence });
  let tokens = 0;
  await completion.generateCompletionWithMeta(chatPromptTokens, {
    temperature: 0,
    maxTokens: W.maxTokens,
    repeatPenalty: false,
    onToken: (t) => (tokens += t.length),
    onTextChunk: onChunk,
  });
  completion.dispose({ disposeSequence: false });
  return tokens;
};

const timed = (generate: (onChunk: () => void) => Promise<number>) => (): Promise<Sample> =>
  measure(generate);
const variants = {
  a: timed(viaLlama),
  a2: timed(viaEngine),
  b: () => viaHttp(() => undefined),
  b1: timed(viaHttpSameProcess),
} as const;
const check = {
  a: await viaLlama(() => undefined),
  a2: await viaEngine(() => undefined),
  b: (await viaHttp(() => undefined)).tokens,
  b1: await viaHttpSameProcess(() => undefined),
};
console.log("token counts (check):", JSON.stringify(check), "prompt tokens (a):", chatPromptTokens.length);
const samples: Record<keyof typeof variants, Sample[]> = { a: [], a2: [], b: [], b1: [] };
const loadBefore = loadavg();
for (let i = 0; i < W.warmupRuns; i += 1) for (const run of Object.values(variants)) await run();
for (let i = 0; i < W.runs; i += 1)
  for (const [name, run] of Object.entries(variants))
    samples[name as keyof typeof variants].push(await run());
const loadAfter = loadavg();

const a = summarize("(a) node-llama-cpp LlamaCompletion in-process", samples.a);
const a2 = summarize("(a2) @tirami/infer Engine.chat in-process", samples.a2);
const b = summarize("(b) node HTTP SSE /v1/chat/completions, agent token, client process", samples.b);
const b1 = summarize("(b1) same, client in the server's process", samples.b1);
console.table(
  [a, a2, b, b1].map((s) => ({
    variant: s.label,
    runs: s.runs,
    tokens: s.tokens,
    "ttft ms": s.ttftMs.toFixed(2),
    "best ttft ms": s.ttftMsBest.toFixed(2),
    "total ms": s.totalMs.toFixed(1),
    "tok/s": s.tokensPerSecond.toFixed(0),
    "best tok/s": s.tokensPerSecondBest.toFixed(0),
  })),
);
const ratio = (x: number, y: number): string => (x / y).toFixed(3);
console.log(
  `ratio (b)/(a): tokens/s ${ratio(b.tokensPerSecond, a.tokensPerSecond)} median, ` +
    `${ratio(b.tokensPerSecondBest, a.tokensPerSecondBest)} best; ` +
    `time-to-first-token overhead (b) − (a) ${(b.ttftMs - a.ttftMs).toFixed(2)} ms median, ` +
    `${(b.ttftMsBest - a.ttftMsBest).toFixed(2)} ms best`,
);
console.log(
  `ratio (b)/(a2): tokens/s ${ratio(b.tokensPerSecond, a2.tokensPerSecond)}, ` +
    `TTFT overhead ${(b.ttftMs - a2.ttftMs).toFixed(2)} ms; ` +
    `(b1)/(a): tokens/s ${ratio(b1.tokensPerSecond, a.tokensPerSecond)}, ` +
    `TTFT overhead ${(b1.ttftMs - a.ttftMs).toFixed(2)} ms (medians)`,
);
console.log(
  `load average (1 min) before ${loadBefore[0]?.toFixed(2)}, after ${loadAfter[0]?.toFixed(2)} on ${cpu.length} cores`,
);

client.disconnect();
await context.dispose();
await model.dispose();
await node.stop();
rmSync(home, { recursive: true, force: true });
