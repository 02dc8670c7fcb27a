/**
 * Proves the agora's Nostr side against independent code: the key file is created once with mode 0600
 * and refused when widened or truncated; the NIP-89 advertisement and the NIP-90 request and result carry
 * ids and BIP-340 signatures that nostr-tools' `verifyEvent` accepts (and rejects once altered), with the
 * reference's tags; the advertisement embeds the node's signed profile naming this Nostr key; and all
 * three round-trip through a NIP-01 relay on 127.0.0.1 (the test kit's, which verifies every event):
 * published with `publishToRelays`, read back by a separate nostr-tools client, byte for byte.
 */
import { chmodSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Event, verifyEvent } from "nostr-tools";
import { Relay } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAgentProfile, verifyAgentProfile } from "@tirami/proto";
import { type NostrRelay, startNostrRelay, suiteTempDir, tempDir, waitFor } from "@tirami/test-kit";
import { signerFor } from "@tirami/test-trades";
import {
  handlerAdvertisement,
  jobRequestEvent,
  jobResultEvent,
  NOSTR_KIND_HANDLER,
  NOSTR_KIND_JOB_REQUEST,
  NOSTR_KIND_JOB_RESULT,
  parseJobRequest,
} from "./events.js";
import { loadOrCreateNostrKey, NOSTR_KEY_FILE } from "./key.js";
import { publishToRelays } from "./relays.js";

const NOW_MS = 1_764_000_000_000;
/** A plain copy: nostr-tools marks events it signed or verified with a symbol that `verifyEvent` trusts. */
const plain = (event: Event): Event => JSON.parse(JSON.stringify(event)) as Event;
const node = signerFor("agora-test/nostr-node");
let relay: NostrRelay;
let home: string;

beforeAll(async () => {
  relay = await startNostrRelay();
  home = suiteTempDir();
});
afterAll(() => relay?.close());

function advertisement() {
  const key = loadOrCreateNostrKey(home);
  const profile = signAgentProfile(
    {
      node: node.accountId,
      agent_id: "node",
      models: ["stories260K", "qwen2.5-0.5b-instruct-q4_k_m"],
      price_trm_per_token: 1,
      tier: "small",
      capabilities: ["chat", "nip90"],
      endpoints: [],
      description: "tiny stories",
      nostr_pubkey: key.pubkey,
      timestamp_ms: NOW_MS,
    },
    node,
  );
  const event = handlerAdvertisement(profile, {
    secretKey: key.secretKey,
    nowMs: NOW_MS,
    relays: [relay.url],
    reputation: 0.5,
  });
  return { key, profile, event };
}

describe("the Nostr key file", () => {
  it("is created once, owner-only, and refused when widened or truncated", () => {
    const dir = tempDir();
    const created = loadOrCreateNostrKey(dir);
    expect(created.created).toBe(true);
    expect(statSync(created.path).mode & 0o777).toBe(0o600);
    const again = loadOrCreateNostrKey(dir);
    expect(again).toMatchObject({ created: false, pubkey: created.pubkey });
    chmodSync(created.path, 0o644);
    expect(() => loadOrCreateNostrKey(dir)).toThrow(/chmod 600/);
    chmodSync(created.path, 0o600);
    writeFileSync(join(dir, NOSTR_KEY_FILE), new Uint8Array(31), { mode: 0o600 });
    expect(() => loadOrCreateNostrKey(dir)).toThrow(/31 bytes/);
  });
});

