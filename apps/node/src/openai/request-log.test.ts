/**
 * Proves the operator's request log on a real node serving stories260K: every answered inference
 * request writes exactly one info line — streamed or not, chat or text — naming who asked, the model,
 * where it ran, the token counts, tokens per second, the time to the first token and the TRM it cost,
 * in the message itself and as fields.
 */
import OpenAI from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../../test/fixture.js";

const lines: Record<string, unknown>[] = [];
let t: TestNode;
let client: OpenAI;

beforeAll(async () => {
  const logger = pino(
    { level: "info" },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  t = await createTestNode({ model: true, logger });
  client = new OpenAI({ apiKey: t.token, baseURL: `${(await t.node.start()).url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await t?.close();
});

const requestLines = () => lines.filter((line) => line["served_by"] !== undefined);

describe("the request log", () => {
  it("writes one info line per answered request, streamed or not", async () => {
    const ask = { model: "stories260K", max_tokens: 12, temperature: 0 };
    await client.chat.completions.create({ ...ask, messages: [{ role: "user", content: "Hi" }] });
    const stream = await client.chat.completions.create({
      ...ask,
      stream: true,
      messages: [{ role: "user", content: "Once upon a time" }],
    });
    for await (const _chunk of stream) void _chunk;
    await client.completions.create({ ...ask, prompt: "Once upon a time" });
    const logged = requestLines();
    expect(logged.map((line) => line["endpoint"])).toEqual(["chat", "chat", "completions"]);
    for (const line of logged) {
      expect(line).toMatchObject({
        level: 30,
        who: "operator",
        model: "stories260K",
        served_by: "local",
        trm_cost: 0,
      });
      expect(line["completion_tokens"]).toBeGreaterThan(1);
      expect(line["tokens_per_s"]).toBeGreaterThan(0);
      expect(line["ttft_ms"]).toBeGreaterThanOrEqual(0);
      expect(line["msg"]).toMatch(
        /^(chat|completions) stories260K for operator on local: \d+\+\d+ tokens, [\d.]+ tok\/s, TTFT \d+ ms, 0 TRM, (stop|length)$/,
      );
    }
  });
});
