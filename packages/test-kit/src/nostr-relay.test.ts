/**
 * Proves the test relay speaks NIP-01 to nostr-tools' own client: a signed event round-trips to a
 * subscriber, a tampered event is refused and never delivered, ephemeral events reach live subscribers
 * without being stored, and an addressable event replaces its older version.
 */
import { finalizeEvent, generateSecretKey, getPublicKey, type Event } from "nostr-tools";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type NostrRelay, startNostrRelay } from "./nostr-relay.js";
import { waitFor } from "./wait.js";

useWebSocketImplementation(WebSocket);

const started: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of started.splice(0).reverse()) await item.close();
});

async function relayAndClient(): Promise<{ relay: NostrRelay; client: Relay }> {
  const relay = await startNostrRelay();
  started.push(relay);
  const client = await Relay.connect(relay.url);
  started.push(client);
  return { relay, client };
}

describe("startNostrRelay", () => {
  it("stores a signed event and delivers it to a subscriber", async () => {
    const { relay, client } = await relayAndClient();
    const secret = generateSecretKey();
    const event = finalizeEvent({ kind: 1, created_at: 1_700_000_000, tags: [], content: "hello" }, secret);
    await client.publish(event);
    const received: Event[] = [];
    client.subscribe([{ authors: [getPublicKey(secret)] }], { onevent: (got) => received.push(got) });
    await waitFor("the subscriber receives the event", () => received.length === 1);
    expect(received[0]?.id).toBe(event.id);
    expect(relay.events()).toHaveLength(1);
  });

  it("refuses a tampered event and delivers nothing", async () => {
    const { relay, client } = await relayAndClient();
    const received: Event[] = [];
    client.subscribe([{ kinds: [1] }], { onevent: (got) => received.push(got) });
    const event = finalizeEvent(
      { kind: 1, created_at: 1_700_000_000, tags: [], content: "pay 1" },
      generateSecretKey(),
    );
    await expect(client.publish({ ...event, content: "pay 1000" })).rejects.toThrow(/invalid/);
    expect(relay.refused).toBe(1);
    expect(relay.events()).toHaveLength(0);
    expect(received).toHaveLength(0);
  });

  it("forwards ephemeral events live without storing them", async () => {
    const { relay, client } = await relayAndClient();
    const received: Event[] = [];
    client.subscribe([{ kinds: [23194] }], { onevent: (got) => received.push(got) });
    const event = finalizeEvent(
      { kind: 23194, created_at: 1_700_000_000, tags: [], content: "x" },
      generateSecretKey(),
    );
    await client.publish(event);
    await waitFor("the subscriber receives the event", () => received.length === 1);
    expect(relay.events()).toHaveLength(0);
  });

  it("keeps only the newest version of an addressable event", async () => {
    const { relay, client } = await relayAndClient();
    const secret = generateSecretKey();
    const older = finalizeEvent(
      { kind: 31990, created_at: 1_700_000_000, tags: [["d", "a"]], content: "1" },
      secret,
    );
    const newer = finalizeEvent(
      { kind: 31990, created_at: 1_700_000_100, tags: [["d", "a"]], content: "2" },
      secret,
    );
    const other = finalizeEvent(
      { kind: 31990, created_at: 1_700_000_000, tags: [["d", "b"]], content: "3" },
      secret,
    );
    for (const event of [older, newer, other]) await client.publish(event);
    expect(relay.events().map((event) => event.content)).toEqual(["2", "3"]);
  });
});
