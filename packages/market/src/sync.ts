/**
 * Catch-up over `/tirami/sync/1.0.0` (docs/upstream.md §13.3: upstream had none, so late joiners never caught
 * up). The asker sends `sync_request`s on one stream, paging through the peer's trades in Merkle-leaf order
 * `(timestamp_ms, trade_id)` strictly after a cursor; each `sync_response` carries up to `limit` signed
 * trades and whether more follow. Every trade received goes through `intakeTrade` (full verification)
 * before it is applied; a peer that sends an invalid trade or breaks the order ends the round.
 *
 * A round is started when a peer connects and when an offer shows a peer holding trades this node lacks
 * (a larger trade count, or the same count with another root). Rounds per peer are serialised and spaced
 * by `SYNC_MIN_INTERVAL_MS`; at most `SYNC_CONCURRENT_MAX` run at once.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import type { MeshHost } from "@tirami/net";
import {
  decodeMessage,
  encodeMessage,
  type SignedTrade,
  SYNC_PROTOCOL_ID,
  SYNC_START_TRADE_ID,
  SYNC_TRADES_MAX,
  type SyncResponse,
} from "@tirami/proto";
import {
  SYNC_CONCURRENT_MAX,
  SYNC_MIN_INTERVAL_MS,
  SYNC_PAGE_TIMEOUT_MS,
  SYNC_PAGE_TRADES,
  SYNC_PAGES_MAX,
} from "./constants.js";
import { intakeTrade, type IntakeOutcome } from "./trade-intake.js";

/** What one round did. */
export interface SyncRoundReport {
  peer: AccountId;
  pages: number;
  received: number;
  applied: number;
  invalid: number;
  error: string | null;
}

export interface SyncDeps {
  host: MeshHost;
  ledger: Pick<Ledger, "tradesAfter" | "applySignedTrade">;
  nowMs(): number;
  /** Called for each trade a round applied (for events and re-publishing the offer). */
  onApplied(signed: SignedTrade, source: "sync"): void;
  onRound?(report: SyncRoundReport): void;
}

/** The sync service: serves pages and runs catch-up rounds. */
export interface SyncService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Schedules a round with `peer` (coalesced with one already queued or running). */
  request(peer: AccountId): void;
  /** Runs a round with `peer` now and reports it (tests, CLI). */
  syncWith(peer: AccountId): Promise<SyncRoundReport>;
  /** Rounds completed so far. */
  rounds(): number;
}

