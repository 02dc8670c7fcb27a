/**
 * Proves the reference's reputation and matching numbers (docs/upstream.md §10.3) on hand-made trades and
 * candidates: no trades → 0.3; full volume at 100,000 TRM; recency halves every 24 h and is ~0 after 7 days;
 * diversity 0.1 with one counterparty; evenly spaced trades are perfectly consistent; the weights sum to 1;
 * globs match whole ids case-insensitively; matching filters on tier, price, reputation and capabilities
 * and ranks by `0.6 reputation + 0.4 price_score`, reputation first, then price.
 */
import { describe, expect, it } from "vitest";
import type { AccountId } from "@tirami/core";
import { signerFor, tradeOf } from "@tirami/test-trades";
import { REPUTATION_WEIGHTS } from "./constants.js";
import { globMatch } from "./glob.js";
import { type MatchCandidate, matchCapabilities, priceScore } from "./matching.js";
import { aggregateReputation } from "./reputation-aggregate.js";
import { tierOfModel } from "./tier.js";

const NOW_MS = 1_764_000_000_000;
const HOUR_MS = 3_600_000;
const subject = signerFor("agora-test/subject");
const others = Array.from({ length: 12 }, (_, i) => signerFor(`agora-test/other/${i}`));

describe("reputation aggregation", () => {
  it("gives an account without trades the unknown score", () => {
    expect(aggregateReputation(subject.accountId, [], NOW_MS)).toMatchObject({
      overall: 0.3,
      trade_count: 0,
    });
  });

  it("follows the reference's sub-scores", () => {
    const evenly = [0, 1, 2, 3].map((i) =>
      tradeOf({
        provider: subject,
        consumer: others[0]!,
        completionTokens: 25_000,
        timestampMs: NOW_MS - i * HOUR_MS,
        seq: i,
      }),
    );
    const score = aggregateReputation(subject.accountId, evenly, NOW_MS);
    expect(score).toMatchObject({ volume: 1, recency: 1, diversity: 0.1, consistency: 1, trade_count: 4 });
    expect(score.overall).toBeCloseTo(0.4 + 0.3 + 0.02 + 0.1, 12);
    const dayOld = aggregateReputation(subject.accountId, evenly, NOW_MS + 24 * HOUR_MS);
    expect(dayOld.recency).toBeCloseTo(0.5, 12);
    expect(aggregateReputation(subject.accountId, evenly, NOW_MS + 7 * 24 * HOUR_MS).recency).toBeLessThan(
      0.01,
    );
    const spread = others.map((other, i) =>
      tradeOf({ provider: other, consumer: subject, timestampMs: NOW_MS - i * i * 60_000, seq: 100 + i }),
    );
    const diverse = aggregateReputation(subject.accountId, spread, NOW_MS);
    expect(diverse.diversity).toBe(1);
    expect(diverse.consistency).toBeGreaterThan(0);
    expect(diverse.consistency).toBeLessThan(1);
    expect(Object.values(REPUTATION_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("counts only the account's own trades", () => {
    const foreign = tradeOf({ provider: others[1]!, consumer: others[2]!, seq: 7 });
    expect(aggregateReputation(subject.accountId, [foreign], NOW_MS).trade_count).toBe(0);
  });
});

describe("glob and tier", () => {
  it("matches whole ids with * and ?, case-insensitively", () => {
    expect(globMatch("qwen2.5-*", "Qwen2.5-0.5B-instruct")).toBe(true);
    expect(globMatch("*", "")).toBe(true);
    expect(globMatch("llama-?b", "llama-8b")).toBe(true);
    expect(globMatch("llama-?b", "llama-70b")).toBe(false);
    expect(globMatch("*70b*", "llama-3-70b-instruct")).toBe(true);
    expect(globMatch("qwen", "qwen2.5")).toBe(false);
    expect(globMatch("a*a*a*a*a*b", "a".repeat(5_000))).toBe(false);
  });

  it("infers tiers from model ids as the reference does", () => {
    expect(tierOfModel("claude-opus-4")).toBe("frontier");
    expect(tierOfModel("llama-3-70b")).toBe("large");
    expect(tierOfModel("llama-3-8b")).toBe("medium");
    expect(tierOfModel("smollm2-135m")).toBe("small");
  });
});

describe("capability matching", () => {
  const node = (i: number) => others[i]!.accountId as AccountId;
  const candidate = (i: number, price: number, extra: Partial<MatchCandidate> = {}): MatchCandidate => ({
    node: node(i),
    agent_id: `agent-${i}`,
    source: "profile",
    models: [
      { model_id: "smollm2-135m", price_trm_per_token: price, tier: "small" },
      { model_id: "llama-3-70b", price_trm_per_token: price * 8, tier: "large" },
    ],
    capabilities: ["chat"],
    endpoints: [],
    ...extra,
  });
  const reputations = new Map<AccountId, number>([
    [node(0), 0.9],
    [node(1), 0.9],
    [node(2), 0.5],
  ]);
  const reputationOf = (account: AccountId) => reputations.get(account) ?? 0.3;

  it("ranks by reputation first, then price, with the composite score", () => {
    const matches = matchCapabilities(
      [candidate(2, 1), candidate(1, 2), candidate(0, 1)],
      { model_patterns: [] },
      reputationOf,
    );
    expect(matches.map((m) => m.agent_id)).toEqual(["agent-0", "agent-1", "agent-2"]);
    expect(matches[0]).toMatchObject({ matched_model: "smollm2-135m", price_score: 0.75, reputation: 0.9 });
    expect(matches[0]!.composite_score).toBeCloseTo(0.6 * 0.9 + 0.4 * 0.75, 12);
    expect(priceScore(20, "frontier")).toBeCloseTo(0.75, 12);
    expect(priceScore(100, "small")).toBe(0);
  });

  it("filters on patterns, tier, price, reputation and capabilities", () => {
    const all = [candidate(0, 1), candidate(1, 2), candidate(2, 1, { capabilities: [] })];
    const ids = (query: Parameters<typeof matchCapabilities>[1]) =>
      matchCapabilities(all, query, reputationOf).map((m) => `${m.agent_id}:${m.matched_model}`);
    expect(ids({ model_patterns: ["*70b"] })).toEqual([
      "agent-0:llama-3-70b",
      "agent-1:llama-3-70b",
      "agent-2:llama-3-70b",
    ]);
    expect(ids({ model_patterns: ["*"], tier: "large" })).toEqual([]);
    expect(ids({ model_patterns: ["*70b"], tier: "large", max_trm_per_token: 8 })).toEqual([
      "agent-0:llama-3-70b",
      "agent-2:llama-3-70b",
    ]);
    expect(ids({ model_patterns: [], min_reputation: 0.6 })).toEqual([
      "agent-0:smollm2-135m",
      "agent-1:smollm2-135m",
    ]);
    expect(ids({ model_patterns: [], capabilities: ["chat"] })).toHaveLength(2);
    expect(ids({ model_patterns: ["gpt-*"] })).toEqual([]);
  });
});
