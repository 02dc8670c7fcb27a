/**
 * What a Byzantine node does besides trading (its dishonest purchases are in `purchase.ts`): it forges
 * trades with a signature that is not the consumer's, tampers with a real trade's amount, replays old
 * trades, equivocates with two different signed offers to two halves of its neighbours, and serves sync
 * pages that differ per asker (tampered for some). Every act goes out as real proto bytes through the same
 * gossip or stream an honest node uses; the invariants then prove no honest node accepted any of it.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { TOPIC_OFFERS, TOPIC_TRADES, gossipMessageId } from "@tirami/net";
import {
  computeTradeId,
  createTrade,
  decodeMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  signProviderOffer,
  type SignedTrade,
  signTrade,
  SYNC_PROTOCOL_ID,
  SYNC_START_TRADE_ID,
  SYNC_TRADES_MAX,
} from "@tirami/proto";
import type { Prng } from "./prng.js";
import { SIM_MODEL_ID, type SimNode } from "./node.js";

export type ByzantineAct = "forge" | "tamper" | "replay" | "equivocate";
export const BYZANTINE_ACTS: readonly ByzantineAct[] = ["forge", "tamper", "replay", "equivocate"];

/** Floods `payload` on `topic` from `node` to every neighbour (no seen-cache check of its own). */
function flood(node: SimNode, topic: string, payload: Uint8Array): number {
  const id = Buffer.from(gossipMessageId(topic, payload)).toString("hex");
  return node.host.flood(topic, payload, id, -1);
}

function someTrade(node: SimNode, rng: Prng): SignedTrade | undefined {
  const page = node.ledger.tradesAfter({ afterTimestampMs: 0, afterTradeId: SYNC_START_TRADE_ID, limit: 64 });
  if (page.trades.length === 0) return undefined;
  const { applied_ms: _appliedMs, ...signed } = rng.pick(page.trades);
  return signed;
}

/** Performs one act; returns a trace line. */
export function actByzantine(
  rng: Prng,
  node: SimNode,
  act: ByzantineAct,
  victims: readonly AccountId[],
): string {
  switch (act) {
    case "forge": {
      const victim = rng.pick(victims);
      const tokens = rng.int(1, 50);
      const trade = createTrade({
        provider: node.account,
        consumer: victim,
        amount_trm: tokens,
        prompt_tokens: 1,
        completion_tokens: tokens,
        model_id: SIM_MODEL_ID,
        price_trm_per_token: 1,
        timestamp_ms: node.clock.nowMs(),
        nonce: rng.hex(16),
        request_id: `forged-${rng.hex(4)}`,
      });
      const signature = signTrade(trade, node.signer);
      const forged = {
        trade_id: computeTradeId(trade),
        trade,
        provider_signature: signature,
        consumer_signature: signature,
      };
      flood(node, TOPIC_TRADES, encodeMessage({ kind: "trade_gossip", ...forged }));
      return `forges ${forged.trade_id.slice(0, 12)} charging ${victim.slice(0, 8)}`;
    }
    case "tamper": {
      const signed = someTrade(node, rng);
      if (signed === undefined) return "tamper: nothing to tamper with";
      const tampered = { ...signed, trade: { ...signed.trade, amount_trm: signed.trade.amount_trm + 1 } };
      flood(node, TOPIC_TRADES, encodeMessage({ kind: "trade_gossip", ...tampered }));
      return `tampers ${signed.trade_id.slice(0, 12)} (+1 TRM)`;
    }
    case "replay": {
      const signed = someTrade(node, rng);
      if (signed === undefined) return "replay: nothing to replay";
      flood(node, TOPIC_TRADES, encodeMessage({ kind: "trade_gossip", ...signed }));
      return `replays ${signed.trade_id.slice(0, 12)}`;
    }
    case "equivocate": {
      const base = {
        account: node.account,
        models: [{ model_id: SIM_MODEL_ID, price_trm_per_token: 1 }],
        free_capacity: 1,
        protocol_version: PROTOCOL_VERSION,
        merkle_root: node.ledger.merkleRoot(),
        timestamp_ms: node.clock.nowMs(),
      };
      const offers = [
        signProviderOffer({ ...base, trade_count: node.ledger.tradeCount() }, node.signer),
        signProviderOffer({ ...base, trade_count: node.ledger.tradeCount() + 1_000 }, node.signer),
      ];
      node.host.neighbours.forEach((j, k) => {
        const payload = encodeMessage(offers[k % 2]!);
        node.host.sendTo(
          j,
          TOPIC_OFFERS,
          payload,
          Buffer.from(gossipMessageId(TOPIC_OFFERS, payload)).toString("hex"),
        );
      });
      return "equivocates: two offers, one per half of its neighbours";
    }
  }
}

/**
 * Replaces the node's sync server with one that equivocates: askers with an odd index get every trade's
 * amount raised by one (signatures kept), the others get the truth.
 */
export function serveLyingSync(node: SimNode, indexOf: (account: AccountId) => number | undefined): void {
  void node.host.handle(SYNC_PROTOCOL_ID, async (stream, from) => {
    const lie = ((indexOf(from) ?? 0) & 1) === 1;
    for await (const frame of stream) {
      const request = decodeMessage(frame, ["sync_request"]);
      const page = node.ledger.tradesAfter({
        afterTimestampMs: request.after_timestamp_ms,
        afterTradeId: request.after_trade_id,
        limit: Math.min(request.limit, SYNC_TRADES_MAX),
      });
      const trades = page.trades.map(({ applied_ms: _appliedMs, ...signed }) =>
        lie ? { ...signed, trade: { ...signed.trade, amount_trm: signed.trade.amount_trm + 1 } } : signed,
      );
      await stream.send(encodeMessage({ kind: "sync_response", trades, more: page.more }));
    }
  });
}
