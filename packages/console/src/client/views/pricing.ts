/**
 * Pricing: the node's current price per token and its inputs, and its history: the price of each recent
 * trade (from the ledger) and the quotes sampled while this page is open.
 * @module
 */
import { lineChart, type Point } from "../chart.js";
import { type Ctx, errorBox, poll, type View } from "../context.js";
import { cards, h, num, replace, trm } from "../dom.js";

/** Quotes kept for the sampled chart (one every 5 s: 20 minutes). */
const SAMPLES_MAX = 240;
const samples: Point[] = [];

export const pricingView: View = {
  id: "pricing",
  title: "Pricing",
  mount(root: HTMLElement, ctx: Ctx) {
    const body = h("div", {});
    replace(root, h("h2", {}, "Pricing"), body);
    return poll(async () => {
      try {
        const quote = await ctx.api.get<Record<string, unknown>>("/v1/tirami/pricing");
        const price = quote["price_trm_per_token"];
        if (typeof price === "number") {
          samples.push({ x: Date.now(), y: price });
          if (samples.length > SAMPLES_MAX) samples.shift();
        }
        const traded = ctx.feed
          .trades()
          .map((t) => ({ x: t.trade.timestamp_ms, y: t.trade.price_trm_per_token }))
          .reverse();
        const inputs = Object.entries(quote)
          .filter(([name, value]) => typeof value === "number" && name !== "price_trm_per_token")
          .map(([name, value]): [string, string] => [name.replaceAll("_", " "), num(value)]);
        replace(
          body,
          h(
            "section",
            { class: "panel", "aria-labelledby": "price-h" },
            h("h3", { id: "price-h" }, "Current price"),
            cards(
              [
                ["Price per token", `${num(price)} TRM`],
                ["100 tokens", trm(quote["estimated_cost_100_tokens_trm"] as number)],
                ["1,000 tokens", trm(quote["estimated_cost_1000_tokens_trm"] as number)],
              ],
              "Current price",
            ),
            lineChart("Quoted price while this page is open (TRM per token)", samples),
          ),
          h(
            "section",
            { class: "panel", "aria-labelledby": "hist-h" },
            h("h3", { id: "hist-h" }, "Price of recent trades"),
            lineChart("Price of recent trades (TRM per token)", traded),
          ),
          h(
            "section",
            { class: "panel", "aria-labelledby": "inputs-h" },
            h("h3", { id: "inputs-h" }, "Inputs"),
            cards(inputs, "Pricing inputs"),
          ),
        );
      } catch (error) {
        replace(body, errorBox(error));
      }
    }, 5_000);
  },
};
