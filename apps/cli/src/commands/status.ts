/**
 * `tirami status`: is the node up, who is it, what does it serve, what does it hold, is the kill switch
 * on, which loans fall due — one screen from `/health`, `/v1/models`, `/v1/tirami/balance`, `/network`,
 * `/safety` and `/loans`.
 * @module
 */
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { list, num, pick, record } from "../values.js";

export function statusCommand(deps: CliDeps): Command {
  return new Command("status")
    .description("show the node's health, model, balance, network and safety state")
    .action(
      defineAction(deps, async (ctx) => {
        const client = ctx.client();
        const health = record(await client.api.health());
        const [models, balance, network, safety, peers] = await Promise.all([
          client.api.models(),
          client.api.balance(),
          client.api.network(),
          client.api.safety(),
          // 503 MESH_DISABLED (or 404 on an older node) means no mesh: reported as null, not an error.
          client.api.peers().catch(() => null),
        ]);
        // Repayment reminders: this node's active loans as borrower, soonest due first (an older node: none).
        const loans = list(await client.api.loans({ status: "active" }).catch(() => null), "loans")
          .filter((l) => l["role"] === "borrower")
          .sort((x, y) => Number(x["due_ms"]) - Number(y["due_ms"]));
        const status = {
          url: client.url,
          health,
          models: list(models, "data").map((m) => m["id"]),
          balance,
          network,
          safety,
          peers: peers === null ? null : list(peers, "peers"),
          loans_due: loans,
        };
        ctx.out.result(status, () => {
          const b = record(balance);
          const n = record(network);
          const s = record(safety);
          const kill = record(pick(s, "kill_switch"));
          const killActive = pick(kill, "active") ?? pick(s, "kill_switch_active");
          ctx.out.fields([
            ["node", client.url],
            ["health", pick(health, "status") ?? "ok"],
            ["node id", pick(b, "account_id", "node_id") ?? pick(health, "node_id")],
            ["models", status.models.length === 0 ? "(none loaded)" : status.models.join(", ")],
            ["balance TRM", num(b, "effective_balance_trm", "effective_balance", "balance_trm")],
            ["trades", num(n, "trade_count", "total_trades")],
            ["merkle root", pick(n, "merkle_root", "root")],
            ["mesh", meshLine(status.peers)],
            ["kill switch", killActive === true ? ctx.out.color.red("ACTIVE") : "off"],
            ["loans to repay", loans.length === 0 ? "none" : loans.map(dueLine).join("; ")],
          ]);
        });
      }),
    );
}

function meshLine(peers: Record<string, unknown>[] | null): string {
  if (peers === null) return "off";
  const connected = peers.filter((p) => p["connected"] === true).length;
  const disagree = peers.filter((p) => p["root_agrees"] === false).length;
  return `${connected} connected peer(s) of ${peers.length} known${disagree === 0 ? "" : `, ${disagree} with a different root`}`;
}

function dueLine(loan: Record<string, unknown>): string {
  const hours = Number(loan["due_in_ms"]) / 3_600_000;
  const when = hours < 0 ? `overdue by ${(-hours).toFixed(1)} h` : `due in ${hours.toFixed(1)} h`;
  return `${String(loan["total_due_trm"])} TRM to ${String(loan["lender"]).slice(0, 12)}… ${when} (loan ${String(loan["loan_id"]).slice(0, 12)}…)`;
}
