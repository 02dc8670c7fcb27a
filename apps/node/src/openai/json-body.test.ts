/**
 * Proves that JSON routes take only JSON: on a real node serving stories260K, a chat completion, a text
 * completion, an agent creation and a kill switch sent as `text/plain`, a form, `application/jsonx` or
 * without a Content-Type are refused with an OpenAI-shaped 415 before anything happens — no generation
 * metered, no agent created, the kill switch untouched, the ledger unchanged — while `application/json`
 * with parameters and in any case is served.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../../test/fixture.js";

let t: TestNode;
beforeAll(async () => {
  t = await createTestNode({ model: true });
});
afterAll(async () => {
  await t?.close();
});

const post = (path: string, body: unknown, contentType: string | undefined) =>
  t.node.http.app.request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { ...t.auth(), ...(contentType === undefined ? {} : { "content-type": contentType }) },
  });
const chat = { model: "stories260K", max_tokens: 2, messages: [{ role: "user", content: "Once" }] };
const usage = async () =>
  (
    (await (await t.node.http.app.request("/v1/tirami/balance", { headers: t.auth() })).json()) as {
      usage: unknown;
    }
  ).usage;

describe("JSON routes require application/json", () => {
  it("refuses other media types with 415 before anything is done", async () => {
    const before = {
      usage: await usage(),
      root: t.node.ledger.merkleRoot(),
      agents: t.node.agents.list().length,
    };
    const routes: Array<[string, unknown]> = [
      ["/v1/chat/completions", chat],
      ["/v1/completions", { model: "stories260K", max_tokens: 2, prompt: "Once" }],
      ["/v1/tirami/agents", { name: "sneaky" }],
      ["/v1/tirami/kill", { activate: true, reason: "csrf" }],
    ];
    for (const [path, body] of routes) {
      for (const type of [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
        undefined,
      ]) {
        const response = await post(path, body, type);
        const answer = (await response.json()) as { error: Record<string, unknown> };
        expect([path, type, response.status]).toEqual([path, type, 415]);
        expect(answer.error).toMatchObject({
          type: "invalid_request_error",
          code: "UNSUPPORTED_MEDIA_TYPE",
          param: "content-type",
        });
      }
    }
    expect({
      usage: await usage(),
      root: t.node.ledger.merkleRoot(),
      agents: t.node.agents.list().length,
    }).toEqual(before);
    expect(t.node.safety.killSwitch().active).toBe(false);
  });

  it("serves application/json with parameters and in any case", async () => {
    for (const type of [
      "application/json",
      "application/json; charset=utf-8",
      "Application/JSON ;charset=UTF-8",
    ])
      expect([type, (await post("/v1/chat/completions", chat, type)).status]).toEqual([type, 200]);
  });
});