describe("NIP-89 and NIP-90 events", () => {
  it("verify with nostr-tools and carry the reference's tags", () => {
    const { key, profile, event } = advertisement();
    expect(verifyEvent(plain(event))).toBe(true);
    expect(event).toMatchObject({ kind: NOSTR_KIND_HANDLER, pubkey: key.pubkey, created_at: NOW_MS / 1_000 });
    expect(event.tags).toEqual(
      expect.arrayContaining([
        ["d", "tirami:node"],
        ["k", "5050"],
        ["model", "stories260K"],
        ["price_trm_per_token", "1"],
        ["tier", "small"],
        ["tirami_node", node.accountId],
        ["reputation", "0.500"],
        ["relay", relay.url],
      ]),
    );
    const content = JSON.parse(event.content) as { tirami_profile: unknown; accepted_payment: string };
    expect(content.accepted_payment).toBe("trm");
    expect(content.tirami_profile).toEqual(profile);
    expect(verifyAgentProfile(content.tirami_profile)).toBe(true);
    expect((content.tirami_profile as { nostr_pubkey: string }).nostr_pubkey).toBe(event.pubkey);
    expect(verifyEvent(plain({ ...event, content: event.content.replace("tiny", "huge") }))).toBe(false);

    const customer = loadOrCreateNostrKey(tempDir());
    const request = jobRequestEvent(
      { prompt: "Once upon a time", model: "stories260K", maxTokens: 16, maxTrm: 20, provider: key.pubkey },
      { secretKey: customer.secretKey, nowMs: NOW_MS },
    );
    expect(verifyEvent(plain(request))).toBe(true);
    expect(parseJobRequest(request)).toEqual({
      prompt: "Once upon a time",
      model: "stories260K",
      maxTokens: 16,
      maxTrm: 20,
      provider: key.pubkey,
    });
    const result = jobResultEvent(
      request,
      { output: " there was a cat", tokens: 5, amountTrm: 5, tradeId: "ab".repeat(32) },
      { secretKey: key.secretKey, nowMs: NOW_MS + 1_000 },
    );
    expect(verifyEvent(plain(result))).toBe(true);
    expect(result.kind).toBe(NOSTR_KIND_JOB_RESULT);
    expect(result.tags).toEqual(
      expect.arrayContaining([
        ["e", request.id],
        ["p", customer.pubkey],
        ["amount_trm", "5"],
        ["tokens", "5"],
        ["tirami_trade", "ab".repeat(32)],
      ]),
    );
    expect(JSON.parse(result.tags.find((tag) => tag[0] === "request")![1]!)).toEqual(plain(request));
    expect(verifyEvent(plain({ ...result, tags: [...result.tags, ["amount_trm", "0"]] }))).toBe(false);
    expect(() => parseJobRequest({ ...request, tags: [["param", "model", "x"]] })).toThrow(/text input/);
  });

  it("round-trip through a relay on 127.0.0.1", async () => {
    const { key, event: ad } = advertisement();
    const customer = loadOrCreateNostrKey(tempDir());
    const request = jobRequestEvent(
      { prompt: "Once upon a time", model: "stories260K", maxTokens: 16 },
      { secretKey: customer.secretKey, nowMs: NOW_MS },
    );
    const result = jobResultEvent(
      request,
      { output: "the end", tokens: 2, amountTrm: 2 },
      { secretKey: key.secretKey, nowMs: NOW_MS },
    );
    const results = await publishToRelays([ad, request, result], [relay.url]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    const forged = plain({ ...request, content: "forged" });
    expect((await publishToRelays([forged], [relay.url]))[0]).toMatchObject({ ok: false });

    const client = await Relay.connect(relay.url);
    try {
      const received: Event[] = [];
      const subscription = client.subscribe(
        [{ kinds: [NOSTR_KIND_HANDLER, NOSTR_KIND_JOB_REQUEST, NOSTR_KIND_JOB_RESULT] }],
        { onevent: (got) => received.push(got) },
      );
      await waitFor("three events back from the relay", () => received.length === 3);
      subscription.close();
      for (const sent of [ad, request, result]) {
        const got = received.find((e) => e.id === sent.id);
        expect(plain(got!)).toEqual(plain(sent));
        expect(verifyEvent(plain(got!))).toBe(true);
      }
    } finally {
      client.close();
    }
    expect(relay.refused).toBe(1);
  });

  it("report a relay that cannot be reached without failing the others", async () => {
    const { event } = advertisement();
    const results = await publishToRelays([event], ["ws://127.0.0.1:1", relay.url], { timeoutMs: 2_000 });
    expect(results.map((r) => r.ok)).toEqual([false, true]);
  });
});
