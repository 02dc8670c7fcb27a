// Proves which bootstrap addresses are accepted: dialable TCP multiaddrs, with or without the Ed25519 peer
// id of a real node; and that each kind of bad one — not a multiaddr, no TCP host, a peer id that cannot
// be a Tirami node — is rejected with a reason naming the address. It also proves the host refuses them.
import { generateSeed } from "@tirami/core";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { describe, expect, it } from "vitest";
import { bootstrapAddressProblem, createMeshHost, privateKeyFromSeed } from "./index.js";

describe("bootstrap addresses", () => {
  it("accepts TCP multiaddrs, with the peer id of an Ed25519 node or without one", async () => {
    const peerId = peerIdFromPrivateKey(await privateKeyFromSeed(generateSeed())).toString();
    for (const address of [
      "/ip4/127.0.0.1/tcp/7700",
      `/ip4/10.1.2.3/tcp/7700/p2p/${peerId}`,
      `/ip6/::1/tcp/1/p2p/${peerId}`,
      `/dns4/seed.example.org/tcp/443/p2p/${peerId}`,
    ])
      expect(bootstrapAddressProblem(address), address).toBeUndefined();
  });

  it("rejects what is not a multiaddr, not a TCP host, or not a Tirami peer id, naming the address", () => {
    const cases: [string, RegExp][] = [
      ["garbage", /^"garbage" is not a multiaddr \(.+\); expected one like \/ip4\//],
      ["/ip4/999.1.1.1/tcp/1", /^"\/ip4\/999\.1\.1\.1\/tcp\/1" is not a multiaddr \(Invalid IPv4/],
      ["/ip4/1.2.3.4/tcp/70000", /is not a multiaddr/],
      ["/ip4/1.2.3.4", /^"\/ip4\/1\.2\.3\.4" is not a TCP address/],
      ["/tcp/7700", /is not a TCP address/],
      ["/ip4/1.2.3.4/udp/1/quic-v1", /is not a TCP address/],
      ["/ip4/1.2.3.4/tcp/1/p2p/x", /ends in \/p2p\/x, which is not the Ed25519 peer id of a Tirami node/],
      // An RSA peer id is well-formed libp2p, but no Tirami node has one.
      ["/ip4/1.2.3.4/tcp/1/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", /not the Ed25519 peer id/],
    ];
    for (const [address, reason] of cases) expect(bootstrapAddressProblem(address), address).toMatch(reason);
  });

  it("is the rule the host applies to its own bootstrap option", async () => {
    await expect(createMeshHost({ seed: generateSeed(), bootstrap: ["garbage"] })).rejects.toThrow(
      /bootstrap: "garbage" is not a multiaddr/,
    );
  });
});
