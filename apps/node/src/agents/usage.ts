/**
 * Self-use metering (docs/architecture.md §2): every request a spender (the operator or an agent) makes is counted
 * with its prompt and completion tokens, and any TRM it spent on remote purchases, in node.db.
 * @module
 */
import type { Clock } from "@tirami/core";
import type { NodeDatabase } from "./db.js";

/** Totals of one spender. */
export interface Usage {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  spent_trm: number;
  last_request_ms: number | null;
}

/** The usage meter. */
export interface UsageMeter {
  /** Adds one request and its tokens (and TRM spent, 0 for self-use) to `spender`. */
  record(spender: string, entry: { promptTokens: number; completionTokens: number; spentTrm: number }): void;
  /** Totals of `spender` (zeros when it has none). */
  get(spender: string): Usage;
}

/** Builds the meter over an open node.db. */
export function createUsageMeter(db: NodeDatabase, clock: Clock): UsageMeter {
  const upsert = db.prepare(
    `INSERT INTO usage (spender, requests, prompt_tokens, completion_tokens, spent_trm, last_request_ms)
     VALUES (@spender, 1, @prompt, @completion, @spent, @now)
     ON CONFLICT (spender) DO UPDATE SET
       requests = requests + 1,
       prompt_tokens = prompt_tokens + @prompt,
       completion_tokens = completion_tokens + @completion,
       spent_trm = spent_trm + @spent,
       last_request_ms = @now`,
  );
  const select = db.prepare<[string], Usage>(
    "SELECT requests, prompt_tokens, completion_tokens, spent_trm, last_request_ms FROM usage WHERE spender = ?",
  );
  return {
    record(spender, entry) {
      upsert.run({
        spender,
        prompt: entry.promptTokens,
        completion: entry.completionTokens,
        spent: entry.spentTrm,
        now: clock.nowMs(),
      });
    },
    get(spender) {
      return (
        select.get(spender) ?? {
          requests: 0,
          prompt_tokens: 0,
          completion_tokens: 0,
          spent_trm: 0,
          last_request_ms: null,
        }
      );
    },
  };
}
