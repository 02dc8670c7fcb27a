/**
 * The risk model over the real positions (docs/bank.md; upstream's formulas in docs/upstream.md §10.1),
 * over lent positions only: every loan defaults independently with probability `pd` and loses `lgd` of
 * its principal.
 *
 * - expected loss `EL = floor(lent × pd × lgd)`;
 * - `σ = sqrt(Σ lentᵢ² × pd × (1 − pd)) × lgd`; `VaR99 = floor(EL + 2.33 σ)` (0 with nothing lent);
 * - the largest single lent position and its share of all lent (`concentration_ratio`);
 * - portfolio value `cash + lent`; a risk budget (a share of that value) passes when the value is 0 or
 *   `VaR99 / value ≤ budget`.
 *
 * IEEE-754 doubles throughout, floored once at the end, so every machine computes the same integers.
 * @module
 */
import { RISK_DEFAULT_PROBABILITY, RISK_LOSS_GIVEN_DEFAULT, RISK_Z_99 } from "./constants.js";

/** The model's parameters (upstream's defaults: 2 % default rate, 50 % loss, z = 2.33). */
export interface RiskModel {
  default_probability: number;
  loss_given_default: number;
  z_99: number;
}

export const DEFAULT_RISK_MODEL: Readonly<RiskModel> = Object.freeze({
  default_probability: RISK_DEFAULT_PROBABILITY,
  loss_given_default: RISK_LOSS_GIVEN_DEFAULT,
  z_99: RISK_Z_99,
});

/** What the model reads: cash and the lent positions, summed (exact over all of them). */
export interface RiskInput {
  cash_trm: number;
  lent_trm: number;
  /** Σ lentᵢ² (a float). */
  lent_square_sum: number;
  largest_lent_trm: number;
}

/** Upstream's `RiskAssessment`, in TRM. */
export interface RiskAssessment {
  portfolio_value_trm: number;
  expected_loss_trm: number;
  var_99_trm: number;
  largest_single_exposure_trm: number;
  /** Largest lent position ÷ all lent (0 with nothing lent). */
  concentration_ratio: number;
}

/** The sums of a list of lent positions (for tests, vectors and simulated portfolios). */
export function riskInputOf(cashTrm: number, lent: readonly number[]): RiskInput {
  return {
    cash_trm: cashTrm,
    lent_trm: lent.reduce((sum, x) => sum + x, 0),
    lent_square_sum: lent.reduce((sum, x) => sum + x * x, 0),
    largest_lent_trm: lent.reduce((max, x) => Math.max(max, x), 0),
  };
}

/** Assesses the positions with `model`. */
export function assessRisk(input: RiskInput, model: RiskModel = DEFAULT_RISK_MODEL): RiskAssessment {
  const pd = model.default_probability;
  const lgd = model.loss_given_default;
  const value = input.cash_trm + input.lent_trm;
  if (input.lent_trm <= 0)
    return {
      portfolio_value_trm: value,
      expected_loss_trm: 0,
      var_99_trm: 0,
      largest_single_exposure_trm: 0,
      concentration_ratio: 0,
    };
  const expected = Math.floor(input.lent_trm * pd * lgd);
  const sigma = Math.sqrt(input.lent_square_sum * pd * (1 - pd)) * lgd;
  return {
    portfolio_value_trm: value,
    expected_loss_trm: expected,
    var_99_trm: Math.floor(expected + model.z_99 * sigma),
    largest_single_exposure_trm: input.largest_lent_trm,
    concentration_ratio: input.largest_lent_trm / input.lent_trm,
  };
}

/** True when the portfolio is worth nothing or its VaR99 is at most `maxVarFraction` of its value. */
export function passesRiskBudget(assessment: RiskAssessment, maxVarFraction: number): boolean {
  if (assessment.portfolio_value_trm <= 0) return true;
  return assessment.var_99_trm / assessment.portfolio_value_trm <= maxVarFraction;
}
