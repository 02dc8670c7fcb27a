// Proves request streams between real nodes: many frames both ways, the per-frame size limit on both the
// sending and the receiving side, timeouts, consumer cancellation reaching the provider's signal, a
// provider that goes away mid-stream, and a handler failure, each surfacing as a typed NetError.
import { fromUtf8, utf8 } from "@tirami/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FramedStream,
  isNetError,
  type MeshHost,
  NetErrorCode,
  PROTOCOL_INFER,
  PROTOCOL_SYNC,
} from "./index.js";
import { pause, waitFor } from "@tirami/test-kit";
import { hostPool } from "../test/helpers.js";

const pool = hostPool();
afterEach(() => pool.stopAll());

async function pair(providerOptions = {}): Promise<{ consumer: MeshHost; provider: MeshHost }> {
  const provider = await pool.start(providerOptions);
  const consumer = await pool.start({ bootstrap: provider.multiaddrs() });
  await waitFor("connected", () => consumer.connectedAccounts().includes(provider.account));
  return { consumer, provider };
}

async function collect(stream: FramedStream): Promise<string[]> {
  const out: string[] = [];
  for await (const frame of stream) out.push(fromUtf8(frame));
  return out;
}

async function expectNetError(promise: Promise<unknown>, code: NetErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isNetError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

describe("request streams", () => {
  it("round-trips many frames in both directions", async () => {
    const { consumer, provider } = await pair();
    let seenFrom = "";
    await provider.handle(PROTOCOL_INFER, async (stream, fromAccount) => {
      seenFrom = fromAccount;
      const prompts: string[] = [];
      for await (const frame of stream) prompts.push(fromUtf8(frame));
      for (let i = 0; i < 500; i++) await stream.send(utf8(`${prompts.join("+")}#${i}`));
    });
    const stream = await consumer.request(provider.account, PROTOCOL_INFER, { timeoutMs: 10_000 });
    expect(stream.remoteAccount).toBe(provider.account);
    for (let i = 0; i < 50; i++) await stream.send(utf8(`p${i}`));
    await stream.close();
    const replies = await collect(stream);
    expect(replies).toHaveLength(500);
    expect(replies[499]).toBe(`${Array.from({ length: 50 }, (_, i) => `p${i}`).join("+")}#499`);
    expect(seenFrom).toBe(consumer.account);
  });

  it("refuses to send a frame over the limit, and fails a stream whose peer sends one", async () => {
    const { consumer, provider } = await pair({ frameBytesMax: 4_096 });
    await provider.handle(PROTOCOL_INFER, async (stream) => {
      for await (const _ of stream) break;
      await stream.send(new Uint8Array(2_048)); // within the provider's limit, over the consumer's
    });
    const stream = await consumer.request(provider.account, PROTOCOL_INFER, { frameBytesMax: 1_024 });
    await expectNetError(stream.send(new Uint8Array(1_025)), NetErrorCode.FRAME_TOO_LARGE);
    await stream.send(utf8("go"));
    await expectNetError(collect(stream), NetErrorCode.FRAME_TOO_LARGE);
  });

  it("times out an idle stream and a stream past its overall timeout, aborting the provider too", async () => {
    const { consumer, provider } = await pair();
    const providerAborted: string[] = [];
    await provider.handle(PROTOCOL_SYNC, async (stream, _from, signal) => {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      providerAborted.push(stream.remoteAccount);
    });
    const idle = await consumer.request(provider.account, PROTOCOL_SYNC, { idleTimeoutMs: 200 });
    await expectNetError(collect(idle), NetErrorCode.STREAM_TIMEOUT);
    await waitFor("provider signal aborted after idle timeout", () => providerAborted.length === 1);

    const chatty = await consumer.request(provider.account, PROTOCOL_SYNC, { timeoutMs: 400 });
    const ticker = setInterval(() => void chatty.send(utf8("tick")).catch(() => undefined), 50);
    try {
      await expectNetError(collect(chatty), NetErrorCode.STREAM_TIMEOUT);
    } finally {
      clearInterval(ticker);
    }
    await waitFor("provider signal aborted after overall timeout", () => providerAborted.length === 2);
  });

  it("propagates a consumer abort to the provider's signal", async () => {
    const { consumer, provider } = await pair();
    let providerReason: unknown;
    let providerStarted = false;
    await provider.handle(PROTOCOL_INFER, async (stream, _from, signal) => {
      providerStarted = true;
      await stream.send(utf8("token"));
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      providerReason = signal.reason;
    });
    const controller = new AbortController();
    const stream = await consumer.request(provider.account, PROTOCOL_INFER, { signal: controller.signal });
    const reading = collect(stream);
    await waitFor("provider started", () => providerStarted);
    controller.abort();
    await expectNetError(reading, NetErrorCode.STREAM_ABORTED);
    await waitFor("provider's signal aborted", () => providerReason !== undefined);
    expect(isNetError(providerReason, NetErrorCode.STREAM_ABORTED)).toBe(true);
  });

  it("fails the consumer promptly when the provider node stops mid-stream", async () => {
    const { consumer, provider } = await pair();
    let sent = 0;
    await provider.handle(PROTOCOL_INFER, async (stream, _from, signal) => {
      while (!signal.aborted) {
        await stream.send(utf8(`t${sent++}`));
        await pause(10);
      }
    });
    const stream = await consumer.request(provider.account, PROTOCOL_INFER, {
      timeoutMs: 60_000,
      idleTimeoutMs: 60_000,
    });
    const received: string[] = [];
    const reading = (async () => {
      for await (const frame of stream) {
        received.push(fromUtf8(frame));
        if (received.length === 5) void provider.stop();
      }
    })();
    await expectNetError(reading, NetErrorCode.STREAM_ABORTED);
    expect(received.length).toBeGreaterThanOrEqual(5);
  });

  it("reports a handler failure as REMOTE_ERROR with the remote code", async () => {
    const { consumer, provider } = await pair();
    await provider.handle(PROTOCOL_INFER, async () => {
      throw Object.assign(new Error("no model loaded"), { code: "MODEL_NOT_FOUND" });
    });
    const stream = await consumer.request(provider.account, PROTOCOL_INFER);
    const error = await collect(stream).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isNetError(error, NetErrorCode.REMOTE_ERROR)).toBe(true);
    expect((error as { details?: Record<string, unknown> }).details?.remoteCode).toBe("MODEL_NOT_FOUND");
  });

  it("maps an unserved protocol and an unknown peer to typed errors", async () => {
    const { consumer, provider } = await pair();
    await expectNetError(
      consumer.request(provider.account, "/tirami/none/1.0.0"),
      NetErrorCode.PROTOCOL_ERROR,
    );
    const stranger = await pool.start();
    const address = stranger.multiaddrs()[0] ?? "";
    await stranger.stop();
    await expectNetError(
      consumer.request(address, PROTOCOL_INFER, { timeoutMs: 2_000 }),
      NetErrorCode.PEER_UNREACHABLE,
    );
  });
});
