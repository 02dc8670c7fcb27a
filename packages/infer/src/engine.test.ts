/**
 * Proves the engine on the real stories260K model (loaded once): its manifest matches the models
 * README, greedy completion is deterministic and matches the documented golden text, streaming yields
 * exactly the non-streamed text, token counts match the model's tokenizer, max_tokens / stop strings /
 * aborts end generation with the right finish_reason, requests share two sequences without leaking
 * state, the bounded queue overflows with ENGINE_BUSY, and chat works with an explicit wrapper.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlamaModel } from "node-llama-cpp";
import { isTiramiError } from "@tirami/core";
import { createEngine, type Engine, type GenerationResult } from "./engine.js";
import { EngineBusyError, InferErrorCode } from "./errors.js";
import { getSharedLlama } from "./llama.js";
import { STORIES_260K, STORIES_GREEDY_PREFIX } from "../test/models.js";

const PROMPT = "Once upon a time";
const GREEDY = { temperature: 0, max_tokens: 40 } as const;

let engine: Engine;
let tokenizerModel: LlamaModel;
let golden: GenerationResult;

beforeAll(async () => {
  engine = await createEngine({
    modelPath: STORIES_260K,
    threads: 1,
    contextSize: 512,
    parallelism: 2,
    queueMax: 4,
    chatWrapper: "llama2",
    flashAttention: false,
  });
  // An independent handle on the model's own tokenizer, to check the engine's counts against.
  tokenizerModel = await (await getSharedLlama()).loadModel({ modelPath: STORIES_260K });
  golden = await engine.generate(PROMPT, GREEDY);
});

afterAll(async () => {
  await engine?.close();
  await tokenizerModel?.dispose();
});

describe("manifest", () => {
  it("reads the stories260K shape from the GGUF header", () => {
    expect(engine.manifest).toMatchObject({
      id: "stories260K",
      architecture: "llama",
      block_count: 5,
      embedding_length: 64,
      head_count: 8,
      head_count_kv: 4,
      vocab_size: 512,
      context_length_tokens: 2048,
      has_chat_template: false,
      quantization: "F32",
      parameter_count: 292_800,
      file_size_bytes: 1_185_376,
    });
  });
});

describe("generate", () => {
  it("continues the golden greedy text deterministically", async () => {
    expect(golden.text.startsWith(STORIES_GREEDY_PREFIX)).toBe(true);
    expect(
      golden.text.startsWith(", there was a little girl named Lily. She loved to play outside in the park."),
    ).toBe(true);
    const again = await engine.generate(PROMPT, GREEDY);
    expect(again.text).toBe(golden.text);
  });

  it("counts prompt and completion tokens exactly", async () => {
    const promptTokens = tokenizerModel.tokenize(PROMPT);
    expect(golden.prompt_tokens).toBe(promptTokens.length + 1); // + BOS
    expect(engine.tokenizePrompt(PROMPT)).toEqual([tokenizerModel.tokens.bos, ...promptTokens]);
    expect(golden.completion_tokens).toBe(40);
    expect(golden.total_tokens).toBe(golden.prompt_tokens + 40);
    // Re-tokenizing prompt + output gives back exactly the evaluated tokens.
    expect(tokenizerModel.tokenize(PROMPT + golden.text).length).toBe(
      promptTokens.length + golden.completion_tokens,
    );
  });

  it("streams exactly the non-streamed text, by callback and by async iteration", async () => {
    const chunks: string[] = [];
    const viaCallback = await engine.generate(PROMPT, { ...GREEDY, onText: (chunk) => chunks.push(chunk) });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(golden.text);
    expect(viaCallback.text).toBe(golden.text);

    const stream = engine.generateStream(PROMPT, GREEDY);
    let streamed = "";
    for await (const chunk of stream) streamed += chunk;
    expect(streamed).toBe(golden.text);
    expect((await stream.result).completion_tokens).toBe(40);
  });

  it("stops at max_tokens with finish_reason length", async () => {
    const result = await engine.generate(PROMPT, { temperature: 0, max_tokens: 7 });
    expect(result.finish_reason).toBe("length");
    expect(result.completion_tokens).toBe(7);
    expect(golden.text.startsWith(result.text)).toBe(true);
  });

  it("honours stop strings and leaves them out of the text", async () => {
    const result = await engine.generate(PROMPT, {
      temperature: 0,
      max_tokens: 100,
      stop: ["Lily", "never-produced"],
    });
    expect(result.finish_reason).toBe("stop");
    expect(result.text).not.toContain("Lily");
    expect(golden.text.startsWith(result.text)).toBe(true);
    expect(result.text.startsWith(", there was a little girl named")).toBe(true);
    expect(result.completion_tokens).toBeLessThan(12);
  });

  it("stops promptly on abort mid-stream with finish_reason abort", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const result = await engine.generate(PROMPT, {
      temperature: 0,
      max_tokens: 400,
      signal: controller.signal,
      onText: (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 3) controller.abort();
      },
    });
    expect(result.finish_reason).toBe("abort");
    expect(chunks.join("")).toBe(result.text);
    expect(result.completion_tokens).toBeGreaterThanOrEqual(3);
    expect(result.completion_tokens).toBeLessThan(10);
    expect(golden.text.startsWith(result.text)).toBe(true);
  });

  it("ends the generation when the onText consumer throws", async () => {
    let calls = 0;
    const result = await engine.generate(PROMPT, {
      temperature: 0,
      max_tokens: 400,
      onText: () => {
        calls += 1;
        throw new Error("socket closed");
      },
    });
    expect(result.finish_reason).toBe("abort");
    expect(calls).toBe(1);
    expect(result.completion_tokens).toBeLessThan(10);
  });

  it("aborts when the consumer leaves a stream early", async () => {
    const stream = engine.generateStream(PROMPT, { temperature: 0, max_tokens: 400 });
    for await (const chunk of stream) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    const result = await stream.result;
    expect(result.finish_reason).toBe("abort");
    expect(result.completion_tokens).toBeLessThan(400);
  });

  it("keeps no state between requests", async () => {
    await engine.generate("The little dog ran to the big tree and", { temperature: 0, max_tokens: 60 });
    expect((await engine.generate(PROMPT, GREEDY)).text).toBe(golden.text);
  });

  it("is reproducible with a seed when sampling", async () => {
    const options = { temperature: 0.9, top_p: 0.95, top_k: 40, seed: 1234, max_tokens: 30 };
    const a = await engine.generate(PROMPT, options);
    const b = await engine.generate(PROMPT, options);
    expect(a.text).toBe(b.text);
    expect(a.completion_tokens).toBeGreaterThan(0);
  });

  it("rejects invalid options and over-long prompts with typed errors", async () => {
    for (const bad of [
      { temperature: 3 },
      { max_tokens: 0 },
      { top_p: 0 },
      { top_k: 1.5 },
      { stop: [""] },
      { seed: -1 },
    ]) {
      await expect(engine.generate(PROMPT, bad)).rejects.toMatchObject({
        code: InferErrorCode.INVALID_GENERATION_OPTIONS,
      });
    }
    const long = "Once upon a time ".repeat(200);
    await expect(engine.generate(long, GREEDY)).rejects.toMatchObject({
      code: InferErrorCode.CONTEXT_LENGTH_EXCEEDED,
    });
  });
});

describe("concurrency", () => {
  it("serves more requests than sequences through the FIFO queue, then answers ENGINE_BUSY", async () => {
    // 2 sequences + 4 queue places: the 7th concurrent request is refused at once.
    const runs = Array.from({ length: 6 }, () => engine.generate(PROMPT, GREEDY));
    expect(engine.stats()).toMatchObject({ active: 2, queued: 4, capacity: 2, queue_max: 4, free: 0 });
    const refused = engine.generate(PROMPT, GREEDY);
    await expect(refused).rejects.toBeInstanceOf(EngineBusyError);
    await expect(refused).rejects.toMatchObject({ code: "ENGINE_BUSY", retryAfterMs: 1000 });
    const results = await Promise.all(runs);
    for (const result of results) {
      expect(result.text).toBe(golden.text);
      expect(result.completion_tokens).toBe(40);
    }
    expect(engine.stats()).toMatchObject({ active: 0, queued: 0, free: 2 });
  });

  it("removes a request aborted while queued from the queue", async () => {
    const busy = [
      engine.generate(PROMPT, { temperature: 0, max_tokens: 300 }),
      engine.generate(PROMPT, { temperature: 0, max_tokens: 300 }),
    ];
    const controller = new AbortController();
    const queued = engine.generate(PROMPT, { ...GREEDY, signal: controller.signal });
    expect(engine.stats().queued).toBe(1);
    controller.abort();
    const result = await queued;
    expect(engine.stats().queued).toBe(0);
    expect(result).toMatchObject({
      finish_reason: "abort",
      completion_tokens: 0,
      text: "",
      prompt_tokens: golden.prompt_tokens,
    });
    for (const run of await Promise.all(busy)) expect(run.finish_reason).toBe("length");
  });
});

describe("chat", () => {
  it("uses the explicit Llama 2 chat wrapper and counts the rendered prompt", async () => {
    expect(engine.chatFormat).toEqual({ name: "Llama2Chat", source: "explicit" });
    const messages = [
      { role: "system", content: "You tell short stories." },
      { role: "user", content: "Tell me about a cat." },
    ] as const;
    const tokens = engine.tokenizeChat(messages);
    // [INST] <<SYS>> … <</SYS>> … [/INST] framing makes the prompt longer than its text.
    expect(tokens.length).toBeGreaterThan(
      tokenizerModel.tokenize("You tell short stories. Tell me about a cat.").length + 5,
    );
    expect(tokens[0]).toBe(tokenizerModel.tokens.bos);
    const first = await engine.chat(messages, { temperature: 0, max_tokens: 30 });
    const second = await engine.chat(messages, { temperature: 0, max_tokens: 30 });
    expect(first.prompt_tokens).toBe(tokens.length);
    expect(first.completion_tokens).toBeGreaterThan(0);
    expect(first.text.length).toBeGreaterThan(0);
    expect(second.text).toBe(first.text);
  });

  it("rejects malformed messages", async () => {
    await expect(engine.chat([], GREEDY)).rejects.toSatisfy((e) =>
      isTiramiError(e, InferErrorCode.INVALID_GENERATION_OPTIONS),
    );
    await expect(engine.chat([{ role: "tool" as "user", content: "x" }], GREEDY)).rejects.toSatisfy((e) =>
      isTiramiError(e, InferErrorCode.INVALID_GENERATION_OPTIONS),
    );
  });
});
