/**
 * Overview: the node's balance (free tier, reservations, effective balance), the signed-in spender's
 * usage, the Merkle root and whether peers agree with it, and (for the operator) the balance over the
 * recent trades as a chart.
 * @module
 */
import { lineChart, type Point } from "../chart.js";
import { type Ctx, errorBox, poll, type View } from "../context.js";
import { cards, h, num, replace, short, trm } from "../dom.js";
import type { Balance, TradeEvent } from "../types.js";

interface Network {
  merkle_root: string;
  total_trades: number;
  trading_accounts: number;
  mesh: {
    peers_connected: number;
    root_agreement?: { agreeing: number; disagreeing: number; all_agree: boolean };
  } | null;
}

/** Balance before each trade, walking back from the current balance (trades newest first). */
export function balanceHistory(balanceTrm: number, account: string, trades: TradeEvent[]): Point[] {
  const points: Point[] = [];
  let balance = balanceTrm;
  for (const { trade } of trades) {
    points.push({ x: trade.timestamp_ms, y: balance });
    if (trade.provider === account) balance -= trade.amount_trm;
    else if (trade.consumer === account) balance += trade.amount_trm;
  }
  const oldest = trades[trades.length - 1];
  if (oldest !== undefined) points.push({ x: oldest.trade.timestamp_ms - 1, y: balance });
  return points.reverse();
}

function agreement(network: Network | null): string {
  const agree = network?.mesh?.root_agreement;
  if (network === null) return "—";
  if (network.mesh === null || agree === undefined) return "no mesh";
  if (agree.agreeing + agree.disagreeing === 0) return "no peer offers yet";
  if (agree.all_agree)
    return agree.agreeing === 1 ? "the 1 peer agrees" : `all ${agree.agreeing} peers agree`;
  return `${agree.agreeing} agree, ${agree.disagreeing} differ`;
}

export const overviewView: View = {
  id: "overview",
  title: "Overview",
  mount(root: HTMLElement, ctx: Ctx) {
    const body = h("div", {});
    replace(root, h("h2", {}, "Overview"), body);
    const render = async () => {
      try {
        const [balance, network] = await Promise.all([
          ctx.api.get<Balance>("/v1/tirami/balance"),
          ctx.api.get<Network>("/v1/tirami/network").catch(() => null),
        ]);
        const mine = ctx.feed
          .trades()
          .filter((t) => t.trade.provider === ctx.account || t.trade.consumer === ctx.account);
        replace(
          body,
          h(
            "section",
            { class: "panel", "aria-labelledby": "balance-h" },
            h("h3", { id: "balance-h" }, "Balance"),
            cards(
              [
                ["Balance", trm(balance.balance_trm)],
                ["Effective (spendable)", trm(balance.effective_balance_trm)],
                ["Reserved (holds)", trm(balance.reserved_trm)],
                ["Free tier", trm(balance.free_tier_trm)],
                ["Earned", trm(balance.contributed_trm)],
                ["Spent", trm(balance.consumed_trm)],
                ["Trades", num(balance.trade_count)],
              ],
              "Balance",
            ),
            ctx.principal.kind === "operator"
              ? lineChart(
                  "Balance over recent trades (TRM)",
                  balanceHistory(balance.balance_trm, ctx.account, mine),
                  {
                    step: true,
                  },
                )
              : null,
          ),
          h(
            "section",
            { class: "panel", "aria-labelledby": "usage-h" },
            h("h3", { id: "usage-h" }, `Usage of ${balance.spender}`),
            cards(
              [
                ["Requests", num(balance.usage.requests)],
                ["Prompt tokens", num(balance.usage.prompt_tokens)],
                ["Completion tokens", num(balance.usage.completion_tokens)],
                ["Spent", trm(balance.usage.spent_trm)],
              ],
              "Usage",
            ),
          ),
          h(
            "section",
            { class: "panel", "aria-labelledby": "root-h" },
            h("h3", { id: "root-h" }, "Ledger"),
            cards(
              [
                ["Merkle root", short(network?.merkle_root)],
                ["Peers", agreement(network)],
                ["Trades in ledger", num(network?.total_trades)],
                ["Trading accounts", num(network?.trading_accounts)],
              ],
              "Ledger",
            ),
            network === null ? null : h("p", { class: "mono muted" }, `root ${network.merkle_root}`),
          ),
        );
      } catch (error) {
        replace(body, errorBox(error));
      }
    };
    const stop = poll(render, 4_000);
    const unlisten = ctx.feed.onChange((fresh) => {
      if (fresh !== undefined) void render();
    });
    return () => {
      stop();
      unlisten();
    };
  },
};
