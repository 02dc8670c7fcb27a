/**
 * Proves that a model carrying a chat template in its GGUF header is prompted with that template under
 * `chatWrapper: "auto"`, while the same model without one gets the documented `general` fallback. The
 * template-bearing model is stories260K with a ChatML-style Jinja template added to its header.
 */
import { join } from "node:path";
import { suiteTempDir } from "@tirami/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "./engine.js";
import { readModelManifest } from "./manifest.js";
import { writeGgufWithChatTemplate } from "../test/gguf-template.js";
import { STORIES_260K } from "../test/models.js";

// A deliberately unusual format, so no built-in wrapper can be mistaken for it.
const TEMPLATE =
  "{% for message in messages %}<<{{ message['role'] }}>>{{ message['content'] }}<</{{ message['role'] }}>>\n{% endfor %}" +
  "{% if add_generation_prompt %}<<assistant>>{% endif %}";

const dir = suiteTempDir("tirami-infer-template-");
let templated: Engine;

beforeAll(async () => {
  const path = join(dir, "stories260K-templated.gguf");
  await writeGgufWithChatTemplate(STORIES_260K, path, TEMPLATE);
  templated = await createEngine({ modelPath: path, threads: 1, contextSize: 512, flashAttention: false });
});
afterAll(async () => {
  await templated?.close();
});

describe("chat template", () => {
  it("uses the model's own template when the GGUF has one", async () => {
    expect(templated.manifest.has_chat_template).toBe(true);
    expect(templated.manifest.block_count).toBe(5);
    expect(templated.chatFormat.source).toBe("model_template");
    const messages = [{ role: "user", content: "Tell me a story." }] as const;
    const tokens = templated.tokenizeChat(messages);
    const rendered = "<<user>>Tell me a story.<</user>>\n<<assistant>>";
    // The evaluated prompt is the template's output after BOS. node-llama-cpp tokenizes the template's
    // literal parts and the message texts as separate pieces, so SentencePiece may add a space at the seams.
    expect(tokens[0]).toBe(templated.tokenizePrompt("")[0]);
    const squash = (text: string): string => text.replace(/\s+/g, "");
    expect(squash(templated.detokenize(tokens.slice(1)))).toBe(squash(rendered));
    const result = await templated.chat(messages, { temperature: 0, max_tokens: 20 });
    expect(result.prompt_tokens).toBe(tokens.length);
    expect(result.completion_tokens).toBeGreaterThan(0);
  });

  it("the untouched file carries no template (its fallback is proved in llama2-tiny.test.ts)", async () => {
    expect((await readModelManifest(STORIES_260K)).has_chat_template).toBe(false);
  });
});
