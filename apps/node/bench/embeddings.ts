/**
 * Bench: embeddings per second on the same batch of short texts through (a) node-llama-cpp in-process
 * (`createEmbeddingContext` + `getEmbeddingFor`, one text at a time: the baseline), (b) the `@tirami/infer`
 * engine in-process (`engine.embed`, which adds plain-text tokenization, the queue and normalisation) and
 * (c) this node's `POST /v1/embeddings` through the official `openai` client over 127.0.0.1 (base64, the
 * client's default; client and node share this process and its CPUs). Variants run round-robin in a
 * rotating order so machine noise hits all alike; reported: the median embeddings/s of each and the
 * median per-round ratio to (a), all from this run.
 *
 * Run: `pnpm run bench:embeddings` in apps/node (env: BENCH_RUNS, BENCH_BATCH, BENCH_THREADS, BENCH_MODEL,
 * TIRAMI_TEST_MODELS_DIR).
 */
import { testModelPath } from "@tirami/test-kit";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { getLlama, getModuleVersion, LlamaLogLevel } from "node-llama-cpp";
import OpenAI from "openai";
import { pino } from "pino";
import { readNodeConfig } from "../src/config.js";
import { createNode } from "../src/node.js";

const SENTENCES = [
  "Once upon a time there was a little girl named Lily.",
  "She loved to play outside in the park.",
  "One day she saw a big red ball.",
  "The cat sat on the mat and looked at the bird.",
  "Tom and his mom went to the store to buy some milk.",
  "The sun was shining and the sky was blue.",
  "He wanted to share his toys with his friend.",
  "They laughed and played until it was time to go home.",
];
const W = {
  modelPath: process.env["BENCH_MODEL"] ?? testModelPath(),
  batch: Number(process.env["BENCH_BATCH"] ?? 32),
  threads: Number(process.env["BENCH_THREADS"] ?? 1),
  contextSize: 512,
  warmupRounds: 2,
  rounds: Number(process.env["BENCH_RUNS"] ?? 15),
};
const texts = Array.from(
  { length: W.batch },
  (_, index) => `${SENTENCES[index % SENTENCES.length]} (${index})`,
);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Embeddings per second of one round of `run` over the batch. */
async function rate(run: () => Promise<number>): Promise<number> {
  const start = performance.now();
  const count = await run();
  if (count !== W.batch) throw new Error(`expected ${W.batch} embeddings, got ${count}`);
  return (count * 1_000) / (performance.now() - start);
}

const cpu = cpus();
console.log(
  "machine:",
  JSON.stringify({
    cpus: cpu.length,
    model: cpu[0]?.model,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    load: loadavg().map((value) => value.toFixed(2)),
    node: process.version,
    node_llama_cpp: await getModuleVersion(),
  }),
);
console.log("workload:", JSON.stringify({ ...W, modelPath: W.modelPath.split("/").at(-1) }));

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: W.modelPath });
const direct = await model.createEmbeddingContext({ contextSize: W.contextSize, threads: W.threads });
const home = mkdtempSync(join(tmpdir(), "tirami-bench-embeddings-"));
const node = await createNode({
  config: readNodeConfig({
    flags: {
      home,
      api_port: 0,
      threads: W.threads,
      context_size: W.contextSize,
      log_level: "silent",
      model: W.modelPath,
      chat_wrapper: "general",
      rate_limit_per_minute: 1_000_000,
    },
  }),
  logger: pino({ level: "silent" }),
});
const { url } = await node.start();
const client = new OpenAI({ apiKey: node.operatorToken.token, baseURL: `${url}/v1`, maxRetries: 0 });
const engine = node.engine;
if (engine === undefined) throw new Error("the node loaded no model");

const variants: Record<string, () => Promise<number>> = {
  "a node-llama-cpp": async () => {
    let count = 0;
    for (const text of texts) if ((await direct.getEmbeddingFor(text)).vector.length > 0) count++;
    return count;
  },
  "b engine.embed": async () => (await engine.embed(texts)).vectors.length,
  "c POST /v1/embeddings (openai)": async () =>
    (await client.embeddings.create({ model: engine.manifest.id, input: texts })).data.length,
};
const names = Object.keys(variants);
const rates: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
try {
  for (let round = 0; round < W.warmupRounds + W.rounds; round++) {
    const order = names.map((_, index) => names[(index + round) % names.length] as string);
    for (const name of order) {
      const value = await rate(variants[name] as () => Promise<number>);
      if (round >= W.warmupRounds) rates[name]?.push(value);
    }
  }
  const baseline = rates[names[0] as string] as number[];
  for (const name of names) {
    const values = rates[name] as number[];
    const ratio = median(values.map((value, index) => value / (baseline[index] as number)));
    console.log(
      `${name.padEnd(32)} ${median(values).toFixed(0).padStart(7)} embeddings/s   ×${ratio.toFixed(2)} of (a)`,
    );
  }
} finally {
  await node.stop();
  await direct.dispose();
  await model.dispose();
  rmSync(home, { recursive: true, force: true });
}
