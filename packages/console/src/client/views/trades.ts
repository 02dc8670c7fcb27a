/**
 * Live trades, newest first, pushed by the trade stream; the operator's list starts from the ledger's
 * recent trades. Each trade opens its Merkle inclusion proof (fetched with the bearer header, so it is a
 * button rather than a link).
 * @module
 */
import { type Ctx, errorBox, type View } from "../context.js";
import { h, num, replace, short, time, trm } from "../dom.js";
import type { TradeEvent } from "../types.js";

/** Trades listed at once. */
const TRADES_SHOWN = 100;

function role(ctx: Ctx, trade: TradeEvent): string {
  if (trade.trade.provider === ctx.account) return "sold";
  if (trade.trade.consumer === ctx.account) return "bought";
  return "seen";
}

function proofButton(ctx: Ctx, trade: TradeEvent): HTMLElement {
  const out = h("div", {});
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary",
      "aria-label": `Show the inclusion proof of trade ${short(trade.trade_id)}`,
      onclick: async () => {
        button.disabled = true;
        try {
          const proof = await ctx.api.get<Record<string, unknown>>(
            trade.proof_path ?? `/v1/tirami/proof/${trade.trade_id}`,
          );
          replace(out, h("pre", { class: "mono", tabindex: 0 }, JSON.stringify(proof, null, 2)));
        } catch (error) {
          replace(out, errorBox(error));
        } finally {
          button.disabled = false;
        }
      },
    },
    "Proof",
  );
  return h("div", {}, button, out);
}

function item(ctx: Ctx, trade: TradeEvent, fresh: boolean): HTMLElement {
  const t = trade.trade;
  const side = role(ctx, trade);
  return h(
    "li",
    { class: fresh ? "fresh" : null, "data-trade-id": trade.trade_id },
    h(
      "div",
      { class: "row" },
      h("strong", {}, `${side} ${trm(t.amount_trm)}`),
      h(
        "span",
        {},
        `${t.model_id} · ${num(t.completion_tokens)} tokens at ${t.price_trm_per_token} TRM/token`,
      ),
      h("span", { class: "muted" }, time(t.timestamp_ms)),
    ),
    h(
      "div",
      { class: "muted mono" },
      `trade ${short(trade.trade_id)} · provider ${short(t.provider)} · consumer ${short(t.consumer)}`,
      trade.source === undefined ? "" : ` · via ${trade.source}`,
    ),
    proofButton(ctx, trade),
  );
}

export const tradesView: View = {
  id: "trades",
  title: "Trades",
  mount(root: HTMLElement, ctx: Ctx) {
    const state = h("p", { class: "muted", "aria-live": "polite" });
    const list = h("ol", { class: "trades", "aria-label": "Trades, newest first" });
    const failure = h("div", {});
    replace(root, h("h2", {}, "Live trades"), state, failure, list);
    const stateText = () => {
      const s = ctx.feed.state();
      state.textContent =
        s === "live"
          ? "Live: new trades appear at the top as they are applied."
          : s === "retrying"
            ? "Stream interrupted; reconnecting…"
            : s === "connecting"
              ? "Connecting to the trade stream…"
              : "Stream stopped.";
      if (ctx.principal.kind === "agent") state.textContent += " An agent sees only its own purchases.";
    };
    const render = (fresh: TradeEvent | undefined) => {
      stateText();
      replace(
        list,
        ctx.feed
          .trades()
          .slice(0, TRADES_SHOWN)
          .map((trade) => item(ctx, trade, trade === fresh)),
      );
      if (fresh !== undefined) ctx.announce(`New trade: ${role(ctx, fresh)} ${trm(fresh.trade.amount_trm)}`);
    };
    render(undefined);
    return ctx.feed.onChange(render);
  },
};

/** Loads the ledger's recent trades into the feed (the operator's history; agents see their stream only). */
export async function seedTrades(ctx: Ctx): Promise<void> {
  if (ctx.principal.kind !== "operator") return;
  try {
    const page = await ctx.api.get<{ trades: TradeEvent[] }>("/v1/tirami/trades?limit=100");
    ctx.feed.seed(page.trades);
  } catch {
    // The stream still works; the overview shows API errors.
  }
}
