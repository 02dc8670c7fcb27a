/**
 * Routing a purchase (docs/architecture.md §7): the candidates for a model are the live offers in the book
 * that serve it (never this node), ranked by `rankProviders` on price, merged reputation, ping latency and
 * free capacity. `buy` tries the best one; a provider that cannot even be reached before the exchange
 * starts is skipped for the next candidate (`ROUTE_ATTEMPTS_MAX` in all); any later failure is final, so
 * no request is ever paid twice. Only the provider's own faults lower its reputation (`FailureFault`).
 * @module
 */
import type { AccountId } from "@tirami/core";
import { type MeshHost, peerIdFromAccountId } from "@tirami/net";
import { ROUTE_ATTEMPTS_MAX, ROUTE_CANDIDATES_MAX } from "./constants.js";
import type { PurchaseRequest, PurchaseResult } from "./consumer.js";
import type { EmbeddingPurchaseRequest, EmbeddingPurchaseResult } from "./embed-consumer.js";
import { MarketError, MarketErrorCode } from "./errors.js";
import type { OfferBook } from "./offer-book.js";
import { rankProviders, type RouteCandidate, type RoutePreference } from "./ranking.js";
import type { LocalReputation } from "./reputation.js";

/** A purchase as a caller asks for it: the router picks the provider and its price. */
export interface BuyRequest extends Omit<PurchaseRequest, "provider" | "priceTrmPerToken"> {
  preference: RoutePreference;
  /** Pin the provider (must be in the book and serve the model). */
  provider?: AccountId | undefined;
}

/** An embeddings purchase as a caller asks for it: the router picks the provider and its price. */
export interface EmbeddingBuyRequest extends Omit<EmbeddingPurchaseRequest, "provider" | "priceTrmPerToken"> {
  preference: RoutePreference;
  provider?: AccountId | undefined;
}

export interface RouterDeps {
  host: Pick<MeshHost, "account" | "connectedAccounts" | "dial" | "peer">;
  book: OfferBook;
  reputation: LocalReputation;
  /** Trust penalty subtracted from a provider's reputation when ranking (the agora's collusion detector). */
  trustPenalty?: ((account: AccountId) => number) | undefined;
  purchase(request: PurchaseRequest): Promise<PurchaseResult>;
  /** Buys embeddings (absent: this node cannot buy them). */
  purchaseEmbeddings?(request: EmbeddingPurchaseRequest): Promise<EmbeddingPurchaseResult>;
}

/** Offer multiaddrs tried when dialing a provider that is not a neighbour. */
const DIAL_ADDRS_MAX = 4;

/** Creates the router of one market. */
export function createRouter(deps: RouterDeps) {
  const { host, book, reputation } = deps;

  /** Ranked candidates for `modelId`, best first (at most `ROUTE_CANDIDATES_MAX`). */
  function route(modelId: string, preference: RoutePreference): RouteCandidate[] {
    const candidates = book.serving(modelId).filter((entry) => entry.offer.account !== host.account);
    return rankProviders(candidates, preference, {
      reputation: (account) => reputation.score(account),
      latencyMs: (account) => host.peer(account)?.latencyMs,
      penalty: deps.trustPenalty,
    }).slice(0, ROUTE_CANDIDATES_MAX);
  }

  /**
   * Connects to a provider known only from its gossiped offer (not a neighbour) through the multiaddrs
   * the offer lists. Best effort: the purchase itself reports an unreachable provider.
   */
  async function reach(account: AccountId): Promise<void> {
    if (host.connectedAccounts().includes(account)) return;
    const peerId = peerIdFromAccountId(account).toString();
    for (const addr of (book.get(account)?.multiaddrs ?? []).slice(0, DIAL_ADDRS_MAX)) {
      try {
        if ((await host.dial(addr.includes("/p2p/") ? addr : `${addr}/p2p/${peerId}`)) === account) return;
      } catch {
        // try the next address
      }
    }
  }

  /**
   * Runs `attempt` on the best candidate for `modelId`, moving to the next only while a provider cannot
   * even be reached. @throws {MarketError} NO_PROVIDER, and the attempt's errors.
   */
  async function withCandidates<T>(
    choice: { modelId: string; preference: RoutePreference; provider?: AccountId | undefined },
    attempt: (candidate: RouteCandidate) => Promise<T>,
  ): Promise<T> {
    let candidates = route(choice.modelId, choice.preference);
    if (choice.provider !== undefined)
      candidates = candidates.filter((candidate) => candidate.provider === choice.provider);
    if (candidates.length === 0) {
      throw new MarketError(
        MarketErrorCode.NO_PROVIDER,
        choice.provider === undefined
          ? `no provider in the mesh serves model "${choice.modelId}"`
          : `provider ${choice.provider} does not offer model "${choice.modelId}"`,
        { details: { model: choice.modelId, param: "model" } },
      );
    }
    let lastError: unknown;
    for (const candidate of candidates.slice(0, ROUTE_ATTEMPTS_MAX)) {
      try {
        await reach(candidate.provider);
        return await attempt(candidate);
      } catch (error) {
        lastError = error;
        // Nothing was sent: try the next candidate. Not reaching a provider is the network path's
        // failure as much as the provider's, so it costs no reputation (errors.ts `FailureFault`).
        const unreached = error instanceof MarketError && error.details?.started === false;
        if (!unreached) throw error;
      }
    }
    throw lastError;
  }

  /** Buys `request` from the best candidate. @throws {MarketError} NO_PROVIDER, and the purchase's errors. */
  function buy(request: BuyRequest): Promise<PurchaseResult> {
    const { preference: _preference, provider: _provider, ...purchase } = request;
    return withCandidates(request, (candidate) =>
      deps.purchase({
        ...purchase,
        provider: candidate.provider,
        priceTrmPerToken: candidate.price_trm_per_token,
      }),
    );
  }

  /** Buys embeddings from the best candidate, at its offered price per input token. */
  function buyEmbeddings(request: EmbeddingBuyRequest): Promise<EmbeddingPurchaseResult> {
    const purchaseEmbeddings = deps.purchaseEmbeddings;
    if (purchaseEmbeddings === undefined)
      throw new MarketError(MarketErrorCode.MESH_DISABLED, "this node has no spend path: it cannot buy");
    const { preference: _preference, provider: _provider, ...purchase } = request;
    return withCandidates(request, (candidate) =>
      purchaseEmbeddings({
        ...purchase,
        provider: candidate.provider,
        priceTrmPerToken: candidate.price_trm_per_token,
      }),
    );
  }

  return { route, buy, buyEmbeddings };
}

export type Router = ReturnType<typeof createRouter>;
