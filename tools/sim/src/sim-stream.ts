/**
 * A request stream over the simulated network, with the contract of `@tirami/net`'s `FramedStream`: frames
 * arrive in order (each direction is FIFO, whatever latencies are drawn), `close()` ends the write side,
 * `abort()` resets both ends, and an idle or overall timeout — measured in simulated time — aborts it. A
 * frame that arrives after its link broke (a partition, a crash) resets the stream instead, as a dead TCP
 * connection would.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { type FramedStream, NetError, NetErrorCode } from "@tirami/net";
import type { SimKernel } from "./kernel.js";
import type { SimNetwork } from "./network.js";

type Waiter = { resolve(result: IteratorResult<Uint8Array>): void; reject(error: Error): void };

/** The shared state of one stream: its two ends and their link. */
export interface StreamLink {
  kernel: SimKernel;
  network: SimNetwork;
  idleTimeoutMs: number;
  timeoutMs: number;
  /** Whether both ends' nodes are still in the incarnation that opened the stream. */
  alive(): boolean;
}

/** One end of a simulated stream. */
export class SimStream implements FramedStream {
  readonly remoteAccount: AccountId;
  readonly protocol: string;
  readonly #controller = new AbortController();
  readonly #queue: Uint8Array[] = [];
  #waiter: Waiter | undefined;
  #failure: Error | undefined;
  #remoteEnded = false;
  #closed = false;
  /** When the last frame this end sent arrives at the peer (FIFO). */
  #lastArrivalMs = 0;
  #lastActivityMs: number;
  peer!: SimStream;

  constructor(
    private readonly link: StreamLink,
    readonly localIndex: number,
    readonly remoteIndex: number,
    options: { remoteAccount: AccountId; protocol: string },
  ) {
    this.remoteAccount = options.remoteAccount;
    this.protocol = options.protocol;
    this.#lastActivityMs = link.kernel.elapsedMs;
  }

  /** Pairs two ends and arms the timeouts (on the opener's end only: it aborts both). */
  static pair(link: StreamLink, a: SimStream, b: SimStream): void {
    a.peer = b;
    b.peer = a;
    a.#armIdle();
    link.kernel.at(link.timeoutMs, "stream-timeout", () => {
      if (!a.#done()) a.#failBoth(new NetError(NetErrorCode.STREAM_TIMEOUT, "stream timed out"));
    });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  async send(payload: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new NetError(NetErrorCode.STREAM_ABORTED, "send after close");
    this.#transmit(payload);
  }

  async close(): Promise<void> {
    if (this.#closed || this.#failure !== undefined) return;
    this.#closed = true;
    this.#transmit(null);
  }

  abort(error?: Error): void {
    const failure = error ?? new NetError(NetErrorCode.STREAM_ABORTED, "stream aborted locally");
    if (this.#failure !== undefined) return;
    this.#fail(failure);
    // The reset reaches the peer after one latency (if the link still works; otherwise its timers end it).
    const peer = this.peer;
    this.link.kernel.at(this.link.network.latencyMs(), "stream-reset", () =>
      peer.#fail(new NetError(NetErrorCode.STREAM_ABORTED, "stream reset by the peer")),
    );
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: async () => ({ done: true, value: undefined }),
    };
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    const frame = this.#queue.shift();
    if (frame !== undefined) return Promise.resolve({ done: false, value: frame });
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#remoteEnded) return Promise.resolve({ done: true, value: undefined });
    if (this.#waiter !== undefined) return Promise.reject(new Error("concurrent reads of one stream"));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Sends one frame (or END when null) to the peer, FIFO after the previous one. */
  #transmit(payload: Uint8Array | null): void {
    const { kernel, network } = this.link;
    const arrival = Math.max(kernel.elapsedMs + network.latencyMs(), this.#lastArrivalMs);
    this.#lastArrivalMs = arrival;
    this.#touch();
    const peer = this.peer;
    kernel.at(arrival - kernel.elapsedMs, "stream-frame", () => {
      if (peer.#failure !== undefined) return;
      if (!this.link.alive() || !network.reachable(this.localIndex, this.remoteIndex)) {
        this.#failBoth(new NetError(NetErrorCode.STREAM_ABORTED, "connection lost"));
        return;
      }
      peer.#receive(payload);
    });
  }

  #receive(payload: Uint8Array | null): void {
    this.#touch();
    if (payload === null) this.#remoteEnded = true;
    else this.#queue.push(payload);
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    const frame = this.#queue.shift();
    if (frame !== undefined) waiter.resolve({ done: false, value: frame });
    else waiter.resolve({ done: true, value: undefined });
  }

  #touch(): void {
    this.#lastActivityMs = this.link.kernel.elapsedMs;
    if (this.peer !== undefined) this.peer.#lastActivityMs = this.#lastActivityMs;
  }

  #done(): boolean {
    const bothEnded =
      (this.#closed || this.#failure !== undefined) &&
      (this.peer.#closed || this.peer.#failure !== undefined);
    return bothEnded || (this.#failure !== undefined && this.peer.#failure !== undefined);
  }

  #armIdle(): void {
    const { kernel, idleTimeoutMs } = this.link;
    const dueMs = this.#lastActivityMs + idleTimeoutMs;
    kernel.at(dueMs - kernel.elapsedMs, "stream-idle", () => {
      if (this.#done()) return;
      if (kernel.elapsedMs - this.#lastActivityMs >= idleTimeoutMs)
        this.#failBoth(new NetError(NetErrorCode.STREAM_TIMEOUT, "stream idle too long"));
      else this.#armIdle();
    });
  }

  #failBoth(error: Error): void {
    this.#fail(error);
    this.peer.#fail(error);
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#queue.length = 0;
    this.#controller.abort(error);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
