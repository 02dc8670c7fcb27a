/**
 * Publishing to Nostr relays (NIP-01 `EVENT` → `OK`) with nostr-tools' `Relay` over `ws` (Node 20 has no
 * global WebSocket). Every relay gets its own connection, bounded by `timeoutMs` for the connection and
 * for the answer; one relay's failure never stops the others, and each result says what happened.
 * @module
 */
import type { Event } from "nostr-tools";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";

useWebSocketImplementation(WebSocket);

/** Relays one publication goes to at most. */
export const NOSTR_RELAYS_MAX = 16;
/** Default bound on connecting to a relay and on its answer, ms. */
export const NOSTR_RELAY_TIMEOUT_MS_DEFAULT = 5_000;

/** What one relay answered. */
export interface RelayResult {
  relay: string;
  ok: boolean;
  message: string;
}

/** Publishes `events` to each relay in `relays`; resolves with one result per relay and event. */
export async function publishToRelays(
  events: readonly Event[],
  relays: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<RelayResult[]> {
  const timeoutMs = options.timeoutMs ?? NOSTR_RELAY_TIMEOUT_MS_DEFAULT;
  const results = await Promise.all(
    relays.slice(0, NOSTR_RELAYS_MAX).map(async (url): Promise<RelayResult[]> => {
      let relay: Relay | undefined;
      try {
        relay = await Relay.connect(url, { timeout: timeoutMs });
        relay.publishTimeout = timeoutMs;
        const out: RelayResult[] = [];
        for (const event of events) {
          try {
            out.push({ relay: url, ok: true, message: await relay.publish(event) });
          } catch (error) {
            out.push({ relay: url, ok: false, message: String((error as Error).message ?? error) });
          }
        }
        return out;
      } catch (error) {
        return events.map(() => ({ relay: url, ok: false, message: `connect: ${(error as Error).message}` }));
      } finally {
        relay?.close();
      }
    }),
  );
  return results.flat();
}
