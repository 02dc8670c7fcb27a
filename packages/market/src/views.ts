/**
 * Read-only views of a market for APIs and operators: the models offered by other nodes, the peer book
 * with each peer's root agreement, and the network summary (offers, root agreement, demand, gossip, sync
 * and served-request counters).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import type { MeshHost } from "@tirami/net";
import type { ProviderOffer } from "@tirami/proto";
import type { OfferBook } from "./offer-book.js";

/** A model offered in the mesh by other nodes. */
export interface RemoteModel {
  model_id: string;
  providers: number;
  min_price_trm_per_token: number;
}

/** One peer in the peer view. */
export interface MarketPeerView {
  account: AccountId;
  peer_id: string;
  connected: boolean;
  latency_ms: number | null;
  last_seen_ms: number;
  multiaddrs: string[];
  models: string[];
  merkle_root: string | null;
  trade_count: number | null;
  root_agrees: boolean | null;
  reputation: number;
  banned: boolean;
}

/** Requests in flight at this node: served to the mesh, bought from it, and generated locally. */
export interface MarketDemand {
  serving: number;
  buying: number;
  local: number;
}

export interface ViewContext {
  host: MeshHost;
  ledger: Pick<Ledger, "merkleRoot" | "tradeCount">;
  book: OfferBook;
  reputation(account: AccountId): number;
}

/** Offers of other nodes (this node's own never counts). */
export function othersOffers(context: Pick<ViewContext, "host" | "book">): ProviderOffer[] {
  return context.book.list().filter((offer) => offer.account !== context.host.account);
}

/** Models offered by other nodes, with provider count and lowest price. */
export function remoteModels(context: Pick<ViewContext, "host" | "book">): RemoteModel[] {
  const byModel = new Map<string, { providers: number; min: number }>();
  for (const offer of othersOffers(context)) {
    for (const model of offer.models) {
      const entry = byModel.get(model.model_id) ?? { providers: 0, min: Number.POSITIVE_INFINITY };
      entry.providers += 1;
      entry.min = Math.min(entry.min, model.price_trm_per_token);
      byModel.set(model.model_id, entry);
    }
  }
  return [...byModel].map(([model_id, entry]) => ({
    model_id,
    providers: entry.providers,
    min_price_trm_per_token: entry.min,
  }));
}

/** The peer book joined with each peer's offer. */
export function peerViews(context: ViewContext): MarketPeerView[] {
  const root = context.ledger.merkleRoot();
  const count = context.ledger.tradeCount();
  return context.host.peers().map((record) => {
    const offer = context.book.get(record.account);
    return {
      account: record.account,
      peer_id: record.peerId,
      connected: record.connected,
      latency_ms: record.latencyMs ?? null,
      last_seen_ms: record.lastSeenMs,
      multiaddrs: [...record.multiaddrs],
      models: offer?.models.map((m) => m.model_id) ?? [],
      merkle_root: offer?.merkle_root ?? null,
      trade_count: offer?.trade_count ?? null,
      root_agrees: offer === undefined ? null : offer.merkle_root === root && offer.trade_count === count,
      reputation: context.reputation(record.account),
      banned: context.host.standing(record.account).banned,
    };
  });
}

/** The network summary; `extra` adds the market's counters. */
export function networkView(
  context: ViewContext,
  demand: MarketDemand,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const root = context.ledger.merkleRoot();
  const count = context.ledger.tradeCount();
  const offers = othersOffers(context);
  const agreeing = offers.filter((offer) => offer.merkle_root === root && offer.trade_count === count).length;
  return {
    account: context.host.account,
    peer_id: context.host.peerId,
    multiaddrs: context.host.multiaddrs(),
    peers_connected: context.host.connectedAccounts().length,
    peers_known: context.host.peers().length,
    offers: offers.length,
    providers: offers.filter((offer) => offer.models.length > 0).length,
    models: remoteModels(context),
    merkle_root: root,
    trade_count: count,
    root_agreement: {
      agreeing,
      disagreeing: offers.length - agreeing,
      all_agree: agreeing === offers.length,
    },
    requests_in_flight: demand,
    ...extra,
  };
}
