/**
 * The two gossip topics the node takes part in:
 *
 * - trades (`TOPIC_TRADES`): a dual-signed trade is validated *and applied* in the gossip validator, so
 *   only trades this node verified are re-flooded (upstream never re-flooded, docs/upstream.md §13.3). Applied or
 *   valid-but-unfunded → accept (forward); replay or stale → ignore; forged, tampered, malformed → reject
 *   (not forwarded; the sender is penalised by the mesh host and banned after repeated offences).
 * - offers (`TOPIC_OFFERS`): a signed offer is accepted when its signature verifies, its protocol version
 *   is ours, its timestamp is within `OFFER_CLOCK_SKEW_MS` ahead / `ttlMs` behind and it is newer than the
 *   one in the book. Accepted offers update the book and the peer book; a root or trade count different
 *   from ours asks for a sync with the offer's author.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { TOPIC_OFFERS, TOPIC_TRADES, type MeshHost } from "@tirami/net";
import {
  decodeMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ProviderOffer,
  type SignedTrade,
  verifyProviderOffer,
} from "@tirami/proto";
import { OFFER_CLOCK_SKEW_MS } from "./constants.js";
import type { OfferBook } from "./offer-book.js";
import { intakeTrade, type IntakeLedger } from "./trade-intake.js";

export interface GossipDeps {
  host: MeshHost;
  ledger: IntakeLedger;
  offers: OfferBook;
  offerTtlMs: number;
  nowMs(): number;
  /** A trade from gossip was applied to this ledger. */
  onTradeApplied(signed: SignedTrade, from: AccountId): void;
  /** A valid trade could not be applied for want of funds in this view: sync with `from`. */
  onTradeUnfunded(signed: SignedTrade, from: AccountId): void;
  /** A new offer entered the book. */
  onOffer(offer: ProviderOffer, from: AccountId): void;
}

/** Counters for the network route and tests. */
export interface GossipCounters {
  trades_applied: number;
  trades_replayed: number;
  trades_rejected: number;
  trades_stale: number;
  trades_unfunded: number;
  offers_accepted: number;
  offers_rejected: number;
  offers_ignored: number;
}

/** Subscribes to the trade and offer topics; returns the publishers and an unsubscribe. */
export function startGossip(deps: GossipDeps) {
  const counters: GossipCounters = {
    trades_applied: 0,
    trades_replayed: 0,
    trades_rejected: 0,
    trades_stale: 0,
    trades_unfunded: 0,
    offers_accepted: 0,
    offers_rejected: 0,
    offers_ignored: 0,
  };
  const unsubscribeTrades = deps.host.subscribe(TOPIC_TRADES, {
    validate(bytes, from) {
      let signed: SignedTrade;
      try {
        const { kind: _kind, ...rest } = decodeMessage(bytes, ["trade_gossip"]);
        signed = rest;
      } catch {
        counters.trades_rejected += 1;
        return "reject";
      }
      const result = intakeTrade(deps.ledger, signed, { allowStale: false });
      switch (result.outcome) {
        case "applied":
          counters.trades_applied += 1;
          deps.onTradeApplied(signed, from);
          return "accept";
        case "unfunded":
          counters.trades_unfunded += 1;
          deps.onTradeUnfunded(signed, from);
          return "accept";
        case "exists":
          counters.trades_replayed += 1;
          return "ignore";
        case "stale":
          counters.trades_stale += 1;
          return "ignore";
        case "invalid":
          counters.trades_rejected += 1;
          return "reject";
      }
    },
    onMessage() {
      // Applied in the validator, before forwarding.
    },
  });
  const unsubscribeOffers = deps.host.subscribe(TOPIC_OFFERS, {
    validate(bytes) {
      let offer: ProviderOffer;
      try {
        offer = decodeMessage(bytes, ["provider_offer"]);
      } catch {
        counters.offers_rejected += 1;
        return "reject";
      }
      if (!verifyProviderOffer(offer)) {
        counters.offers_rejected += 1;
        return "reject";
      }
      const nowMs = deps.nowMs();
      if (
        offer.account === deps.host.account ||
        offer.protocol_version !== PROTOCOL_VERSION ||
        offer.timestamp_ms > nowMs + OFFER_CLOCK_SKEW_MS ||
        offer.timestamp_ms < nowMs - deps.offerTtlMs ||
        (deps.offers.timestampOf(offer.account) ?? -1) >= offer.timestamp_ms
      ) {
        counters.offers_ignored += 1;
        return "ignore";
      }
      return "accept";
    },
    onMessage(bytes, from) {
      const offer = decodeMessage(bytes, ["provider_offer"]);
      if (!deps.offers.put(offer)) return;
      counters.offers_accepted += 1;
      deps.host.setOffer(offer.account, offer);
      deps.onOffer(offer, from);
    },
  });
  return {
    counters,
    /** Gossips a dual-signed trade (already applied here). */
    async publishTrade(signed: SignedTrade): Promise<number> {
      const payload = encodeMessage({ kind: "trade_gossip", ...signed });
      return (await deps.host.publish(TOPIC_TRADES, payload)).recipients;
    },
    async publishOffer(offer: ProviderOffer): Promise<number> {
      return (await deps.host.publish(TOPIC_OFFERS, encodeMessage(offer))).recipients;
    },
    stop() {
      unsubscribeTrades();
      unsubscribeOffers();
    },
  };
}

export type GossipHandle = ReturnType<typeof startGossip>;
