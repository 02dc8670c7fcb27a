/**
 * Proves the record of who paid for each purchase stays bounded: past its size the oldest trade is
 * forgotten first, a trade noted again counts as new, and a bad bound is refused.
 */
import { expect, it } from "vitest";
import { createTradeOwners } from "./trade-owners.js";

it("forgets the oldest trade past its bound", () => {
  const owners = createTradeOwners(2);
  owners.note("a", "bot");
  owners.note("b", "operator");
  owners.note("a", "bot");
  owners.note("c", "other");
  expect(owners.ownerOf("b")).toBeUndefined();
  expect([owners.ownerOf("a"), owners.ownerOf("c")]).toEqual(["bot", "other"]);
  expect(() => createTradeOwners(0)).toThrow(RangeError);
});