export function createSyncService(deps: SyncDeps): SyncService {
  const state = new Map<
    AccountId,
    { running: boolean; again: boolean; lastMs: number; timer?: NodeJS.Timeout }
  >();
  const waiting: AccountId[] = [];
  let running = 0;
  let roundsDone = 0;
  let stopped = true;
  const controllers = new Set<AbortController>();

  async function serve(stream: import("@tirami/net").FramedStream): Promise<void> {
    for await (const frame of stream) {
      const request = decodeMessage(frame, ["sync_request"]);
      const limit = Math.min(request.limit, SYNC_TRADES_MAX);
      const page = deps.ledger.tradesAfter({
        afterTimestampMs: request.after_timestamp_ms,
        afterTradeId: request.after_trade_id,
        limit,
      });
      // The wire carries signed trades only; when this node applied them is its own business.
      const trades = page.trades.map(({ applied_ms: _appliedMs, ...signed }) => signed);
      const response: SyncResponse = { kind: "sync_response", trades, more: page.more };
      await stream.send(encodeMessage(response));
    }
  }

  async function syncWith(peer: AccountId): Promise<SyncRoundReport> {
    const report: SyncRoundReport = { peer, pages: 0, received: 0, applied: 0, invalid: 0, error: null };
    const controller = new AbortController();
    controllers.add(controller);
    const unfunded: SignedTrade[] = [];
    try {
      const stream = await deps.host.request(peer, SYNC_PROTOCOL_ID, {
        timeoutMs: SYNC_PAGE_TIMEOUT_MS * SYNC_PAGES_MAX,
        idleTimeoutMs: SYNC_PAGE_TIMEOUT_MS,
        signal: controller.signal,
      });
      const frames = stream[Symbol.asyncIterator]();
      let cursor = { ts: 0, id: SYNC_START_TRADE_ID };
      try {
        for (;;) {
          await stream.send(
            encodeMessage({
              kind: "sync_request",
              after_timestamp_ms: cursor.ts,
              after_trade_id: cursor.id,
              limit: SYNC_PAGE_TRADES,
            }),
          );
          const next = await frames.next();
          if (next.done === true) throw new Error("peer ended the sync stream early");
          const response = decodeMessage(next.value, ["sync_response"]);
          report.pages += 1;
          for (const signed of response.trades) {
            const { timestamp_ms: ts } = signed.trade;
            if (ts < cursor.ts || (ts === cursor.ts && signed.trade_id <= cursor.id))
              throw new Error("peer broke the leaf order");
            cursor = { ts, id: signed.trade_id };
            report.received += 1;
            const outcome: IntakeOutcome = intakeTrade(deps.ledger, signed, { allowStale: true }).outcome;
            if (outcome === "applied") {
              report.applied += 1;
              deps.onApplied(signed, "sync");
            } else if (outcome === "unfunded") unfunded.push(signed);
            else if (outcome === "invalid") {
              report.invalid += 1;
              throw new Error(`peer sent an invalid trade ${signed.trade_id}`);
            }
          }
          if (!response.more || response.trades.length === 0 || report.pages >= SYNC_PAGES_MAX) break;
        }
        await stream.close();
      } catch (error) {
        stream.abort(error instanceof Error ? error : undefined);
        throw error;
      }
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
    } finally {
      controllers.delete(controller);
    }
    // Income that arrived later in leaf order than a spend of the same account: one more pass.
    for (const signed of unfunded) {
      if (intakeTrade(deps.ledger, signed, { allowStale: true }).outcome === "applied") {
        report.applied += 1;
        deps.onApplied(signed, "sync");
      }
    }
    roundsDone += 1;
    deps.onRound?.(report);
    return report;
  }

  function pump(): void {
    while (!stopped && running < SYNC_CONCURRENT_MAX && waiting.length > 0) {
      const peer = waiting.shift() as AccountId;
      const entry = state.get(peer);
      if (entry === undefined || entry.running) continue;
      const waitMs = entry.lastMs + SYNC_MIN_INTERVAL_MS - deps.nowMs();
      if (waitMs > 0) {
        if (entry.timer === undefined) {
          entry.timer = setTimeout(() => {
            entry.timer = undefined;
            waiting.push(peer);
            pump();
          }, waitMs);
          entry.timer.unref();
        }
        continue;
      }
      entry.running = true;
      entry.again = false;
      running += 1;
      void syncWith(peer)
        // A round that fails after its own error handling (e.g. the ledger closed during shutdown) ends
        // here: background catch-up must never become an unhandled rejection.
        .catch(() => undefined)
        .finally(() => {
          running -= 1;
          entry.running = false;
          entry.lastMs = deps.nowMs();
          if (entry.again) {
            entry.again = false;
            waiting.push(peer);
          }
          pump();
        });
    }
  }

  return {
    async start() {
      stopped = false;
      await deps.host.handle(SYNC_PROTOCOL_ID, (stream) => serve(stream));
    },
    async stop() {
      stopped = true;
      for (const entry of state.values()) clearTimeout(entry.timer);
      for (const controller of controllers) controller.abort();
      waiting.length = 0;
      await deps.host.unhandle(SYNC_PROTOCOL_ID).catch(() => undefined);
    },
    request(peer) {
      if (stopped || peer === deps.host.account) return;
      let entry = state.get(peer);
      if (entry === undefined) {
        entry = { running: false, again: false, lastMs: 0 };
        state.set(peer, entry);
        if (state.size > 10_000) state.delete(state.keys().next().value as AccountId);
      }
      if (entry.running) {
        entry.again = true;
        return;
      }
      if (entry.timer !== undefined || waiting.includes(peer)) return;
      waiting.push(peer);
      pump();
    },
    syncWith,
    rounds: () => roundsDone,
  };
}
