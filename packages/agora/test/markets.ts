/**
 * Scripted markets shared by the agora's tests: an honest one (consumers buying from providers at random,
 * some providers buying from each other, irregular amounts and times) and a wash-trading ring, as proto
 * `Trade` records from the test-trades factory with labelled (reproducible) signers, all within the 24 h
 * before `NOW_MS` unless a test shifts them.
 */
import type { Signer } from "@tirami/core";
import type { Trade } from "@tirami/proto";
import { seededRandom } from "@tirami/test-kit";
import { signerFor, tradeOf } from "@tirami/test-trades";
import { COLLUSION_WINDOW_MS } from "../src/constants.js";

/** The "now" of the scripted markets. */
export const NOW_MS = 1_764_000_000_000;

/** `count` labelled signers. */
export const signers = (prefix: string, count: number): Signer[] =>
  Array.from({ length: count }, (_, i) => signerFor(`agora-test/${prefix}/${i}`));

/** An honest market: 600 purchases over 24 h from 40 consumers and 6 providers (3 of which also buy). */
export function honestMarket(
  seed: number,
  nowMs = NOW_MS,
): { trades: Trade[]; providers: Signer[]; consumers: Signer[] } {
  const random = seededRandom(seed);
  const providers = signers("provider", 6);
  const consumers = [...signers("consumer", 40), ...providers.slice(0, 3)];
  const trades: Trade[] = [];
  for (let seq = 0; seq < 600; seq++) {
    const consumer = consumers[Math.floor(random() * consumers.length)] as Signer;
    const others = providers.filter((p) => p.accountId !== consumer.accountId);
    const provider = others[Math.floor(random() * others.length)] as Signer;
    trades.push(
      tradeOf({
        provider,
        consumer,
        completionTokens: 1 + Math.floor(random() * 60),
        timestampMs: nowMs - Math.floor(random() * COLLUSION_WINDOW_MS),
        seq,
      }),
    );
  }
  return { trades, providers, consumers };
}

/** Three accounts paying each other round and round: 20 trades per pair at a steady 10 TRM every 70 min. */
export function washRing(nowMs = NOW_MS): { trades: Trade[]; ring: Signer[] } {
  const ring = signers("ring", 3);
  const trades: Trade[] = [];
  for (let round = 0; round < 20; round++)
    for (let i = 0; i < 3; i++)
      trades.push(
        tradeOf({
          provider: ring[i] as Signer,
          consumer: ring[(i + 1) % 3] as Signer,
          completionTokens: 10,
          timestampMs: nowMs - COLLUSION_WINDOW_MS + 60_000 + round * 70 * 60_000 + i * 1_000,
          seq: 10_000 + round * 3 + i,
        }),
      );
  return { trades, ring };
}
