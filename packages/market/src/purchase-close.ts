/**
 * How a purchase ends once the spend path has applied the dual-signed trade (completions and embeddings
 * alike): the consumer's signature goes back to the provider at once; gossiping the trade, noting the
 * provider's success and closing the stream are not the client's business, so they run once the answer
 * is on its way (after this turn).
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { FramedStream } from "@tirami/net";
import { encodeMessage, type SignedTrade } from "@tirami/proto";
import type { ConsumerDeps } from "./consumer.js";

export async function closePurchase(
  deps: Pick<ConsumerDeps, "reputation" | "publishTrade" | "onTradeApplied">,
  stream: FramedStream | undefined,
  signed: SignedTrade | null,
  provider: AccountId,
): Promise<void> {
  if (signed !== null) {
    await stream
      ?.send(
        encodeMessage({
          kind: "trade_accept",
          trade_id: signed.trade_id,
          consumer_signature: signed.consumer_signature,
        }),
      )
      .catch(() => undefined);
    deps.onTradeApplied?.(signed);
  }
  setImmediate(() => {
    if (signed !== null) {
      void deps.publishTrade(signed).catch(() => undefined);
      deps.reputation.success(provider);
    }
    void stream?.close().catch(() => undefined);
  });
}
