/**
 * What a peer's offer says this node lacks, by the offer's trade count and Merkle root (docs/lending.md):
 * trades when the peer has more, or as many under another root; loan events when it has as many trades under
 * another root — loan events are leaves of the same log, and trade sync does not carry them. The one rule
 * the market's `onOffer` and the simulator (tools/sim) both follow.
 * @module
 */
import type { ProviderOffer } from "@tirami/proto";

export interface OfferSyncNeeds {
  /** Run a trade sync round with the peer. */
  trades: boolean;
  /** Ask the peer's recent loans and repayments (`Lending.catchUpIfStale`). */
  loans: boolean;
}

/** What to ask a peer for after its offer. */
export function offerSyncNeeds(
  offer: Pick<ProviderOffer, "trade_count" | "merkle_root">,
  local: { tradeCount: number; merkleRoot: string },
): OfferSyncNeeds {
  const sameCountOtherRoot = offer.trade_count === local.tradeCount && offer.merkle_root !== local.merkleRoot;
  return { trades: offer.trade_count > local.tradeCount || sameCountOtherRoot, loans: sameCountOtherRoot };
}
