/**
 * A small Nostr relay on 127.0.0.1 for tests (NIP-01): it accepts `EVENT`, `REQ` and `CLOSE`, answers
 * `OK`, `EOSE`, `CLOSED` and `NOTICE`, verifies every event's id and BIP-340 signature with nostr-tools
 * (an event that does not verify is refused with `OK false "invalid: …"`, as real relays do), and keeps
 * events by their kind class: regular ones are stored, replaceable and addressable ones replace the older
 * version for the same pubkey (and `d` tag), ephemeral ones (kinds 20000–29999, e.g. NIP-47 wallet
 * requests and responses) are only sent to live subscriptions. Everything is bounded: message size,
 * stored events, subscriptions per connection, filters per subscription.
 *
 * Node 20 has no global WebSocket, so the client side of nostr-tools needs `ws` as its implementation
 * (`useWebSocketImplementation(WebSocket)` from `nostr-tools/relay`).
 * @module
 */
import type { AddressInfo } from "node:net";
import { type Event, type Filter, matchFilter, matchFilters, verifyEvent } from "nostr-tools";
import { classifyKind } from "nostr-tools/kinds";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

/** Largest message a client may send, in bytes. */
export const NOSTR_RELAY_MESSAGE_BYTES_MAX = 256 * 1024;
/** Events kept, oldest dropped first. */
export const NOSTR_RELAY_EVENTS_MAX = 10_000;
/** Live subscriptions per connection. */
export const NOSTR_RELAY_SUBSCRIPTIONS_MAX = 64;
/** Filters in one `REQ`. */
export const NOSTR_RELAY_FILTERS_MAX = 16;

export interface NostrRelayOptions {
  /** Refuse events that do not verify (default true). Off only to test a client's own checks. */
  verify?: boolean;
}

export interface NostrRelay {
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every stored event, oldest first (ephemeral events are never stored). */
  events(): readonly Event[];
  /** How many events the relay has refused (bad signature, bad shape). */
  readonly refused: number;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1 on a free port. */
export async function startNostrRelay(options: NostrRelayOptions = {}): Promise<NostrRelay> {
  const verify = options.verify ?? true;
  const server = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    maxPayload: NOSTR_RELAY_MESSAGE_BYTES_MAX,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const stored: Event[] = [];
  const subscriptions = new Map<WebSocket, Map<string, Filter[]>>();
  let refused = 0;

  const send = (socket: WebSocket, message: unknown[]): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  const store = (event: Event): void => {
    const kindClass = classifyKind(event.kind);
    if (kindClass === "ephemeral") return;
    if (kindClass === "replaceable" || kindClass === "parameterized") {
      const tag = dTag(event);
      const older = stored.findIndex(
        (other) =>
          other.pubkey === event.pubkey &&
          other.kind === event.kind &&
          (kindClass === "replaceable" || dTag(other) === tag),
      );
      if (older >= 0) {
        if ((stored[older] as Event).created_at > event.created_at) return;
        stored.splice(older, 1);
      }
    }
    stored.push(event);
    if (stored.length > NOSTR_RELAY_EVENTS_MAX) stored.shift();
  };

  const onEvent = (socket: WebSocket, event: unknown): void => {
    if (!isEventShape(event) || (verify && !verifyEvent(event))) {
      refused += 1;
      const id = typeof (event as { id?: unknown })?.id === "string" ? (event as { id: string }).id : "";
      send(socket, ["OK", id, false, "invalid: bad event id or signature"]);
      return;
    }
    if (stored.some((other) => other.id === event.id)) {
      send(socket, ["OK", event.id, true, "duplicate: already have this event"]);
      return;
    }
    store(event);
    send(socket, ["OK", event.id, true, ""]);
    for (const [peer, subs] of subscriptions)
      for (const [subscriptionId, filters] of subs)
        if (matchFilters(filters, event)) send(peer, ["EVENT", subscriptionId, event]);
  };

  const onRequest = (socket: WebSocket, subscriptionId: unknown, filters: unknown[]): void => {
    if (typeof subscriptionId !== "string" || subscriptionId.length === 0 || subscriptionId.length > 64) {
      send(socket, ["NOTICE", "invalid: subscription id"]);
      return;
    }
    const subs = subscriptions.get(socket) ?? new Map<string, Filter[]>();
    subscriptions.set(socket, subs);
    if (!subs.has(subscriptionId) && subs.size >= NOSTR_RELAY_SUBSCRIPTIONS_MAX) {
      send(socket, ["CLOSED", subscriptionId, "error: too many subscriptions"]);
      return;
    }
    if (filters.length > NOSTR_RELAY_FILTERS_MAX || !filters.every(isFilterShape)) {
      send(socket, ["CLOSED", subscriptionId, "invalid: filters"]);
      return;
    }
    subs.set(subscriptionId, filters);
    for (const filter of filters) {
      const matches = stored.filter((event) => matchFilter(filter, event));
      // NIP-01: the initial answer is the newest `limit` events.
      const limited = filter.limit === undefined ? matches : matches.slice(-filter.limit);
      for (const event of limited) send(socket, ["EVENT", subscriptionId, event]);
    }
    send(socket, ["EOSE", subscriptionId]);
  };

  server.on("connection", (socket) => {
    socket.on("message", (data: RawData) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        send(socket, ["NOTICE", "invalid: not JSON"]);
        return;
      }
      if (!Array.isArray(message)) return send(socket, ["NOTICE", "invalid: not an array"]);
      const [type, ...rest] = message as unknown[];
      if (type === "EVENT") onEvent(socket, rest[0]);
      else if (type === "REQ") onRequest(socket, rest[0], rest.slice(1));
      else if (type === "CLOSE" && typeof rest[0] === "string") subscriptions.get(socket)?.delete(rest[0]);
      else send(socket, ["NOTICE", `invalid: unknown message type ${String(type)}`]);
    });
    socket.on("close", () => subscriptions.delete(socket));
    socket.on("error", () => socket.terminate());
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    events: () => [...stored],
    get refused() {
      return refused;
    },
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function dTag(event: Event): string {
  return event.tags.find((tag) => tag[0] === "d")?.[1] ?? "";
}

function isEventShape(value: unknown): value is Event {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event.id === "string" &&
    typeof event.pubkey === "string" &&
    typeof event.sig === "string" &&
    typeof event.content === "string" &&
    Number.isSafeInteger(event.kind) &&
    Number.isSafeInteger(event.created_at) &&
    Array.isArray(event.tags) &&
    event.tags.every((tag) => Array.isArray(tag) && tag.every((item) => typeof item === "string"))
  );
}

function isFilterShape(value: unknown): value is Filter {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
