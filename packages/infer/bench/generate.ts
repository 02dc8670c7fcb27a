/**
 * Bench: the same fixed greedy generation through (a) raw node-llama-cpp (`LlamaCompletion` on a
 * context sequence, the floor of what the engine can do) and (b) the `Engine` API, printing
 * time-to-first-token and tokens/s for each and the engine/raw ratios from the same run. Variants are
 * interleaved run by run so machine noise hits both alike. Run: `pnpm run bench` in packages/infer.
 */
import { performance } from "node:perf_hooks";
import { LlamaCompletion } from "node-llama-cpp";
import { createEngine } from "../src/index.js";
import { getSharedLlama } from "../src/llama.js";
import {
  BENCH_WORKLOAD as W,
  measureRun,
  printMachine,
  printSummaries,
  type RunSample,
  summarize,
} from "./common.js";

await printMachine();
const llama = await getSharedLlama();

// (a) raw node-llama-cpp, configured like the engine: explicit threads, no flash attention, no repeat penalty.
const rawModel = await llama.loadModel({ modelPath: W.modelPath });
const rawContext = await rawModel.createContext({
  contextSize: W.contextSize,
  threads: W.threads,
  flashAttention: false,
  sequences: 1,
});
const rawSequence = rawContext.getSequence();
const rawPromptTokens = rawModel.tokenize(W.prompt);
const raw = async (onChunk: () => void): Promise<number> => {
  await rawSequence.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: rawSequence });
  let tokens = 0;
  await completion.generateCompletionWithMeta(rawPromptTokens, {
    temperature: 0,
    maxTokens: W.maxTokens,
    repeatPenalty: false,
    onToken: (t) => (tokens += t.length),
    onTextChunk: onChunk,
  });
  completion.dispose({ disposeSequence: false });
  return tokens;
};

// (b) the Engine API.
const engine = await createEngine({
  modelPath: W.modelPath,
  threads: W.threads,
  contextSize: W.contextSize,
  parallelism: 1,
  flashAttention: false,
});
const viaEngine = async (onChunk: () => void): Promise<number> =>
  (await engine.generate(W.prompt, { temperature: 0, max_tokens: W.maxTokens, onText: onChunk }))
    .completion_tokens;

const check = [await raw(() => undefined), await viaEngine(() => undefined)];
if (check[0] !== check[1])
  throw new Error(`variants disagree on token count: raw ${check[0]}, engine ${check[1]}`);

const samples: Record<"raw" | "engine", RunSample[]> = { raw: [], engine: [] };
for (let i = 0; i < W.warmupRuns; i += 1) {
  await measureRun(raw);
  await measureRun(viaEngine);
}
for (let i = 0; i < W.runs; i += 1) {
  samples.raw.push(await measureRun(raw));
  samples.engine.push(await measureRun(viaEngine));
}
const rawSummary = summarize("(a) raw node-llama-cpp LlamaCompletion", samples.raw);
const engineSummary = summarize("(b) Engine.generate", samples.engine);
printSummaries([rawSummary, engineSummary], rawSummary);
console.log(
  `ratio engine/raw: tokens/s ${(engineSummary.tokensPerSecondMedian / rawSummary.tokensPerSecondMedian).toFixed(3)}, ` +
    `time-to-first-token ${(engineSummary.ttftMsMedian / rawSummary.ttftMsMedian).toFixed(3)} (medians); ` +
    `best-run tokens/s ${(engineSummary.tokensPerSecondBest / rawSummary.tokensPerSecondBest).toFixed(3)}, ` +
    `best-run TTFT ${(engineSummary.ttftMsBest / rawSummary.ttftMsBest).toFixed(3)}`,
);

// Extra figure for capacity planning: two concurrent requests on a two-sequence engine share one
// llama.cpp batch; report the aggregate generated tokens/s against the single-request engine figure.
const parallel = await createEngine({
  modelPath: W.modelPath,
  threads: W.threads,
  contextSize: W.contextSize,
  parallelism: 2,
  flashAttention: false,
});
const pairRate: number[] = [];
for (let i = 0; i < W.warmupRuns + W.runs; i += 1) {
  const start = performance.now();
  const pair = await Promise.all(
    [0, 1].map(() => parallel.generate(W.prompt, { temperature: 0, max_tokens: W.maxTokens })),
  );
  const rate = (pair.reduce((sum, r) => sum + r.completion_tokens, 0) * 1000) / (performance.now() - start);
  if (i >= W.warmupRuns) pairRate.push(rate);
}
pairRate.sort((a, b) => a - b);
const pairMedian = pairRate[Math.floor(pairRate.length / 2)]!;
console.log(
  `(b2) Engine, 2 concurrent requests on 2 sequences: aggregate ${pairMedian.toFixed(0)} tok/s ` +
    `(${(pairMedian / engineSummary.tokensPerSecondMedian).toFixed(3)} × one request)`,
);
await parallel.close();
await engine.close();
await rawContext.dispose();
await rawModel.dispose();
