/**
 * The bulk trade ingest pipeline (catch-up, imports, bursts; gossip applies per trade, see README): the trades
 * submitted in one turn go to worker threads in chunks (the node's other cores verify fields, trade_id and
 * both signatures, and encode the canonical bytes and leaf hash), and the database thread group-commits
 * whatever verified trades are waiting — one IMMEDIATE transaction per flush while the workers verify the
 * next ones, each trade still checked and applied alone. A trade's promise resolves only after the
 * transaction holding it committed, so an acknowledgement is durable.
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  INGEST_BATCH_MAX_DEFAULT,
  INGEST_COMMIT_LINGER_MS,
  INGEST_IN_FLIGHT_MAX,
  INGEST_VERIFY_CHUNK_MAX,
  INGEST_WORKERS_MAX,
  TRADE_BATCH_MAX,
} from "./constants.js";
import { LedgerError, LedgerErrorCode } from "./errors.js";
import { type BatchTradeResult, rejected } from "./trade-writer.js";
import type { VerifiedTrade } from "./trades.js";
import type { VerifyReply, VerifyRequest } from "./verify-worker.js";

/** Outcome of one trade, as `applySignedTrades` reports it. */
export type IngestResult = BatchTradeResult;

export interface IngestOptions {
  /**
   * Worker threads verifying signatures; 0 verifies on the calling thread. Default: the machine's cores
   * minus one for the database thread (at least 1, at most 8).
   */
  verifyWorkers?: number;
  /** Most trades per group commit (default 256, at most TRADE_BATCH_MAX). */
  batchMax?: number;
}

export interface TradeIngest {
  /** Verifies and applies one trade; resolves after commit. Rejects only when the pipeline is closed or full. */
  submit(signed: unknown): Promise<IngestResult>;
  /** Stops the workers; trades already submitted are finished first. */
  close(): Promise<void>;
}

export interface IngestDeps {
  freshnessWindowMs: number;
  now(): number;
  /** Database check: identical replay → exists; a conflicting one throws TRADE_CONFLICT. */
  lookup(signed: unknown): { exists: string } | null;
  /** Inline verification (no workers). */
  verify(signed: unknown, nowMs: number): VerifiedTrade;
  /** Writes verified trades in one transaction; returns their results in order. */
  writeBatch(items: readonly VerifiedTrade[], nowMs: number): IngestResult[];
}

/** A trade on its way through a worker. */
interface Waiting {
  id: number;
  signed: unknown;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
  /** Index of the worker holding it; -1 before dispatch. */
  worker: number;
}

interface Pending {
  verified: VerifiedTrade;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/** One worker per core left over by the database thread: at least 1, at most INGEST_WORKERS_MAX. */
export function defaultVerifyWorkers(): number {
  return Math.max(1, Math.min(INGEST_WORKERS_MAX, availableParallelism() - 1));
}

/** Starts one verification worker. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./verify-worker.js", import.meta.url));
  // Running from TypeScript sources (tsx, vitest): register tsx's loader in the worker first.
  const entry = new URL("./verify-worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

export function createTradeIngest(deps: IngestDeps, options: IngestOptions = {}): TradeIngest {
  const workerCount = options.verifyWorkers ?? defaultVerifyWorkers();
  const batchMax = options.batchMax ?? INGEST_BATCH_MAX_DEFAULT;
  if (!Number.isSafeInteger(workerCount) || workerCount < 0 || workerCount > INGEST_WORKERS_MAX)
    throw new RangeError(`"verifyWorkers" expected 0..${INGEST_WORKERS_MAX}`);
  if (!Number.isSafeInteger(batchMax) || batchMax < 1 || batchMax > TRADE_BATCH_MAX)
    throw new RangeError(`"batchMax" expected 1..${TRADE_BATCH_MAX}`);
  const workers = Array.from({ length: workerCount }, startWorker);
  /** Trades each worker holds (sent, not yet answered): new chunks go to the least busy worker. */
  const outstanding = workers.map(() => 0);
  const waiting = new Map<number, Waiting>();
  /** Submitted this turn, not yet sent to a worker. */
  let outbox: Waiting[] = [];
  const queue: Pending[] = [];
  let nextId = 0;
  let inFlight = 0;
  let flushScheduled = false;
  let dispatchScheduled = false;
  let closed = false;

  /** When the oldest trade of the current queue was verified (ms, monotonic); undefined when empty. */
  let queuedSinceMs: number | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;

