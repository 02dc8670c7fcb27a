/**
 * Proves the SSE channel keeps the stream's meaning while coalescing: over a real Node HTTP response and
 * over the web-stream fallback, the frames arrive in order, concatenated text pieces equal what was sent,
 * the first text goes out with the head frame before anything else is pending, `[DONE]` ends the stream,
 * a client that disconnects cancels it, and pre-serialised chunks equal `JSON.stringify` of the object.
 */
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createSseChannel, jsonAroundText, RawJson, type SseChannel } from "./sse.js";

const piece = jsonAroundText((text) => ({ id: "x", choices: [{ delta: { content: text } }] }));

/** Parses an SSE body into its `data:` payloads. */
function framesOf(body: string): string[] {
  return body
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      return frame.slice(6);
    });
}

/** The text of a parsed stream: its piece frames concatenated. */
function textOf(frames: string[]): string {
  return frames
    .filter((frame) => frame !== "[DONE]")
    .map((frame) => JSON.parse(frame) as { choices?: Array<{ delta: { content?: string } }> })
    .map((chunk) => chunk.choices?.[0]?.delta.content ?? "")
    .join("");
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** Serves one request with `handle`, returns the port. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return (server?.address() as AddressInfo).port;
}

/** One `res.write` of a channel: when, and what. */
interface Write {
  atMs: number;
  data: string;
}

/**
 * Serves one request through a channel over its Node response; `drive` feeds the channel. Every
 * `res.write` is recorded, so tests can check what the server sent and when, whatever the client saw.
 */
async function serveChannel(
  drive: (channel: SseChannel, res: ServerResponse) => void,
  options: { flushIntervalMs?: number; headers?: Record<string, string>; onCancel?: () => void } = {},
): Promise<{ port: number; writes: Write[] }> {
  const writes: Write[] = [];
  const port = await serve((_req, res) => {
    const write = res.write.bind(res) as (data: string) => boolean;
    res.write = ((data: string) => {
      writes.push({ atMs: performance.now(), data });
      return write(data);
    }) as typeof res.write;
    const channel = createSseChannel(options.onCancel ?? (() => undefined), {
      piece,
      target: { outgoing: res, headers: options.headers },
      flushIntervalMs: options.flushIntervalMs,
    });
    drive(channel, res);
  });
  return { port, writes };
}

/** GETs `/`, collecting the body chunk by chunk. */
function get(
  port: number,
  onChunk?: (text: string, destroy: () => void) => void,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; chunks: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/" }, (res) => {
      const chunks: string[] = [];
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        chunks.push(text);
        onChunk?.(text, () => req.destroy());
      });
      const finish = () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.join(""), chunks });
      res.on("end", finish);
      res.on("close", finish);
    });
    req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

