/**
 * The mesh: this node's view of the network (peers connected, offers, root agreement), every peer with
 * its latency, reputation and whether its Merkle root agrees with ours, and the providers' offers.
 * @module
 */
import { type Ctx, codeOf, errorBox, poll, type View } from "../context.js";
import { cards, h, num, replace, short, table } from "../dom.js";

interface Peer {
  account: string;
  connected: boolean;
  latency_ms: number | null;
  reputation: number;
  root_agrees: boolean | null;
  trade_count: number | null;
  models: string[];
  banned: boolean;
}
interface Provider {
  account: string;
  models: Array<{ model_id: string; price_trm_per_token: number }>;
  free_capacity: number;
  ranking: Array<{ model_id: string; rank: number | null }>;
}

function agrees(value: boolean | null): HTMLElement {
  if (value === null) return h("span", { class: "muted" }, "no offer yet");
  return value ? h("span", { class: "ok" }, "agrees") : h("span", { class: "bad" }, "differs");
}

export const meshView: View = {
  id: "mesh",
  title: "Mesh",
  mount(root: HTMLElement, ctx: Ctx) {
    const body = h("div", {});
    replace(root, h("h2", {}, "Mesh"), body);
    return poll(async () => {
      try {
        const [network, peers, providers] = await Promise.all([
          ctx.api.get<Record<string, unknown>>("/v1/tirami/mesh"),
          ctx.api.get<{ peers: Peer[] }>("/v1/tirami/peers"),
          ctx.api.get<{ providers: Provider[] }>("/v1/tirami/providers"),
        ]);
        const agreement = network["root_agreement"] as { agreeing: number; disagreeing: number } | undefined;
        replace(
          body,
          cards(
            [
              ["Peers connected", num(network["peers_connected"])],
              ["Offers", num(network["offers"])],
              ["Providers", num(network["providers"])],
              [
                "Roots agreeing",
                agreement === undefined
                  ? "—"
                  : `${agreement.agreeing} of ${agreement.agreeing + agreement.disagreeing}`,
              ],
            ],
            "Mesh",
          ),
          h("h3", {}, "Peers"),
          table(
            "Peers",
            ["Account", "Connected", "Latency", "Reputation", "Root", "Models"],
            peers.peers.map((peer) => [
              h("span", { class: "mono", title: peer.account }, short(peer.account)),
              peer.banned ? h("span", { class: "bad" }, "banned") : peer.connected ? "yes" : "no",
              peer.latency_ms === null ? "—" : `${num(peer.latency_ms)} ms`,
              peer.reputation.toFixed(2),
              agrees(peer.root_agrees),
              peer.models.join(", ") || "—",
            ]),
          ),
          h("h3", {}, "Offers"),
          table(
            "Offers",
            ["Provider", "Model", "Price", "Capacity", "Rank"],
            providers.providers.flatMap((provider) =>
              provider.models.map((model) => [
                h("span", { class: "mono", title: provider.account }, short(provider.account)),
                model.model_id,
                `${model.price_trm_per_token} TRM/token`,
                num(provider.free_capacity),
                num(provider.ranking.find((r) => r.model_id === model.model_id)?.rank ?? null),
              ]),
            ),
          ),
        );
      } catch (error) {
        replace(
          body,
          codeOf(error) === "MESH_DISABLED"
            ? h("p", { class: "notice" }, "This node has not joined a mesh (start it with a p2p port).")
            : errorBox(error),
        );
      }
    }, 5_000);
  },
};
