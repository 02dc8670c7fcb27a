/**
 * Bench: the price of grammar-constrained generation. One engine, the same chat prompt, runs
 * interleaved so machine noise hits every variant alike: (a) unconstrained, (b) a `json_schema` answer
 * (an object with a free-text field, so generation runs long), (c) the tool-call envelope of
 * `tool_choice: "required"`. Prints each variant's tokens/s and its ratio to (a) from the same run.
 * Run: `pnpm run bench:grammar` in packages/infer (`BENCH_MODEL`, `BENCH_RUNS`, `BENCH_MAX_TOKENS`).
 */
import {
  type ChatMessage,
  createEngine,
  type GenerationOptions,
  planToolCalls,
  renderToolHistory,
} from "../src/index.js";
import {
  BENCH_WORKLOAD as W,
  measureRun,
  printMachine,
  printSummaries,
  type RunSample,
  summarize,
} from "./common.js";

await printMachine();
const engine = await createEngine({
  modelPath: W.modelPath,
  threads: W.threads,
  contextSize: 1024,
  parallelism: 1,
  flashAttention: false,
  chatWrapper: "general",
});
const messages: ChatMessage[] = [{ role: "user", content: "Tell me a story about Lily and her dog." }];
const story = {
  type: "json_schema" as const,
  schema: {
    type: "object",
    properties: {
      title: { type: "string", maxLength: 40 },
      story: { type: "string" },
      happy: { type: "boolean" },
    },
    required: ["title", "story", "happy"],
    additionalProperties: false,
  },
};
const plan = planToolCalls({
  tools: [
    {
      name: "find_pet",
      description: "Find a pet by name and kind",
      parameters: {
        type: "object",
        properties: {
          name: { type: "string" },
          kind: { enum: ["dog", "cat", "bird"] },
          age: { type: "integer" },
        },
        required: ["name", "kind", "age"],
      },
    },
  ],
  choice: "required",
  parallel: true,
});
if (plan === undefined) throw new Error("a tool plan was expected");
const toolMessages = renderToolHistory(messages, plan.instructions);

const variants: { label: string; run: (onChunk: () => void) => Promise<number> }[] = [
  { label: "(a) unconstrained", run: (onChunk) => generate(messages, {}, onChunk) },
  { label: "(b) json_schema", run: (onChunk) => generate(messages, { format: story }, onChunk) },
  {
    label: "(c) tool call (required)",
    run: (onChunk) => generate(toolMessages, { format: plan.format }, onChunk),
  },
];

async function generate(
  input: typeof messages,
  options: Pick<GenerationOptions, "format">,
  onChunk: () => void,
): Promise<number> {
  const result = await engine.chat(input, {
    temperature: 0,
    max_tokens: W.maxTokens,
    ...options,
    onText: onChunk,
  });
  return result.completion_tokens;
}

const samples: RunSample[][] = variants.map(() => []);
for (let i = 0; i < W.warmupRuns + W.runs; i += 1)
  for (const [index, variant] of variants.entries()) {
    const sample = await measureRun(variant.run);
    if (i >= W.warmupRuns) samples[index]?.push(sample);
  }
const summaries = variants.map((variant, index) => summarize(variant.label, samples[index] ?? []));
const baseline = summaries[0];
if (baseline === undefined) throw new Error("no baseline");
printSummaries(summaries, baseline);
for (const summary of summaries.slice(1))
  console.log(
    `${summary.label} ÷ (a): tokens/s ${(summary.tokensPerSecondMedian / baseline.tokensPerSecondMedian).toFixed(3)} (medians), ` +
      `decode tokens/s ${(summary.decodeTokensPerSecondMedian / baseline.decodeTokensPerSecondMedian).toFixed(3)}`,
  );
await engine.close();
