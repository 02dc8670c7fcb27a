/**
 * `runSimulation`: builds N nodes from one seed, runs the workload with faults on the simulated clock,
 * heals everything, waits for quiescence and checks every invariant. The loop runs one event at a time and
 * lets every promise that event started settle before the next one (a `setImmediate` turn), so the real
 * async code of the market and the ledger interleaves the same way on every run of a seed.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccountId } from "@tirami/core";
import { type SimConfig, resolveConfig } from "./config.js";
import { actByzantine, BYZANTINE_ACTS, serveLyingSync } from "./byzantine.js";
import { installSeededEntropy } from "./entropy.js";
import { SimKernel } from "./kernel.js";
import { SimNetwork } from "./network.js";
import { SimNode } from "./node.js";
import { Prng } from "./prng.js";
import { buy, type PurchaseOutcome, type PurchaseWorld, serveInfer } from "./purchase.js";
import { Referee, type Violation } from "./referee.js";
import type { SimHost, SimWorld } from "./sim-host.js";
import { buildTopology } from "./topology.js";

/** What a run reports. */
export interface SimResult {
  config: SimConfig;
  simulatedMs: number;
  wallMs: number;
  events: number;
  /** Distinct trades the honest nodes agree on at the end. */
  trades: number;
  /** Trades applied summed over nodes (each node applies each trade once). */
  tradeApplications: number;
  purchases: Record<PurchaseOutcome, number>;
  /** Why the purchases that did not trade ended, most frequent first. */
  reasons: [string, number][];
  byzantineActs: number;
  crashes: number;
  partitions: number;
  syncRounds: number;
  syncReceived: number;
  /** Loans made, repaid and refused during the run; defaults as the honest nodes agree. */
  loans: { created: number; repaid: number; refused: number; defaulted: number };
  network: SimNetwork["counters"];
  quiescent: boolean;
  root: string | undefined;
  violations: Violation[];
  traceHash: string;
  traceTail: string[];
}

/** Quiescence probes: often while nodes converge, seldom while time runs on to the loans' due dates. */
const PROBE_MS = 2_000;
const PAUSED_PROBE_MS = 30_000;
/** Simulated time between two progress lines. */
const PROGRESS_MS = 5_000;

class Run implements SimWorld, PurchaseWorld {
  readonly kernel = new SimKernel({ queueMax: 5_000_000, traceTailMax: 40 });
  readonly rng: Prng;
  /** Feeds `randomBytes` during the run (see entropy.ts). */
  readonly entropy: Prng;
  readonly referee = new Referee();
  readonly network: SimNetwork;
  readonly nodes: SimNode[] = [];
  readonly plant;
  readonly #byAccount = new Map<AccountId, number>();
  readonly purchases: Record<PurchaseOutcome, number> = {
    traded: 0,
    denied: 0,
    refused: 0,
    failed: 0,
    rejected: 0,
  };
  /** Why purchases that did not trade ended, with counts. */
  readonly reasons = new Map<string, number>();
  inFlight = 0;
  readonly loans = { created: 0, repaid: 0, refused: 0 };
  /** Offers stop while time runs on to the loans' due dates (nothing to announce: the roots agree). */
  offersPaused = false;
  byzantineActs = 0;
  crashes = 0;
  partitions = 0;
  workloadOver = false;
  quiescent = false;

  constructor(
    readonly config: SimConfig,
    readonly dir: string,
  ) {
    const root = new Prng(config.seed);
    this.rng = root.fork("world");
    this.plant = config.plant;
    this.network = new SimNetwork(this.kernel, root.fork("network"), this.nodes, config.network);
    this.#build(root.fork("nodes"));
    this.entropy = root.fork("entropy");
  }

  hostOf(index: number): SimHost {
    return this.nodes[index]!.host;
  }

  indexOf(account: AccountId): number | undefined {
    return this.#byAccount.get(account);
  }

  nodeOf(account: AccountId): SimNode | undefined {
    const i = this.#byAccount.get(account);
    return i === undefined ? undefined : this.nodes[i];
  }

  honest(): SimNode[] {
    return this.nodes.filter((node) => !node.role.byzantine);
  }

