/**
 * Which strings can be bootstrap peers: a multiaddr this host can dial — a host part (`/ip4`, `/ip6`,
 * `/dns…`) and `/tcp/<port>`, since the mesh speaks TCP only — optionally ending in `/p2p/<peer id>` of an
 * Ed25519 peer, the only kind of peer that is a Tirami node. The node's configuration uses it so a bad
 * `--bootstrap`, `TIRAMI_BOOTSTRAP` or config.json entry is rejected with the other options, before
 * anything is created; `createMeshHost` uses it for its own `bootstrap` option.
 * @module
 */
import { multiaddr } from "@multiformats/multiaddr";
import { accountIdFromPeerId } from "./identity.js";

/** Multiaddr protocols that name a host this mesh can dial over TCP. */
const HOST_PROTOCOLS = new Set(["ip4", "ip6", "dns", "dns4", "dns6", "dnsaddr"]);
const EXAMPLE = "/ip4/1.2.3.4/tcp/7700/p2p/12D3KooW…";

/**
 * Why `text` cannot be a bootstrap peer address, or undefined when it can.
 * @example
 * bootstrapAddressProblem("garbage"); // '"garbage" is not a multiaddr (String multiaddr must start with "/"); expected one like /ip4/…'
 * bootstrapAddressProblem("/ip4/127.0.0.1/tcp/7700"); // undefined
 */
export function bootstrapAddressProblem(text: string): string | undefined {
  let components: ReturnType<ReturnType<typeof multiaddr>["getComponents"]>;
  try {
    components = multiaddr(text).getComponents();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `"${text}" is not a multiaddr (${reason}); expected one like ${EXAMPLE}`;
  }
  if (!HOST_PROTOCOLS.has(components[0]?.name ?? "") || !components.some((c) => c.name === "tcp"))
    return `"${text}" is not a TCP address (the mesh dials /ip4, /ip6 or /dns hosts over /tcp); expected one like ${EXAMPLE}`;
  const peer = components.find((c) => c.name === "p2p")?.value;
  if (peer === undefined) return undefined;
  try {
    accountIdFromPeerId(peer);
    return undefined;
  } catch {
    return `"${text}" ends in /p2p/${peer}, which is not the Ed25519 peer id of a Tirami node (those start with 12D3KooW)`;
  }
}
