/**
 * The invariants of the economy, checked while a run goes (on a sample of nodes, cheaply) and at its end
 * (on every honest node, after heal and quiescence):
 *
 * - conservation: Σ balances = Σ free tiers + grants − burns (a default burns part of the collateral) on every node, and the
 *   ledger's own full `verify()` (balances rebuilt from the journal, every signature, the Merkle root);
 * - nothing applied twice: no trade has two debit entries in a journal;
 * - consent: every stored trade was signed by both parties as the protocol lets them sign — the harness
 *   records each signature an honest or Byzantine node's code makes; a trade whose party never signed it
 *   (a forgery, a tampered copy, a signature filled in by a bug) is Byzantine input accepted;
 * - safety: no spend was allowed after a node's kill switch, no node spent past its budget policy;
 * - holds released: no active hold once every purchase has ended;
 * - agreement: every honest node that is up has the same trade count, root and balances.
 * @module
 */
import type { AccountId } from "@tirami/core";
import { FREE_TIER_TRM_DEFAULT } from "@tirami/ledger";
import type { SimNode } from "./node.js";

/** One broken invariant. */
export interface Violation {
  invariant:
    | "conservation"
    | "verify"
    | "applied_twice"
    | "consent"
    | "kill_switch"
    | "budget"
    | "holds"
    | "agreement";
  node: number;
  message: string;
}

interface TradeRow {
  trade_id: string;
  provider: string;
  consumer: string;
  amount_trm: number;
}

export class Referee {
  readonly #consent = new Map<AccountId, Set<string>>();
  readonly violations: Violation[] = [];
  checks = 0;

  /** `account`'s code signed trade `tradeId`. */
  consented(account: AccountId, tradeId: string): void {
    let set = this.#consent.get(account);
    if (set === undefined) this.#consent.set(account, (set = new Set()));
    set.add(tradeId);
  }

  #fail(violation: Violation): void {
    if (this.violations.length < 100) this.violations.push(violation);
  }

  /** The cheap checks on one node that is up (conservation, nothing twice, consent). */
  checkNode(node: SimNode): void {
    this.checks += 1;
    const db = node.ledger.sqlite;
    const total = db
      .prepare("SELECT coalesce(sum(balance_trm), 0) FROM accounts")
      .pluck(true)
      .get() as number;
    const minted = db
      .prepare(
        `SELECT coalesce(sum(CASE kind WHEN 'free_tier' THEN amount_trm WHEN 'grant' THEN amount_trm
           WHEN 'burn' THEN -amount_trm ELSE 0 END), 0) FROM journal`,
      )
      .pluck(true)
      .get() as number;
    if (total !== minted)
      this.#fail({
        invariant: "conservation",
        node: node.index,
        message: `Σ balances ${total} ≠ Σ free tiers + grants − burns ${minted}`,
      });
    const twice = db
      .prepare(
        "SELECT trade_id FROM journal WHERE kind = 'trade_debit' GROUP BY trade_id HAVING count(*) > 1 LIMIT 1",
      )
      .pluck(true)
      .get() as string | undefined;
    if (twice !== undefined)
      this.#fail({ invariant: "applied_twice", node: node.index, message: `trade ${twice} debited twice` });
    for (const row of this.#trades(node)) {
      for (const party of [row.provider, row.consumer] as AccountId[]) {
        if (this.#consent.get(party)?.has(row.trade_id) !== true) {
          this.#fail({
            invariant: "consent",
            node: node.index,
            message: `trade ${row.trade_id.slice(0, 12)} stored without ${party === row.provider ? "provider" : "consumer"} ${party.slice(0, 8)}'s signature`,
          });
          return;
        }
      }
    }
  }

  /** The end-of-run checks on one honest node: the cheap ones, `verify()`, safety and holds. */
  checkFinal(
    node: SimNode,
    options: { fullVerify: boolean; killedAfterDecisionId: number | undefined },
  ): void {
    this.checkNode(node);
    const ledger = node.ledger;
    if (options.fullVerify) {
      const report = ledger.verify();
      if (!report.ok)
        this.#fail({
          invariant: "verify",
          node: node.index,
          message: report.issues.map((issue) => `${issue.kind}: ${issue.message}`).join("; "),
        });
    }
    const holds = ledger.listHolds();
    if (holds.length > 0)
      this.#fail({
        invariant: "holds",
        node: node.index,
        message: `${holds.length} active hold(s), e.g. ${holds[0]!.reason} ${holds[0]!.amount_trm} TRM`,
      });
    if (options.killedAfterDecisionId !== undefined) {
      const late = ledger.sqlite
        .prepare("SELECT count(*) FROM safety_decisions WHERE allowed = 1 AND decision_id > ?")
        .pluck(true)
        .get(options.killedAfterDecisionId) as number;
      if (late > 0)
        this.#fail({
          invariant: "kill_switch",
          node: node.index,
          message: `${late} spend(s) allowed after the kill switch`,
        });
    }
    const policy = node.policy;
    if (policy !== undefined) {
      const mine = this.#trades(node).filter((row) => row.consumer === node.account);
      const total = mine.reduce((sum, row) => sum + row.amount_trm, 0);
      const largest = mine.reduce((max, row) => Math.max(max, row.amount_trm), 0);
      if (policy.lifetime_max_trm !== undefined && total > policy.lifetime_max_trm)
        this.#fail({
          invariant: "budget",
          node: node.index,
          message: `spent ${total} > lifetime ${policy.lifetime_max_trm}`,
        });
      if (policy.per_request_max_trm !== undefined && largest > policy.per_request_max_trm)
        this.#fail({
          invariant: "budget",
          node: node.index,
          message: `one spend ${largest} > ${policy.per_request_max_trm}`,
        });
    }
  }

  /** Every honest node that is up holds the same trades, root and balances. */
  checkAgreement(nodes: readonly SimNode[]): { root: string; trades: number } | undefined {
    let reference: { node: SimNode; root: string; trades: number; balances: string } | undefined;
    for (const node of nodes) {
      const state = {
        node,
        root: node.ledger.merkleRoot(),
        trades: node.ledger.tradeCount(),
        balances: this.#balances(node),
      };
      if (reference === undefined) {
        reference = state;
        continue;
      }
      const differs =
        state.root !== reference.root
          ? "root"
          : state.balances !== reference.balances
            ? "balances"
            : undefined;
      if (differs !== undefined)
        this.#fail({
          invariant: "agreement",
          node: node.index,
          message: `${differs} differs from node ${reference.node.index} (${state.trades} vs ${reference.trades} trades)`,
        });
    }
    return reference === undefined ? undefined : { root: reference.root, trades: reference.trades };
  }

  #trades(node: SimNode): TradeRow[] {
    return node.ledger.sqlite
      .prepare("SELECT trade_id, provider, consumer, amount_trm FROM trades")
      .all() as TradeRow[];
  }

  /** Non-zero balances other than the free tier, in account order (unseen accounts are implicit). */
  #balances(node: SimNode): string {
    const rows = node.ledger.sqlite
      .prepare("SELECT account_id, balance_trm FROM accounts WHERE balance_trm <> ? ORDER BY account_id")
      .all(FREE_TIER_TRM_DEFAULT) as { account_id: string; balance_trm: number }[];
    return rows.map((row) => `${row.account_id}:${row.balance_trm}`).join(",");
  }
}