  #build(rng: Prng): void {
    const { config } = this;
    const roles = Array.from({ length: config.nodes }, (_, i) => ({
      provider: i < 2 || rng.chance(config.providerFraction),
      byzantine: i >= 2 && rng.chance(config.byzantineFraction),
      crashable: i >= 1 && rng.chance(config.crashableFraction),
    }));
    const neighbours = buildTopology(rng, roles, config.extraEdgesPerNode);
    roles.forEach((role, index) => {
      const honest = !role.byzantine;
      const node = new SimNode(this, {
        index,
        seed: rng.bytes(32),
        role,
        skewMs: rng.int(-config.clockSkewMsMax, config.clockSkewMsMax),
        path: role.crashable ? join(this.dir, `node-${index}.db`) : ":memory:",
        neighbours: neighbours[index]!,
        policy:
          honest && rng.chance(config.budgetFraction)
            ? { per_request_max_trm: 60, lifetime_max_trm: 300 }
            : undefined,
        priceTrmPerToken: rng.int(1, 3),
        lendTerms:
          honest && config.loanRate > 0 && (index === 0 || rng.chance(config.lenderFraction))
            ? { capacityTrm: 900, maxTermHours: 1, minInterestPpmPerHour: 1_000 }
            : undefined,
      });
      this.nodes.push(node);
      this.#byAccount.set(node.account, index);
    });
  }

  async start(): Promise<void> {
    for (const node of this.nodes) await this.#startNode(node);
    // Lend offers go out once every node listens (the sweeper re-publishes them every LENDING_TICK_MS).
    for (const node of this.nodes) if (node.lendTerms !== undefined) await node.lending.offer(node.lendTerms);
    this.kernel.log(
      `start ${this.nodes.length} nodes: ${this.nodes.filter((n) => n.role.provider).length} providers, ` +
        `${this.nodes.filter((n) => n.role.byzantine).length} byzantine, ` +
        `${this.nodes.filter((n) => n.role.crashable).length} crashable`,
    );
  }

  async #startNode(node: SimNode): Promise<void> {
    await node.start((started) => serveInfer(this, started));
    if (node.role.byzantine) serveLyingSync(node, (account) => this.indexOf(account));
  }

  /** Peers learn of a (re)connection: both sides ask for a round, as on `peer:connected`. */
  connected(a: number, b: number): void {
    const na = this.nodes[a]!;
    const nb = this.nodes[b]!;
    if (na.up && nb.up) {
      na.requestSync(nb.account);
      nb.requestSync(na.account);
      na.host.emit("peer:connected", { account: nb.account, peerId: nb.host.peerId });
      nb.host.emit("peer:connected", { account: na.account, peerId: na.host.peerId });
    }
  }

  schedule(): void {
    const { config, kernel } = this;
    const windowMs = Math.max(1, config.steps * config.stepMs);
    // Providers announce themselves at once (consumers need their offers); the others' first offers are
    // spread over one interval, as nodes that did not all start in the same second.
    for (const node of this.nodes)
      if (node.role.provider || config.consumerOffers)
        this.#offerLoop(node, this.rng.int(0, node.role.provider ? 1_000 : config.offerIntervalMs));
    for (let step = 0; step < config.steps; step += 1)
      kernel.at(step * config.stepMs + this.rng.int(0, config.stepMs), "purchase", () =>
        this.#purchase(step),
      );
    this.#scheduleCrashes(windowMs);
    this.#schedulePartitions(windowMs);
    for (const node of this.honest())
      if (node.index >= 2 && this.rng.chance(config.killFraction))
        kernel.at(this.rng.int(0, windowMs), "kill", () => {
          if (!node.up) return;
          node.killedAfterDecisionId ??= node.ledger.sqlite
            .prepare("SELECT coalesce(max(decision_id), 0) FROM safety_decisions")
            .pluck(true)
            .get() as number;
          node.ledger.safety.activateKill("simulated operator", "sim");
          kernel.log(`node ${node.index} turns its kill switch on`);
        });
    for (const node of this.nodes.filter((n) => n.role.byzantine))
      this.#byzantineLoop(node, this.rng.int(0, config.byzantineActMs), windowMs);
    for (let atMs = config.checkIntervalMs; atMs < windowMs; atMs += config.checkIntervalMs)
      kernel.at(atMs, "check", () => this.#checkSample());
    kernel.at(windowMs, "heal", () => void this.#heal());
  }

  #offerLoop(node: SimNode, delayMs: number): void {
    this.kernel.at(delayMs, "offer", () => {
      if (this.quiescent) return;
      if (node.up && !this.offersPaused) {
        if (node.role.provider && !this.workloadOver && this.rng.chance(0.1))
          node.priceTrmPerToken = this.rng.int(1, 3);
        void node.gossip.publishOffer(node.offer()).catch(() => undefined);
      }
      this.#offerLoop(node, this.config.offerIntervalMs + this.rng.int(0, 500));
    });
  }

  #purchase(step: number): void {
    const consumer = this.rng.pick(this.nodes);
    if (!consumer.up) return;
    if (this.rng.chance(this.config.loanRate)) return this.#borrow(consumer, step);
    const offers = consumer.offers.list().filter((offer) => offer.models.length > 0);
    if (offers.length === 0) return;
    const offer = this.rng.pick(offers);
    const price = offer.models[0]!.price_trm_per_token;
    const maxTokens = this.rng.int(1, 32);
    const requestId = `sim-${this.config.seed}-${step}`;
    const provider = this.indexOf(offer.account);
    this.inFlight += 1;
    void buy(this, consumer, offer.account, price, maxTokens, requestId).then(({ outcome, detail }) => {
      this.inFlight -= 1;
      this.purchases[outcome] += 1;
      if (outcome !== "traded") {
        const reason = `${outcome}: ${detail.replace(/[0-9a-f]{12,}/g, "…")}`;
        this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
      }
      this.kernel.log(
        `buy ${requestId} ${consumer.index}→${provider} ×${maxTokens}@${price}: ${outcome} ${detail}`,
      );
    });
  }

  /** A loan from the pool (lending's real handshake); most honest borrowers repay before the due time. */
  #borrow(borrower: SimNode, step: number): void {
    const amountTrm = this.rng.int(2, 15); // credit 0.3 (a new account) × a 900 TRM pool allows ~16
    const collateralTrm = Math.ceil(amountTrm / 3) + this.rng.int(0, 5);
    const repays = !borrower.role.byzantine && this.rng.chance(this.config.repayRate);
    const repayAfterMs = this.rng.int(1_000, 40 * 60_000);
    this.inFlight += 1;
    const lending = borrower.lending;
    void lending
      .borrow({ spender: "operator", amountTrm, termHours: 1, collateralTrm })
      .then(
        (loan) => {
          this.loans.created += 1;
          this.kernel.log(
            `loan ${loan.loan_id.slice(0, 12)} ${loan.loan.lender.slice(0, 8)}→${borrower.index} ${amountTrm} TRM${repays ? "" : ", will default"}`,
          );
          if (repays) this.kernel.at(repayAfterMs, "repay", () => this.#repay(borrower, loan.loan_id));
        },
        (error: unknown) => {
          this.loans.refused += 1;
          const code = (error as { code?: string }).code ?? "ERROR";
          this.kernel.log(`loan step ${step} by ${borrower.index} refused: ${code}`);
        },
      )
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  #repay(borrower: SimNode, loanId: string): void {
    if (!borrower.up) return; // a borrower down at its repayment time lets the loan default
    this.inFlight += 1;
    void borrower.lending
      .repay({ spender: "operator", loanId })
      .then(
        () => {
          this.loans.repaid += 1;
          this.kernel.log(`loan ${loanId.slice(0, 12)} repaid by ${borrower.index}`);
        },
        (error: unknown) =>
          this.kernel.log(
            `repay of ${loanId.slice(0, 12)} failed: ${(error as { code?: string }).code ?? (error as Error).message.slice(0, 40)}`,
          ),
      )
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  #scheduleCrashes(windowMs: number): void {
    const crashable = this.nodes.filter((node) => node.role.crashable);
    if (crashable.length === 0) return;
    for (let i = 0; i < this.config.crashes; i += 1) {
      const node = this.rng.pick(crashable);
      const downMs = this.rng.int(500, 8_000);
      this.kernel.at(this.rng.int(0, windowMs), "crash", () => {
        if (!node.up) return;
        this.crashes += 1;
        this.kernel.log(`node ${node.index} crashes for ${downMs} ms`);
        void node.crash();
        this.kernel.at(downMs, "restart", () => void this.#restart(node));
      });
    }
  }

  async #restart(node: SimNode): Promise<void> {
    if (node.up) return;
    await this.#startNode(node);
    node.counters.restarts += 1;
    if (node.lendTerms !== undefined) await node.lending.offer(node.lendTerms);
    this.kernel.log(`node ${node.index} restarts at ${node.ledger.tradeCount()} trades`);
    for (const j of node.host.neighbours) this.connected(node.index, j);
  }

  #schedulePartitions(windowMs: number): void {
    let atMs = 0;
    for (let i = 0; i < this.config.partitions; i += 1) {
      atMs += this.rng.int(0, Math.max(1, Math.floor(windowMs / (this.config.partitions + 1))));
      const lastsMs = this.rng.int(1_000, 10_000);
      const fraction = 0.2 + this.rng.float() * 0.3;
      this.kernel.at(atMs, "partition", () => {
        if (this.network.partitioned || this.workloadOver) return;
        this.partitions += 1;
        const minority = this.network.partition(fraction);
        this.kernel.log(`partition: ${minority} nodes cut off for ${lastsMs} ms`);
        this.kernel.at(lastsMs, "partition-heal", () => this.#healPartition());
      });
      atMs += lastsMs;
    }
  }

  /** Heals the partition; the links it had cut reconnect (and only those: the others never dropped). */
  #healPartition(): void {
    if (!this.network.partitioned) return;
    const cut: [number, number][] = [];
    for (const node of this.nodes)
      for (const j of node.host.neighbours)
        if (j > node.index && !this.network.reachable(node.index, j)) cut.push([node.index, j]);
    this.network.heal();
    this.kernel.log(`partition heals: ${cut.length} links reconnect`);
    for (const [a, b] of cut) this.connected(a, b);
  }

  #byzantineLoop(node: SimNode, delayMs: number, windowMs: number): void {
    this.kernel.at(delayMs, "byzantine", () => {
      if (this.workloadOver) return;
      if (node.up) {
        const victims = this.honest().map((n) => n.account);
        const act = this.rng.pick(BYZANTINE_ACTS);
        this.byzantineActs += 1;
        this.kernel.log(`byz ${node.index} ${actByzantine(this.rng, node, act, victims)}`);
      }
      if (this.kernel.elapsedMs < windowMs) this.#byzantineLoop(node, this.config.byzantineActMs, windowMs);
    });
  }

  #checkSample(): void {
    const up = this.nodes.filter((node) => node.up);
    for (let i = 0; i < this.config.checkSample && up.length > 0; i += 1)
      this.referee.checkNode(this.rng.pick(up));
  }

  /** End of the workload: faults stop, partitions heal, crashed nodes restart; then probe for quiescence. */
  async #heal(): Promise<void> {
    this.workloadOver = true;
    this.network.profile = { ...this.network.profile, dropRate: 0 };
    this.#healPartition();
    this.kernel.log("workload over: faults stop, every node comes back, lenders withdraw their offers");
    for (const node of this.nodes) if (!node.up) await this.#restart(node);
    for (const node of this.nodes)
      if (node.lendTerms !== undefined) {
        node.lendTerms = undefined;
        await node.lending.offer(null);
      }
    this.kernel.at(PROBE_MS, "probe", () => this.#probe(this.kernel.elapsedMs));
  }

  /** Quiescent: no purchase in flight and every honest node at one root. Otherwise probe again. */
  #probe(healedAtMs: number): void {
    const honest = this.honest();
    const root = honest[0]!.ledger.merkleRoot();
    const agreed = honest.every((node) => node.ledger.merkleRoot() === root);
    const openLoans = honest.reduce((sum, node) => sum + node.ledger.loans.stats().active_count, 0);
    if (this.inFlight === 0 && agreed && openLoans > 0 && !this.offersPaused) {
      this.offersPaused = true;
      this.kernel.log(`converged with ${openLoans} open loan(s): time runs on to their due dates`);
    }
    if (this.inFlight === 0 && agreed && openLoans === 0) {
      this.quiescent = true;
      this.kernel.log(`quiescent: ${honest.length} honest nodes at root ${root.slice(0, 16)}`);
      return;
    }
    if (this.kernel.elapsedMs - healedAtMs > this.config.quiescenceMsMax) {
      this.kernel.log(`no quiescence after ${this.config.quiescenceMsMax} ms`);
      this.quiescent = true; // stop the run; the agreement check reports the difference
      return;
    }
    this.kernel.at(this.offersPaused ? PAUSED_PROBE_MS : PROBE_MS, "probe", () => this.#probe(healedAtMs));
  }

  /** Runs events until quiescence (or until nothing is left). */
  async loop(): Promise<void> {
    const { kernel } = this;
    const startedWall = performance.now();
    let nextProgressMs = PROGRESS_MS;
    while (!this.quiescent) {
      if (this.config.onProgress !== undefined && kernel.elapsedMs >= nextProgressMs) {
        nextProgressMs = kernel.elapsedMs + PROGRESS_MS;
        this.config.onProgress(
          `  … ${(kernel.elapsedMs / 1000).toFixed(0)} s simulated, ${kernel.events} events, ` +
            `${((performance.now() - startedWall) / 1000).toFixed(0)} s wall, ${this.inFlight} in flight`,
        );
      }
      const event = kernel.queue.pop();
      if (event === undefined) break;
      kernel.elapsedMs = event.atMs;
      kernel.events += 1;
      event.run();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  finalChecks(): { root: string; trades: number } | undefined {
    const honest = this.honest();
    honest.forEach((node, k) =>
      this.referee.checkFinal(node, {
        fullVerify: k < this.config.verifyNodesMax,
        killedAfterDecisionId: node.killedAfterDecisionId,
      }),
    );
    const agreed = this.referee.checkAgreement(honest);
    const verdict =
      this.referee.violations.length === 0
        ? "all invariants hold"
        : `${this.referee.violations.length} violation(s)`;
    this.kernel.log(`final: ${verdict}`);
    return agreed;
  }

  async close(): Promise<void> {
    for (const node of this.nodes) if (node.up) await node.crash();
  }
}

/** Runs one simulation to the end and reports it. Never throws for an invariant: see `violations`. */
export async function runSimulation(partial: Partial<SimConfig> & { seed: number }): Promise<SimResult> {
  const config = resolveConfig(partial);
  const ownDir = config.dir === undefined;
  const dir = config.dir ?? mkdtempSync(join(tmpdir(), "tirami-sim-"));
  const startedWall = performance.now();
  const run = new Run(config, dir);
  const restoreEntropy = installSeededEntropy(run.entropy);
  try {
    await run.start();
    run.schedule();
    await run.loop();
    const agreed = run.finalChecks();
    const tradeApplications = run.nodes.reduce((sum, node) => sum + node.ledger.tradeCount(), 0);
    const result: SimResult = {
      config,
      simulatedMs: run.kernel.elapsedMs,
      wallMs: 0,
      events: run.kernel.events,
      trades: agreed?.trades ?? 0,
      tradeApplications,
      purchases: run.purchases,
      reasons: [...run.reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
      byzantineActs: run.byzantineActs,
      crashes: run.crashes,
      partitions: run.partitions,
      syncRounds: run.nodes.reduce((sum, node) => sum + node.counters.syncRounds, 0),
      syncReceived: run.nodes.reduce((sum, node) => sum + node.counters.syncReceived, 0),
      network: { ...run.network.counters },
      loans: { ...run.loans, defaulted: run.honest()[0]!.ledger.loans.stats().defaulted_count },
      quiescent: run.quiescent,
      root: agreed?.root,
      violations: [...run.referee.violations],
      traceHash: run.kernel.trace.digest(),
      traceTail: run.kernel.trace.tail(),
    };
    await run.close();
    result.wallMs = performance.now() - startedWall;
    return result;
  } finally {
    restoreEntropy();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  }
}
