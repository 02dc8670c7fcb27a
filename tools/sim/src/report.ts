/**
 * A run's report as text: the figures (simulated time, wall time, trades and events per second), the
 * faults it went through and the verdict; when an invariant failed, the violations, the trace's last lines
 * and the command that replays the seed.
 * @module
 */
import { DEFAULT_CONFIG } from "./config.js";
import type { SimResult } from "./simulation.js";

/** The command that replays `result`'s run exactly. */
export function replayCommand(result: SimResult): string {
  const { config } = result;
  const flags = [`--seed ${config.seed}`, `--nodes ${config.nodes}`, `--steps ${config.steps}`];
  if (config.faults && config.crashes !== DEFAULT_CONFIG.crashes) flags.push(`--crashes ${config.crashes}`);
  if (config.faults && config.partitions !== DEFAULT_CONFIG.partitions)
    flags.push(`--partitions ${config.partitions}`);
  if (config.faults && config.byzantineFraction !== DEFAULT_CONFIG.byzantineFraction)
    flags.push(`--byzantine ${config.byzantineFraction}`);
  if (config.providerFraction !== DEFAULT_CONFIG.providerFraction)
    flags.push(`--providers ${config.providerFraction}`);
  if (config.loanRate !== DEFAULT_CONFIG.loanRate) flags.push(`--loans ${config.loanRate}`);
  if (config.faults && config.network.dropRate !== DEFAULT_CONFIG.network.dropRate)
    flags.push(`--drops ${config.network.dropRate}`);
  if (!config.consumerOffers) flags.push("--provider-offers-only");
  if (!config.faults) flags.push("--no-faults");
  if (config.plant !== undefined) flags.push(`--plant ${config.plant}`);
  return `pnpm sim ${flags.join(" ")}`;
}

export function formatResult(result: SimResult): string {
  const wallS = result.wallMs / 1000;
  const p = result.purchases;
  const lines = [
    `seed ${result.config.seed}: ${result.config.nodes} nodes, ${result.config.steps} steps` +
      (result.config.plant === undefined ? "" : `, planted fault ${result.config.plant}`),
    `  simulated ${(result.simulatedMs / 1000).toFixed(1)} s in ${wallS.toFixed(1)} s wall; ` +
      `${result.events} events (${Math.round(result.events / wallS)}/s)`,
    `  trades ${result.trades} agreed, ${result.tradeApplications} applications ` +
      `(${Math.round(result.trades / wallS)} trades/s, ${Math.round(result.tradeApplications / wallS)} applications/s)`,
    `  purchases: ${p.traded} traded, ${p.denied} denied by the gate, ${p.refused} refused, ` +
      `${p.rejected} proposals rejected, ${p.failed} failed`,
    `  loans: ${result.loans.created} made, ${result.loans.repaid} repaid, ${result.loans.defaulted} defaulted, ` +
      `${result.loans.refused} refused`,
    ...(result.reasons.length === 0
      ? []
      : [
          `  not traded: ${result.reasons
            .slice(0, 6)
            .map(([reason, n]) => `${n}× ${reason}`)
            .join("; ")}`,
        ]),
    `  faults: ${result.crashes} crashes, ${result.partitions} partitions, ${result.byzantineActs} byzantine acts, ` +
      `${result.network.dropped} dropped, ${result.network.duplicated} duplicated, ${result.network.cut} cut; ` +
      `${result.syncRounds} sync rounds (${result.syncReceived} trades received)`,
    `  ${result.quiescent ? "quiescent" : "NOT quiescent"}, root ${result.root?.slice(0, 16) ?? "-"}, trace ${result.traceHash.slice(0, 16)}`,
  ];
  if (result.violations.length === 0) {
    lines.push("  OK: every invariant holds");
    return lines.join("\n");
  }
  lines.push(`  FAILED: ${result.violations.length} violation(s)`);
  for (const violation of result.violations.slice(0, 10))
    lines.push(`    ${violation.invariant} at node ${violation.node}: ${violation.message}`);
  lines.push("  trace (last lines):");
  for (const line of result.traceTail.slice(-20)) lines.push(`    ${line}`);
  lines.push(`  replay: ${replayCommand(result)}`);
  return lines.join("\n");
}
