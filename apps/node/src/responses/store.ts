/**
 * Stored Responses API answers (`store: true`, the default) in node.db: the response object as returned
 * and the conversation it ends (its input, earlier turns included, and its output as chat turns), so a
 * later request can continue it with `previous_response_id`. Each belongs to the principal that made it:
 * another principal's id reads as not found. Bounded per principal: the oldest go first.
 * @module
 */
import type { Clock } from "@tirami/core";
import type { NodeDatabase } from "../agents/db.js";
import type { ChatMessageParam } from "./to-chat.js";

/** Most stored responses per principal; storing one more deletes the oldest. */
export const STORED_RESPONSES_PER_SPENDER_MAX = 10_000;

/** One stored response. */
export interface StoredResponse {
  response: Record<string, unknown>;
  /** The conversation up to and including this response's output. */
  history: ChatMessageParam[];
}

/** The store. */
export interface ResponseStore {
  put(spender: string, id: string, stored: StoredResponse): void;
  /** The response `id` of `spender`, or undefined (also for another principal's). */
  get(spender: string, id: string): StoredResponse | undefined;
  /** Deletes the response `id` of `spender`; false when there is none. */
  delete(spender: string, id: string): boolean;
}

/** Opens the store on node.db. */
export function createResponseStore(db: NodeDatabase, clock: Clock): ResponseStore {
  const insert = db.prepare(
    "INSERT INTO responses (id, spender, created_ms, response, history) VALUES (?, ?, ?, ?, ?)",
  );
  const prune = db.prepare(
    `DELETE FROM responses WHERE spender = ? AND id NOT IN
       (SELECT id FROM responses WHERE spender = ? ORDER BY created_ms DESC, id DESC LIMIT ?)`,
  );
  const select = db.prepare("SELECT response, history FROM responses WHERE id = ? AND spender = ?");
  const remove = db.prepare("DELETE FROM responses WHERE id = ? AND spender = ?");
  const put = db.transaction((spender: string, id: string, stored: StoredResponse) => {
    insert.run(id, spender, clock.nowMs(), JSON.stringify(stored.response), JSON.stringify(stored.history));
    prune.run(spender, spender, STORED_RESPONSES_PER_SPENDER_MAX);
  });
  return {
    put: (spender, id, stored) => put.immediate(spender, id, stored),
    get(spender, id) {
      const row = select.get(id, spender) as { response: string; history: string } | undefined;
      if (row === undefined) return undefined;
      return {
        response: JSON.parse(row.response) as Record<string, unknown>,
        history: JSON.parse(row.history) as ChatMessageParam[],
      };
    },
    delete: (spender, id) => remove.run(id, spender).changes > 0,
  };
}
