/**
 * Proves the engine loads a second real architecture variant, the random-weight Llama-2-shaped model
 * with a 32,000-token SentencePiece vocabulary: its manifest, greedy generation with exact token
 * counts, chat through the `general` fallback format (the model has no chat template), and `close()`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "./engine.js";
import { InferErrorCode } from "./errors.js";
import { LLAMA2_TINY_RANDOM } from "../test/models.js";

let engine: Engine;

beforeAll(async () => {
  // chatWrapper left at "auto": with no template in the file, the documented fallback applies.
  engine = await createEngine({
    modelPath: LLAMA2_TINY_RANDOM,
    threads: 1,
    contextSize: 256,
    parallelism: 1,
    queueMax: 0,
    flashAttention: false,
  });
});
afterAll(async () => {
  await engine?.close();
});

describe("llama-2-tiny-random", () => {
  it("reads a 32k-vocabulary F16 manifest", () => {
    expect(engine.manifest).toMatchObject({
      id: "llama-2-tiny-random",
      architecture: "llama",
      block_count: 1,
      embedding_length: 8,
      head_count: 2,
      head_count_kv: 2,
      vocab_size: 32_000,
      context_length_tokens: 4096,
      file_type: 1,
      quantization: "F16",
      has_chat_template: false,
      file_size_bytes: 1_750_560,
    });
  });

  it("generates deterministically with exact counts", async () => {
    const a = await engine.generate("Hello world", { temperature: 0, max_tokens: 16 });
    const b = await engine.generate("Hello world", { temperature: 0, max_tokens: 16 });
    expect(a.text).toBe(b.text);
    expect(a.prompt_tokens).toBe(engine.tokenizePrompt("Hello world").length);
    expect(a.completion_tokens).toBeGreaterThan(0);
    expect(a.completion_tokens).toBeLessThanOrEqual(16);
    if (a.finish_reason === "length") expect(a.completion_tokens).toBe(16);
  });

  it("falls back to the general chat format and chats", async () => {
    expect(engine.chatFormat).toEqual({ name: "General", source: "fallback" });
    const result = await engine.chat([{ role: "user", content: "Hi" }], { temperature: 0, max_tokens: 8 });
    expect(result.prompt_tokens).toBe(engine.tokenizeChat([{ role: "user", content: "Hi" }]).length);
    expect(["stop", "length"]).toContain(result.finish_reason);
  });

  it("with queueMax 0 refuses a second concurrent request at once", async () => {
    const first = engine.generate("Hello", { temperature: 0, max_tokens: 8 });
    await expect(engine.generate("Hello", { temperature: 0, max_tokens: 8 })).rejects.toMatchObject({
      code: InferErrorCode.ENGINE_BUSY,
    });
    await first;
  });

  it("refuses work after close()", async () => {
    const other = await createEngine({
      modelPath: LLAMA2_TINY_RANDOM,
      threads: 1,
      contextSize: 256,
      chatWrapper: "chatml",
    });
    expect(other.chatFormat).toEqual({ name: "ChatML", source: "explicit" });
    await other.close();
    await other.close();
    await expect(other.generate("Hello")).rejects.toMatchObject({ code: InferErrorCode.ENGINE_CLOSED });
  });

  it("rejects a missing model file and an unknown wrapper", async () => {
    await expect(createEngine({ modelPath: "/no/such/model.gguf", threads: 1 })).rejects.toMatchObject({
      code: InferErrorCode.MODEL_NOT_FOUND,
    });
    await expect(
      createEngine({ modelPath: LLAMA2_TINY_RANDOM, threads: 1, contextSize: 256, chatWrapper: "nope" }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});
