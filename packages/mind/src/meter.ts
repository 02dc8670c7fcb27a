/**
 * The run meter: every answer a cycle or benchmark asks for passes here. Before it, the run stops when
 * the kill switch is on or the caller aborted, and when the purchase's worst case (what the spend path
 * will hold) would pass the cycle's or the day's budget. The purchase itself goes through the market
 * and the ledger's spend path as the `mind` spender, so the safety gate decides it too: any refusal
 * there (kill switch, the spender's budget policy, breaker, approval) or failure (balance, provider)
 * stops the run with its code. Each paid answer is recorded with its trade id as soon as it settles.
 * @module
 */
import { isTiramiError } from "@tirami/core";
import type { Answer } from "./benchmark.js";
import { type DayUsage, type MindBudget, spendRefusal } from "./budget.js";
import { MindStop, MindStopCode } from "./errors.js";
import type { MindInference } from "./inference.js";
import type { SpendRow } from "./store.js";

export interface RunMeterOptions {
  budget: MindBudget;
  /** What the day window spent before this run. */
  day: DayUsage;
  inference: MindInference;
  /** The cycle the spends belong to (null: a standalone benchmark). */
  cycleId: number | null;
  record(spend: SpendRow): void;
  /** True while the kill switch is on (the safety gate's state). */
  killed(): boolean;
  signal?: AbortSignal | undefined;
}

/** A run's meter: its `answer` and what it has spent. */
export interface RunMeter {
  answer: Answer;
  spentTrm(): number;
}

/** Creates the meter of one run. */
export function createRunMeter(options: RunMeterOptions): RunMeter {
  let spentTrm = 0;

  function assertRunning(): void {
    if (options.killed()) throw new MindStop(MindStopCode.KILL_SWITCH_ACTIVE, "the kill switch is active");
    if (options.signal?.aborted === true) throw new MindStop(MindStopCode.ABORTED, "the run was aborted");
  }

  const answer: Answer = async (call, purpose, via) => {
    const inference = via ?? options.inference;
    assertRunning();
    let worstCaseTrm: number;
    try {
      worstCaseTrm = inference.worstCaseTrm(call);
    } catch (error) {
      if (isTiramiError(error)) throw new MindStop(error.code, error.message, error.details);
      throw error;
    }
    const refusal = spendRefusal(options.budget, {
      amountTrm: worstCaseTrm,
      cycleSpentTrm: spentTrm,
      day: options.day,
    });
    if (refusal !== null)
      throw new MindStop(
        refusal,
        `${purpose} may cost up to ${worstCaseTrm} TRM, past the ${refusal === "CYCLE_BUDGET_REACHED" ? "cycle" : "day"}'s budget`,
        {
          worst_case_trm: worstCaseTrm,
          spent_trm: spentTrm,
        },
      );
    let result;
    try {
      result = await inference.complete(call);
    } catch (error) {
      if (isTiramiError(error)) throw new MindStop(error.code, error.message, error.details);
      throw error;
    }
    if (result.amountTrm > 0 || result.tradeId !== null) {
      spentTrm += result.amountTrm;
      options.record({
        cycle_id: options.cycleId,
        purpose,
        request_id: call.requestId,
        trade_id: result.tradeId,
        amount_trm: result.amountTrm,
        model_id: call.modelId,
        provider: result.provider,
      });
    }
    assertRunning();
    return result;
  };

  return { answer, spentTrm: () => spentTrm };
}
