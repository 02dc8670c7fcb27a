/**
 * Proves the mind's spender directory: `mind` may spend; every other spender gets exactly the answer of
 * the directory it wraps (allowed, or its refusal); without one, only `mind` is known; usage passes through.
 */
import type { SpenderDirectory } from "@tirami/ledger";
import { describe, expect, it } from "vitest";
import { withMindSpender } from "./spender.js";

describe("withMindSpender", () => {
  it("adds the mind and defers every other spender to the wrapped directory", () => {
    const used: string[] = [];
    const base: SpenderDirectory = {
      refusal: (spender) => (spender === "frozen" ? { code: "AGENT_FROZEN", message: "frozen" } : undefined),
      recordUsage: (spender) => used.push(spender),
    };
    const directory = withMindSpender(base);
    expect(directory.refusal("mind")).toBeUndefined();
    expect(directory.refusal("agent-a")).toBeUndefined();
    expect(directory.refusal("frozen")).toMatchObject({ code: "AGENT_FROZEN" });
    directory.recordUsage("mind", { promptTokens: 1, completionTokens: 2, spentTrm: 3 });
    expect(used).toEqual(["mind"]);
    expect(withMindSpender().refusal("mind")).toBeUndefined();
    expect(withMindSpender().refusal("agent-a")).toMatchObject({ code: "SPENDER_UNKNOWN" });
  });
});
