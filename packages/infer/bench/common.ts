/**
 * Reusable bench helpers: machine info, a fixed greedy workload, and a timer that turns any streaming
 * generation (raw node-llama-cpp, the Engine API, or an HTTP/SSE client) into time-to-first-token and
 * tokens/s. The node app's bench imports `measureRuns` / `printMachine` / `BENCH_WORKLOAD` to add its
 * HTTP figures beside these.
 * @module
 */
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { getModuleVersion } from "node-llama-cpp";
import { STORIES_260K } from "../test/models.js";

/** The fixed greedy workload every variant runs. */
export const BENCH_WORKLOAD = {
  /** Model file: `BENCH_MODEL` or stories260K from the test models directory. */
  modelPath: process.env["BENCH_MODEL"] ?? STORIES_260K,
  prompt: "Once upon a time",
  maxTokens: Number(process.env["BENCH_MAX_TOKENS"] ?? 256),
  threads: Number(process.env["BENCH_THREADS"] ?? 1),
  contextSize: 512,
  warmupRuns: 2,
  runs: Number(process.env["BENCH_RUNS"] ?? 10),
} as const;

/** One measured generation. */
export interface RunSample {
  /** Time to the first streamed chunk, in milliseconds. */
  ttftMs: number;
  /** Whole generation, in milliseconds. */
  totalMs: number;
  /** Generated tokens. */
  tokens: number;
}

/** Medians over several runs. */
export interface RunSummary {
  label: string;
  runs: number;
  ttftMsMedian: number;
  totalMsMedian: number;
  tokensMedian: number;
  /** Generated tokens per second over the whole generation (median of per-run rates). */
  tokensPerSecondMedian: number;
  /** Tokens per second after the first token (decode speed), median. */
  decodeTokensPerSecondMedian: number;
  /** Best run (highest tokens/s, lowest TTFT): less sensitive to a busy machine than the median. */
  tokensPerSecondBest: number;
  ttftMsBest: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times one streaming generation. `generate` must call `onChunk` for every streamed text chunk and
 * resolve with the number of generated tokens.
 */
export async function measureRun(generate: (onChunk: () => void) => Promise<number>): Promise<RunSample> {
  const start = performance.now();
  let first: number | undefined;
  const tokens = await generate(() => {
    first ??= performance.now();
  });
  const end = performance.now();
  return { ttftMs: (first ?? end) - start, totalMs: end - start, tokens };
}

/** Runs `generate` `warmup + runs` times and summarises the measured runs. */
export async function measureRuns(
  label: string,
  generate: (onChunk: () => void) => Promise<number>,
  runs: number = BENCH_WORKLOAD.runs,
  warmup: number = BENCH_WORKLOAD.warmupRuns,
): Promise<RunSummary> {
  for (let i = 0; i < warmup; i += 1) await measureRun(generate);
  const samples: RunSample[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await measureRun(generate));
  return summarize(label, samples);
}

/** Medians of samples. */
export function summarize(label: string, samples: RunSample[]): RunSummary {
  return {
    label,
    runs: samples.length,
    ttftMsMedian: median(samples.map((s) => s.ttftMs)),
    totalMsMedian: median(samples.map((s) => s.totalMs)),
    tokensMedian: median(samples.map((s) => s.tokens)),
    tokensPerSecondMedian: median(samples.map((s) => (s.tokens * 1000) / s.totalMs)),
    decodeTokensPerSecondMedian: median(
      samples.map((s) => (s.tokens > 1 ? ((s.tokens - 1) * 1000) / (s.totalMs - s.ttftMs) : 0)),
    ),
    tokensPerSecondBest: Math.max(...samples.map((s) => (s.tokens * 1000) / s.totalMs)),
    ttftMsBest: Math.min(...samples.map((s) => s.ttftMs)),
  };
}

/** Prints summaries as an aligned table, with each row's ratio to `baseline`. */
export function printSummaries(summaries: readonly RunSummary[], baseline: RunSummary): void {
  const rows = summaries.map((s) => ({
    variant: s.label,
    runs: s.runs,
    tokens: s.tokensMedian,
    "ttft ms": s.ttftMsMedian.toFixed(2),
    "total ms": s.totalMsMedian.toFixed(1),
    "tok/s": s.tokensPerSecondMedian.toFixed(0),
    "decode tok/s": s.decodeTokensPerSecondMedian.toFixed(0),
    "tok/s vs baseline": (s.tokensPerSecondMedian / baseline.tokensPerSecondMedian).toFixed(3),
    "ttft vs baseline": (s.ttftMsMedian / baseline.ttftMsMedian).toFixed(3),
    "best tok/s": s.tokensPerSecondBest.toFixed(0),
    "best ttft ms": s.ttftMsBest.toFixed(2),
    "best tok/s vs baseline": (s.tokensPerSecondBest / baseline.tokensPerSecondBest).toFixed(3),
  }));
  console.table(rows);
}

/** The machine the figures come from. */
export async function machineInfo(): Promise<Record<string, string | number>> {
  const cpu = cpus();
  const nodeLlamaCpp = await getModuleVersion();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memory_gb: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    "node-llama-cpp": nodeLlamaCpp,
  };
}

/** Prints `machineInfo()` and the workload. */
export async function printMachine(): Promise<void> {
  console.log("machine:", JSON.stringify(await machineInfo()));
  console.log("workload:", JSON.stringify(BENCH_WORKLOAD));
}
