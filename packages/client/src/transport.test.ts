/**
 * Proves the client's HTTP layer against a real HTTP server on 127.0.0.1: the token from options or
 * `TIRAMI_API_TOKEN`, errors carrying the node's code and Retry-After, the opt-in retry (honours a short
 * Retry-After, never a longer one than allowed, never without opting in), bounded bodies, non-JSON answers,
 * unreachable nodes, and server-sent events split across arbitrary chunk boundaries.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createTiramiClient } from "./client.js";
import { ClientErrorCode, retryAfterMsOf, TiramiApiError, TiramiClientError } from "./errors.js";
import { parseSse } from "./sse.js";
import { createTransport, TOKEN_ENV } from "./transport.js";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
};

describe("transport", () => {
  it("sends the bearer token from options, else from TIRAMI_API_TOKEN", async () => {
    const seen: Array<string | undefined> = [];
    const url = await serve((request, response) => {
      seen.push(request.headers.authorization);
      json(response, 200, { status: "ok", model_loaded: false });
    });
    await createTiramiClient({ baseUrl: url, token: "from-options" }).health();
    process.env[TOKEN_ENV] = "from-env";
    try {
      await createTiramiClient({ baseUrl: url }).health();
    } finally {
      delete process.env[TOKEN_ENV];
    }
    expect(seen).toEqual(["Bearer from-options", "Bearer from-env"]);
  });

  it("turns an error answer into TiramiApiError with the node's code and Retry-After", async () => {
    const url = await serve((_request, response) =>
      json(
        response,
        402,
        { error: { message: "balance too low", type: "insufficient_quota", code: "INSUFFICIENT_BALANCE" } },
        { "retry-after": "3", "x-request-id": "req-1" },
      ),
    );
    const error = await createTiramiClient({ baseUrl: url })
      .balance()
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TiramiApiError);
    expect(error).toMatchObject({
      status: 402,
      code: "INSUFFICIENT_BALANCE",
      message: "balance too low",
      retryAfterMs: 3_000,
      requestId: "req-1",
      isPaymentRequired: true,
    });
  });

  it("retries a 429 after its Retry-After only when asked to, and never past maxDelayMs", async () => {
    let calls = 0;
    const url = await serve((_request, response) => {
      calls += 1;
      if (calls !== 3)
        json(
          response,
          429,
          { error: { message: "slow down", code: "RATE_LIMITED" } },
          { "retry-after": "1" },
        );
      else json(response, 200, { status: "ok", model_loaded: true });
    });
    const error = await createTiramiClient({ baseUrl: url })
      .health()
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status: 429, code: "RATE_LIMITED", isRateLimited: true });
    expect(calls).toBe(1);

    expect(await createTiramiClient({ baseUrl: url, retry: true }).health()).toEqual({
      status: "ok",
      model_loaded: true,
    });
    expect(calls).toBe(3);

    const impatient = createTiramiClient({ baseUrl: url, retry: { maxDelayMs: 500 } });
    await expect(impatient.health()).rejects.toMatchObject({ status: 429 });
    expect(calls).toBe(4);
  });

  it("aborts a retry's wait when the caller aborts", async () => {
    const url = await serve((_request, response) =>
      json(response, 503, { error: { message: "busy", code: "BUSY" } }, { "retry-after": "30" }),
    );
    const controller = new AbortController();
    const pending = createTiramiClient({ baseUrl: url, retry: true }).health({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: ClientErrorCode.ABORTED });
  });

  it("bounds bodies, refuses non-JSON, and reports an unreachable node", async () => {
    const url = await serve((request, response) => {
      if (request.url === "/health") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(`"${"x".repeat(2_000)}"`);
      } else {
        response.writeHead(200, { "content-type": "text/html" });
        response.end("<html>not a node</html>");
      }
    });
    await expect(
      createTiramiClient({ baseUrl: url, responseBytesMax: 1_000 }).health(),
    ).rejects.toMatchObject({
      code: ClientErrorCode.RESPONSE_TOO_LARGE,
    });
    await expect(createTiramiClient({ baseUrl: url }).balance()).rejects.toMatchObject({
      code: ClientErrorCode.BAD_RESPONSE,
    });
    const closed = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    await expect(createTiramiClient({ baseUrl: closed }).health()).rejects.toMatchObject({
      code: ClientErrorCode.NETWORK,
    });
  });

  it("times out a call that gets no answer", async () => {
    const url = await serve(() => undefined);
    const error = await createTransport({ baseUrl: url, timeoutMs: 50 })
      .json({ method: "GET", path: "/health" })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TiramiClientError);
    expect(error).toMatchObject({ code: ClientErrorCode.TIMEOUT });
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMsOf("2")).toBe(2_000);
    expect(retryAfterMsOf(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMsOf("soon")).toBeUndefined();
    expect(retryAfterMsOf(null)).toBeUndefined();
  });
});

describe("parseSse", () => {
  const events = [
    { event: "message", data: '{"a":1}' },
    { event: "response.output_text.delta", data: '{"type":"response.output_text.delta","delta":"hi"}' },
    { event: "message", data: "line one\nline two" },
  ];
  const wire =
    ': keep-alive\n\ndata: {"a":1}\n\nevent: response.output_text.delta\r\ndata: {"type":"response.output_text.delta","delta":"hi"}\r\n\r\n' +
    "data: line one\ndata: line two\n\ndata: [DONE]\n\ndata: after done\n\n";

  it("yields the same events however the bytes are split, and stops at [DONE]", async () => {
    const bytes = new TextEncoder().encode(wire);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          async function* chunks() {
            for (let index = 1; index < points.length; index++)
              yield bytes.slice(points[index - 1], points[index]);
          }
          const seen = [];
          for await (const event of parseSse(chunks())) seen.push(event);
          expect(seen).toEqual(events);
        },
      ),
    );
  });

  it("refuses an event larger than its bound", async () => {
    async function* big() {
      yield new TextEncoder().encode(`data: ${"x".repeat(100)}`);
    }
    await expect(
      (async () => {
        for await (const _event of parseSse(big(), 50)) void _event;
      })(),
    ).rejects.toMatchObject({ code: ClientErrorCode.BAD_RESPONSE });
  });
});
