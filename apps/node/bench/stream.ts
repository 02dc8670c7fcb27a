/**
 * Bench: one fixed greedy chat generation through (a) node-llama-cpp in-process (`LlamaCompletion` on the
 * prompt tokens of the same `general` chat format, explicit threads, no flash attention), (a2) the `@tirami/infer` engine
 * in-process, and (b) this node's streaming `POST /v1/chat/completions` with an agent token over a real
 * 127.0.0.1 socket (SSE parsed by the client). Prints time-to-first-token and tokens/s of each, and the
 * ratios (b)/(a) and (b)/(a2) from the same run; variants are interleaved run by run so machine noise
 * hits all alike. Run: `pnpm run bench` in apps/node (env: BENCH_RUNS, BENCH_MAX_TOKENS, BENCH_THREADS).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
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
  return {
    label,
    runs: samples.length,
    tokens: median(samples.map((s) => s.tokens)),
    ttftMs: median(samples.map((s) => s.ttftMs)),
    totalMs: median(samples.map((s) => s.totalMs)),
    tokensPerSecond: median(samples.map((s) => (s.tokens * 1_000) / s.totalMs)),
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
const viaHttp = async (onChunk: () => void): Promise<number> => {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${agentToken}`, "content-type": "application/json" },
    body,
  });
  if (!response.ok || response.body === null)
    throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = "";
  let tokens = -1;
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!frame.startsWith("data: ") || frame === "data: [DONE]") continue;
      const chunk = JSON.parse(frame.slice(6)) as {
        choices: Array<{ delta: { content?: string } }>;
        usage?: { completion_tokens: number };
      };
      if ((chunk.choices[0]?.delta.content ?? "") !== "") onChunk();
      if (chunk.usage !== undefined) tokens = chunk.usage.completion_tokens;
    }
  }
  if (tokens < 0) throw new Error("stream ended without a usage chunk");
  return tokens;
};

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

const variants = { a: viaLlama, a2: viaEngine, b: viaHttp } as const;
const check = {
  a: await viaLlama(() => undefined),
  a2: await viaEngine(() => undefined),
  b: await viaHttp(() => undefined),
};
console.log("token counts (check):", JSON.stringify(check), "prompt tokens (a):", chatPromptTokens.length);
const samples: Record<keyof typeof variants, Sample[]> = { a: [], a2: [], b: [] };
for (let i = 0; i < W.warmupRuns; i += 1)
  for (const generate of Object.values(variants)) await measure(generate);
for (let i = 0; i < W.runs; i += 1)
  for (const [name, generate] of Object.entries(variants))
    samples[name as keyof typeof variants].push(await measure(generate));

const a = summarize("(a) node-llama-cpp LlamaCompletion in-process", samples.a);
const a2 = summarize("(a2) @tirami/infer Engine.chat in-process", samples.a2);
const b = summarize("(b) node HTTP SSE /v1/chat/completions, agent token", samples.b);
console.table(
  [a, a2, b].map((s) => ({
    variant: s.label,
    runs: s.runs,
    tokens: s.tokens,
    "ttft ms": s.ttftMs.toFixed(2),
    "total ms": s.totalMs.toFixed(1),
    "tok/s": s.tokensPerSecond.toFixed(0),
  })),
);
console.log(
  `ratio (b)/(a): tokens/s ${(b.tokensPerSecond / a.tokensPerSecond).toFixed(3)}, time-to-first-token ${(b.ttftMs / a.ttftMs).toFixed(3)}; ` +
    `(b)/(a2): tokens/s ${(b.tokensPerSecond / a2.tokensPerSecond).toFixed(3)}, time-to-first-token ${(b.ttftMs / a2.ttftMs).toFixed(3)}`,
);

await context.dispose();
await model.dispose();
await node.stop();
rmSync(home, { recursive: true, force: true });
