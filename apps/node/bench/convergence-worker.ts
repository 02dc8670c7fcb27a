/**
 * Worker of bench/convergence.ts: hosts some of the bench's ledger-only nodes in its own thread (own event
 * loop, like a separate node process) and answers the main thread's commands. Not a test, not product code.
 * @module
 */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { TOPIC_TRADES } from "@tirami/net";
import type { SignedTrade } from "@tirami/proto";
import { type LedgerNode, startLedgerNode } from "@tirami/market/testing";

type Command =
  | { id: number; op: "start"; index: number; bootstrap: string[] }
  | { id: number; op: "ready" }
  | { id: number; op: "announce"; index: number; trade: SignedTrade }
  | { id: number; op: "state" }
  | { id: number; op: "stop" };

const nodes = new Map<number, LedgerNode>();
const port = parentPort;
if (port === null) throw new Error("convergence-worker must run in a worker thread");
/** Absolute time in ms with sub-ms precision, comparable across threads. */
const nowAbs = () => performance.timeOrigin + performance.now();

port.on("message", (command: Command) => {
  void handle(command).then(
    (result) => port.postMessage({ id: command.id, result }),
    (error: unknown) => port.postMessage({ id: command.id, error: String(error) }),
  );
});

async function handle(command: Command): Promise<unknown> {
  switch (command.op) {
    case "start": {
      const node = await startLedgerNode({
        bootstrap: command.bootstrap,
        offerIntervalMs: 30_000,
        host: { pingIntervalMs: 60_000 },
      });
      node.mesh.onTrade((signed, source) =>
        port?.postMessage({
          event: "trade",
          index: command.index,
          tradeId: signed.trade_id,
          atMs: nowAbs(),
          source,
        }),
      );
      nodes.set(command.index, node);
      return node.addr();
    }
    case "ready":
      return [...nodes.values()].every((n) => n.mesh.host.topicPeers(TOPIC_TRADES).length >= 1);
    case "announce": {
      const node = nodes.get(command.index);
      if (node === undefined) throw new Error(`no node ${command.index} here`);
      const atMs = nowAbs();
      await node.mesh.announceTrade(command.trade);
      return atMs;
    }
    case "state":
      return [...nodes].map(([index, n]) => ({
        index,
        count: n.ledger.tradeCount(),
        root: n.ledger.merkleRoot(),
      }));
    case "stop":
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      nodes.clear();
      return true;
  }
}
