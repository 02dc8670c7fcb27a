/**
 * Proves a node with `nostr_serve_jobs` answers NIP-90 jobs addressed to it, against a NIP-01 relay on
 * 127.0.0.1 (the test kit's, which verifies every event) and the real tiny model: a customer's kind-5050
 * request naming the node's Nostr key and bidding enough gets a kind-6050 result signed by that key (checked
 * with nostr-tools' `verifyEvent`), carrying the model's output and the price at the node's rate
 * (`amount_trm` = tokens × 1 TRM); a request bidding less than the worst case, sent just before it, is not
 * answered (jobs run in arrival order, so the first and only result is the second request's). The node
 * advertised its NIP-89 handler on the relay when it joined the mesh.
 */
import { type Event, generateSecretKey, verifyEvent } from "nostr-tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobRequestEvent, NOSTR_KIND_HANDLER, NOSTR_KIND_JOB_RESULT, publishToRelays } from "@tirami/agora";
import { type NostrRelay, startNostrRelay, waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../test/fixture.js";

let relay: NostrRelay;
let node: TestNode;
let nodePubkey: string;

beforeAll(async () => {
  relay = await startNostrRelay();
  node = await createTestNode({
    model: true,
    flags: { p2p_port: 0, nostr_relays: [relay.url], nostr_serve_jobs: true },
  });
  const { url } = await node.node.start();
  const response = await fetch(`${url}/v1/tirami/agora/nostr`, { headers: node.auth() });
  nodePubkey = ((await response.json()) as { pubkey: string }).pubkey;
}, 90_000);

afterAll(async () => {
  await node?.close();
  await relay?.close();
});

const results = (): Event[] => relay.events().filter((event) => event.kind === NOSTR_KIND_JOB_RESULT);

describe("NIP-90 jobs", () => {
  it("advertises the node and answers a job addressed to it with the output and its price", async () => {
    await waitFor("the NIP-89 advertisement on the relay", () =>
      relay.events().some((event) => event.kind === NOSTR_KIND_HANDLER && event.pubkey === nodePubkey),
    );
    const customer = generateSecretKey();
    const now = Date.now();
    const cheap = jobRequestEvent(
      { prompt: "Once upon a time", model: "stories260K", maxTokens: 8, maxTrm: 7, provider: nodePubkey },
      { secretKey: customer, nowMs: now },
    );
    const request = jobRequestEvent(
      { prompt: "Once upon a time", model: "stories260K", maxTokens: 8, maxTrm: 8, provider: nodePubkey },
      { secretKey: customer, nowMs: now + 1 },
    );
    expect((await publishToRelays([cheap], [relay.url]))[0]?.ok).toBe(true);
    expect((await publishToRelays([request], [relay.url]))[0]?.ok).toBe(true);
    await waitFor("the job result on the relay", () => results().length >= 1, { timeoutMs: 60_000 });
    expect(results()).toHaveLength(1);
    const result = JSON.parse(JSON.stringify(results()[0])) as Event;
    expect(verifyEvent(result)).toBe(true);
    expect(result.pubkey).toBe(nodePubkey);
    expect(result.tags).toContainEqual(["e", request.id]);
    const tokens = Number(result.tags.find((tag) => tag[0] === "tokens")?.[1]);
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(8);
    expect(result.tags).toContainEqual(["amount_trm", String(tokens)]);
    expect(result.content.length).toBeGreaterThan(0);
  });
});