  /**
   * Group commit: everything verified since the last commit (workers keep verifying while it runs), at most
   * `batchMax` trades per transaction. Promises resolve only after their commit. While workers still hold
   * trades, a short queue waits for them up to INGEST_COMMIT_LINGER_MS: one commit of many trades writes
   * far fewer pages per trade than many small ones (each dirty page is written once per commit).
   */
  function flush(): void {
    flushScheduled = false;
    lingerTimer = undefined;
    if (queue.length === 0) return;
    const waitedMs = performance.now() - (queuedSinceMs ?? 0);
    if (queue.length < batchMax && waiting.size > 0 && waitedMs < INGEST_COMMIT_LINGER_MS) {
      scheduleFlush(INGEST_COMMIT_LINGER_MS - waitedMs);
      return;
    }
    queuedSinceMs = undefined;
    while (queue.length > 0) {
      const batch = queue.splice(0, batchMax);
      try {
        const results = deps.writeBatch(
          batch.map((p) => p.verified),
          deps.now(),
        );
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  /** Flushes on the next turn (`delayMs` undefined) or after `delayMs`; an earlier request wins. */
  function scheduleFlush(delayMs?: number): void {
    if (delayMs === undefined) {
      if (flushScheduled && lingerTimer === undefined) return;
      if (lingerTimer !== undefined) clearTimeout(lingerTimer);
      lingerTimer = undefined;
      flushScheduled = true;
      setImmediate(flush);
      return;
    }
    if (flushScheduled) return;
    flushScheduled = true;
    lingerTimer = setTimeout(flush, delayMs);
  }

  function enqueue(
    verified: VerifiedTrade,
    resolve: (r: IngestResult) => void,
    reject: (e: unknown) => void,
  ): void {
    if (queue.length === 0) queuedSinceMs = performance.now();
    queue.push({ verified, resolve, reject });
    // Commit now-ish when the batch is full or nothing more is being verified; else the linger decides.
    if (queue.length >= batchMax || waiting.size === 0) scheduleFlush();
    else if (!flushScheduled) scheduleFlush(INGEST_COMMIT_LINGER_MS);
  }

  function malformed(entry: Waiting): void {
    entry.resolve({
      status: "rejected",
      trade_id: tradeIdOf(entry.signed),
      code: LedgerErrorCode.TRADE_INVALID,
      message: "signed trade is malformed",
    });
  }

  /** Posts one chunk to the least busy worker; false when the chunk cannot be cloned. */
  function post(chunk: Waiting[], nowMs: number): boolean {
    let target = 0;
    for (let w = 1; w < workers.length; w++) if (outstanding[w]! < outstanding[target]!) target = w;
    if (outstanding[target] === Number.POSITIVE_INFINITY) {
      // Every worker died (see "error" below): fail closed instead of waiting forever.
      const error = new Error("every verification worker has failed");
      for (const entry of chunk) entry.reject(error);
      return true;
    }
    const request: VerifyRequest = {
      nowMs,
      freshnessWindowMs: deps.freshnessWindowMs,
      items: chunk.map((entry) => ({ id: entry.id, signed: entry.signed })),
    };
    try {
      workers[target]!.postMessage(request);
    } catch {
      return false; // not structured-cloneable (functions, symbols…)
    }
    outstanding[target]! += chunk.length;
    for (const entry of chunk) {
      entry.worker = target;
      waiting.set(entry.id, entry);
    }
    return true;
  }

  /**
   * Sends this turn's submissions to the workers, a few chunks rather than one message per trade: fewer
   * messages on the database thread, and each reply brings a chunk of verified trades, so the group
   * commits stay large when the database thread is idle too.
   */
  function dispatch(): void {
    dispatchScheduled = false;
    const entries = outbox;
    outbox = [];
    const nowMs = deps.now();
    const perWorker = Math.ceil(entries.length / workers.length);
    const size = Math.max(1, Math.min(INGEST_VERIFY_CHUNK_MAX, perWorker));
    for (let i = 0; i < entries.length; i += size) {
      const chunk = entries.slice(i, i + size);
      if (post(chunk, nowMs)) continue;
      // Some value in the chunk cannot cross to a thread: send the trades alone; the culprit is no trade.
      for (const entry of chunk) if (!post([entry], nowMs)) malformed(entry);
    }
  }

  for (const [index, worker] of workers.entries()) {
    worker.on("message", (reply: VerifyReply) => {
      for (const item of reply.items) {
        const entry = waiting.get(item.id);
        if (entry === undefined) continue;
        waiting.delete(item.id);
        outstanding[index]! -= 1;
        if (item.ok) enqueue(item.verified, entry.resolve, entry.reject);
        else
          entry.resolve({
            status: "rejected",
            trade_id: tradeIdOf(entry.signed),
            code: item.code,
            message: item.message,
          });
      }
      if (waiting.size === 0 && queue.length > 0) scheduleFlush(); // nothing left to wait for
    });
    worker.on("error", (error) => {
      for (const [id, entry] of waiting) {
        if (entry.worker !== index) continue;
        waiting.delete(id);
        entry.reject(error);
      }
      outstanding[index] = Number.POSITIVE_INFINITY; // never chosen again
    });
  }

  function tradeIdOf(signed: unknown): string | null {
    const id = (signed as { trade_id?: unknown } | null)?.trade_id;
    return typeof id === "string" ? id : null;
  }

  return {
    submit(signed) {
      if (closed) return Promise.reject(new LedgerError(LedgerErrorCode.LEDGER_CLOSED, "ingest is closed"));
      if (inFlight >= INGEST_IN_FLIGHT_MAX)
        return Promise.reject(new RangeError(`more than ${INGEST_IN_FLIGHT_MAX} trades in flight`));
      inFlight += 1;
      const done = new Promise<IngestResult>((resolve, reject) => {
        let known: { exists: string } | null;
        try {
          known = deps.lookup(signed);
        } catch (error) {
          resolve(rejected(signed, error));
          return;
        }
        if (known !== null) return resolve({ status: "exists", trade_id: known.exists });
        if (workers.length === 0) {
          try {
            enqueue(deps.verify(signed, deps.now()), resolve, reject);
          } catch (error) {
            resolve(rejected(signed, error));
          }
          return;
        }
        outbox.push({ id: nextId++, signed, resolve, reject, worker: -1 });
        if (!dispatchScheduled) {
          dispatchScheduled = true;
          setImmediate(dispatch);
        }
      });
      return done.finally(() => {
        inFlight -= 1;
      });
    },
    async close() {
      closed = true;
      while (inFlight > 0) await new Promise((r) => setImmediate(r));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
