/**
 * Proves the bank's formulas match the published vectors (`vectors/bank-v1.json`, an independent
 * transcription of docs/bank.md's formulas): every strategy's decisions (action, amount, confidence),
 * the risk model's assessment and risk-budget verdicts, and the insurance premium.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { premiumTrm } from "./premium.js";
import { assessRisk, passesRiskBudget, riskInputOf } from "./risk.js";
import { decide, parseStrategy } from "./strategy.js";
import type { PoolSnapshot, RiskTolerance } from "./types.js";

interface Vectors {
  strategies: {
    name: string;
    strategy: unknown;
    holdings: { cash_trm: number; lent_trm: number };
    pool: PoolSnapshot;
    tolerance: RiskTolerance;
    decisions: { action: string; amount_trm: number; confidence: number }[];
  }[];
  risk: {
    name: string;
    cash_trm: number;
    lent_trm: number[];
    assessment: Record<string, number>;
    budgets: { max_var_fraction: number; passes: boolean }[];
  }[];
  premium: { coverage_trm: number; credit: number; premium_trm: number }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("../vectors/bank-v1.json", import.meta.url), "utf8"),
) as Vectors;

describe("bank vectors v1", () => {
  it.each(vectors.strategies.map((v) => [v.name, v] as const))("strategy: %s", (_name, v) => {
    const decisions = decide(parseStrategy(v.strategy), v.holdings, v.pool, v.tolerance);
    expect(
      decisions.map(({ action, amount_trm, confidence }) => ({ action, amount_trm, confidence })),
    ).toEqual(v.decisions);
    for (const d of decisions) expect(d.rationale.length).toBeGreaterThan(0);
  });

  it.each(vectors.risk.map((v) => [v.name, v] as const))("risk: %s", (_name, v) => {
    const assessment = assessRisk(riskInputOf(v.cash_trm, v.lent_trm));
    expect(assessment).toEqual(v.assessment);
    for (const b of v.budgets) expect(passesRiskBudget(assessment, b.max_var_fraction)).toBe(b.passes);
  });

  it("premium", () => {
    for (const v of vectors.premium)
      expect(premiumTrm(v.coverage_trm, v.credit), JSON.stringify(v)).toBe(v.premium_trm);
    expect(() => premiumTrm(100, 1.5)).toThrow(RangeError);
    expect(() => premiumTrm(-1, 0.5)).toThrow();
  });
});