describe("createSseChannel over a Node response", () => {
  it("writes the head and the first text at once, coalesces the rest in order, ends with [DONE]", async () => {
    const pieces = Array.from({ length: 200 }, (_, i) => `t${i} `);
    const { port } = await serveChannel(
      (channel) => {
        channel.queue({ head: true });
        channel.text(pieces[0] as string);
        channel.flush();
        for (const text of pieces.slice(1)) channel.text(text);
        channel.queue({ tail: true });
        channel.done();
      },
      { headers: { "X-Request-Id": "r1" } },
    );
    const { status, headers, body, chunks } = await get(port);
    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(headers["x-request-id"]).toBe("r1");
    expect(framesOf(chunks[0] as string).slice(0, 2)).toEqual(['{"head":true}', piece("t0 ").json]);
    const frames = framesOf(body);
    expect(frames[0]).toBe('{"head":true}');
    expect(frames.at(-2)).toBe('{"tail":true}');
    expect(frames.at(-1)).toBe("[DONE]");
    expect(textOf(frames.slice(1, -2))).toBe(pieces.join(""));
    // Everything after the first flush was pending together, so it went out as one piece frame.
    expect(frames.length).toBe(5);
  });

  it("hands a flushed frame to the kernel before returning, not at the next tick", async () => {
    // Inside a generation loop chaining promises, Node's next tick (where it uncorks chunked writes)
    // comes only when the loop next waits on llama.cpp; a flushed frame must not wait for it.
    const held: number[] = [];
    const { port } = await serveChannel((channel, res) => {
      void Promise.resolve().then(() => {
        channel.text("first");
        channel.flush();
        held.push(res.socket?.writableCorked ?? -1, res.socket?.writableLength ?? -1);
        channel.done();
      });
    });
    const { body } = await get(port);
    expect(held).toEqual([0, 0]);
    expect(textOf(framesOf(body).slice(0, -1))).toBe("first");
  });

  it("writes coalesced text no sooner than flushIntervalMs after the previous write", async () => {
    const { port, writes } = await serveChannel(
      (channel) => {
        channel.text("a");
        channel.flush();
        const feed = setInterval(() => channel.text("b"), 2);
        setTimeout(() => {
          clearInterval(feed);
          channel.done();
        }, 150);
      },
      { flushIntervalMs: 40 },
    );
    const frames = framesOf((await get(port)).body);
    expect(frames.at(-1)).toBe("[DONE]");
    expect(textOf(frames.slice(0, -1))).toMatch(/^ab+$/);
    // Between the first write and the closing one, text writes are at least the interval apart (a loaded
    // machine only spreads them further); and text kept coming, so some went out before the end.
    const beforeEnd = writes.slice(0, -1);
    expect(beforeEnd.length).toBeGreaterThanOrEqual(2);
    const gaps = beforeEnd.slice(1).map((write, i) => write.atMs - (beforeEnd[i] as Write).atMs);
    for (const gap of gaps) expect(gap).toBeGreaterThan(39);
  });

  it("sends text held when tokens stop coming, without waiting for more text or the end", async () => {
    const { port, writes } = await serveChannel(
      (channel) => {
        channel.text("a");
        channel.flush();
        setTimeout(() => {
          channel.text("b"); // not due yet, and no later text makes it due: the stall timer sends it
          const deadline = Date.now() + 5_000;
          const end = setInterval(() => {
            if (writes.some((write) => write.data.includes('"b"')) || Date.now() > deadline) {
              clearInterval(end);
              channel.done();
            }
          }, 5);
        }, 5);
      },
      { flushIntervalMs: 30 },
    );
    const frames = framesOf((await get(port)).body);
    expect(textOf(frames)).toBe("ab");
    const b = writes.find((write) => write.data.includes('"b"'));
    expect(b?.data).not.toContain("[DONE]"); // written on its own, before done() was called
  });

  it("cancels when the client disconnects mid-stream, and ignores later text", async () => {
    let cancelled = 0;
    let stop!: () => void;
    const ended = new Promise<void>((resolve) => (stop = resolve));
    const { port } = await serveChannel(
      (channel) => {
        channel.text("first");
        channel.flush();
        const timer = setInterval(() => {
          channel.text("more ");
          if (channel.closed) clearInterval(timer);
        }, 1);
      },
      {
        onCancel: () => {
          cancelled += 1;
          stop();
        },
      },
    );
    await get(port, (_text, destroy) => destroy());
    await ended;
    expect(cancelled).toBe(1);
  });

  it("leaves the response to the caller when closed before anything was sent", async () => {
    const { port } = await serveChannel((channel, res) => {
      channel.close();
      expect(res.headersSent).toBe(false);
      res.writeHead(503, { "Content-Type": "application/json" }).end('{"error":{}}');
    });
    const { status, body } = await get(port);
    expect(status).toBe(503);
    expect(body).toBe('{"error":{}}');
  });
});

describe("createSseChannel over a web stream", () => {
  it("holds text while the reader pushes back and delivers all of it in order", async () => {
    const channel = createSseChannel(() => undefined, { piece });
    const response = channel.response();
    channel.send({ head: true });
    for (let i = 0; i < 50; i += 1) channel.text(`${i},`);
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 50; i < 100; i += 1) channel.text(`${i},`);
    channel.done();
    const frames = framesOf(await response.text());
    expect(frames[0]).toBe('{"head":true}');
    expect(frames.at(-1)).toBe("[DONE]");
    expect(textOf(frames.slice(1, -1))).toBe(Array.from({ length: 100 }, (_, i) => `${i},`).join(""));
  });

  it("cancels when the reader cancels", async () => {
    let cancelled = false;
    const channel = createSseChannel(() => (cancelled = true), { piece });
    await channel.response().body?.cancel();
    expect(cancelled).toBe(true);
    expect(channel.closed).toBe(true);
  });
});

describe("jsonAroundText", () => {
  it("equals JSON.stringify of the built object for any text", () => {
    const build = (text: string) => ({ id: "c-1", n: 3, choices: [{ delta: { content: text }, x: null }] });
    const template = jsonAroundText(build);
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(template(text)).toBeInstanceOf(RawJson);
        expect(template(text).json).toBe(JSON.stringify(build(text)));
      }),
    );
  });

  it("refuses a build that does not use its text exactly once", () => {
    expect(() => jsonAroundText(() => ({ a: 1 }))).toThrow(TypeError);
    expect(() => jsonAroundText((text) => ({ a: text, b: text }))).toThrow(TypeError);
  });
});
