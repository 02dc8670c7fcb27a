/**
 * `pnpm sim --seed S --nodes N --steps K [--seeds M] [--crashes C] [--partitions P] [--byzantine F] [--providers F]
 * [--loans F] [--drops F] [--provider-offers-only] [--progress] * [--no-faults]
 * [--plant leak-hold|unsigned-apply] [--quiet]`:
 * runs one seed (or M consecutive seeds from S) and prints each report; exits 1 when any run breaks an
 * invariant. `--seed` defaults to one drawn from the OS (printed, so the run can be replayed).
 * @module
 */
import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG } from "./config.js";
import { runSimulation } from "./simulation.js";
import { formatResult } from "./report.js";
import type { PlantedFault } from "./purchase.js";

const PLANTS: readonly PlantedFault[] = ["leak-hold", "unsigned-apply"];

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`--${name} expected a non-negative integer`);
  return n;
}

function fraction(value: string, name: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new RangeError(`--${name} expected a fraction from 0 to 1`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      seed: { type: "string" },
      seeds: { type: "string" },
      nodes: { type: "string" },
      steps: { type: "string" },
      crashes: { type: "string" },
      partitions: { type: "string" },
      byzantine: { type: "string" },
      providers: { type: "string" },
      loans: { type: "string" },
      drops: { type: "string" },
      progress: { type: "boolean" },
      "provider-offers-only": { type: "boolean" },
      "no-faults": { type: "boolean" },
      plant: { type: "string" },
      quiet: { type: "boolean" },
    },
  });
  const seed = integer(values.seed, "seed", randomInt(0, 2 ** 31));
  const seeds = integer(values.seeds, "seeds", 1);
  const plant = values.plant as PlantedFault | undefined;
  if (plant !== undefined && !PLANTS.includes(plant))
    throw new RangeError(`--plant expected ${PLANTS.join(" or ")}`);
  const started = performance.now();
  let failed = 0;
  let trades = 0;
  let events = 0;
  for (let s = seed; s < seed + seeds; s += 1) {
    const result = await runSimulation({
      seed: s,
      ...(values.nodes === undefined ? {} : { nodes: integer(values.nodes, "nodes", 0) }),
      ...(values.steps === undefined ? {} : { steps: integer(values.steps, "steps", 0) }),
      ...(values.crashes === undefined ? {} : { crashes: integer(values.crashes, "crashes", 0) }),
      ...(values.partitions === undefined ? {} : { partitions: integer(values.partitions, "partitions", 0) }),
      ...(values.byzantine === undefined
        ? {}
        : { byzantineFraction: fraction(values.byzantine, "byzantine") }),
      ...(values.providers === undefined
        ? {}
        : { providerFraction: fraction(values.providers, "providers") }),
      ...(values.loans === undefined ? {} : { loanRate: fraction(values.loans, "loans") }),
      ...(values.drops === undefined
        ? {}
        : { network: { ...DEFAULT_CONFIG.network, dropRate: fraction(values.drops, "drops") } }),
      ...(values.progress === true && seeds === 1
        ? { onProgress: (line: string) => console.error(line) }
        : {}),
      ...(values["provider-offers-only"] === true ? { consumerOffers: false } : {}),
      faults: values["no-faults"] !== true,
      plant,
    });
    trades += result.trades;
    events += result.events;
    const ok = result.violations.length === 0 && result.quiescent;
    if (!ok) failed += 1;
    if (!ok || values.quiet !== true) console.log(formatResult(result));
    const done = s - seed + 1;
    if (values.progress === true && seeds > 1 && done % 100 === 0)
      console.error(
        `  … ${done} of ${seeds} seeds, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(0)} s wall`,
      );
  }
  if (seeds > 1) {
    const wallS = (performance.now() - started) / 1000;
    console.log(
      `${seeds} seeds from ${seed}: ${seeds - failed} clean, ${failed} failed; ${trades} trades, ` +
        `${events} events in ${wallS.toFixed(1)} s wall`,
    );
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
