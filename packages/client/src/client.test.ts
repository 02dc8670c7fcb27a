/**
 * Proves how the client turns one flat input into a request: path parameters by name (encoded), the rest
 * to the query of GET/DELETE and to the JSON body of POST/PUT, the input checked against the node's schema
 * first (INVALID_INPUT names the field, nothing is sent), fields beyond the schema passed through as given.
 */
import { describe, expect, it } from "vitest";
import { requestOf } from "./client.js";
import { endpoints } from "./endpoints.js";
import { ClientErrorCode } from "./errors.js";

const hex = "ab".repeat(32);

describe("requestOf", () => {
  it("puts path parameters in the path and the rest in the query of a GET", () => {
    expect(requestOf(endpoints.trade, { trade_id: hex })).toEqual({
      method: "GET",
      path: `/v1/tirami/trades/${hex}`,
      query: {},
    });
    expect(requestOf(endpoints.trades, { limit: 5 })).toMatchObject({
      path: "/v1/tirami/trades",
      query: { limit: 5 },
    });
    expect(requestOf(endpoints.loans, { all: true })).toMatchObject({ query: { all: true } });
  });

  it("sends the rest of a POST as its JSON body, as given", () => {
    const input = {
      messages: [{ role: "user" as const, content: "Hi" }],
      x_tirami: { route: "cost" },
    };
    expect(requestOf(endpoints.chatCompletions, input)).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      body: input,
    });
    expect(requestOf(endpoints.approve, { approval_id: "a/b" })).toMatchObject({
      path: "/v1/tirami/approvals/a%2Fb/approve",
    });
    expect(requestOf(endpoints.approve, { approval_id: "x" }).body).toBeUndefined();
  });

  it("refuses input that fails the node's schema, naming the field", () => {
    const attempts: Array<[unknown, string]> = [
      [{ trade_id: "XYZ" }, "trade_id"],
      [{ limit: 1_000 }, "limit"],
    ];
    expect(() => requestOf(endpoints.trade, attempts[0]![0])).toThrow(
      expect.objectContaining({ details: { param: "trade_id" } }),
    );
    expect(() => requestOf(endpoints.trades, attempts[1]![0])).toThrow(
      expect.objectContaining({ code: ClientErrorCode.INVALID_INPUT, details: { param: "limit" } }),
    );
    expect(() => requestOf(endpoints.balance, { unexpected: 1 })).toThrow(/takes no input/);
    expect(() => requestOf(endpoints.kill, { activate: "yes" })).toThrow(/activate/);
  });
});
