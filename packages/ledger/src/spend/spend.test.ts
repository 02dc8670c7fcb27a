/**
 * Proves the ledger's spend path on a real ledger with its own safety gate, a counterparty key signing
 * the trade it is shown: a purchase holds the worst case and pays exactly `costTrm(received, price)` by a
 * dual-signed trade (built with proto's `createTrade`, checked by `assembleSignedTrade`) and returns the
 * rest — for any amounts (property); a spender the directory does not know or refuses is denied before
 * anything is reserved, and so is any spender when there is no directory; a counterparty whose signature
 * does not verify moves nothing; the gate's denial (kill switch) reserves nothing. Priced by prompt tokens
 * (embeddings), the trade bills the input tokens and records no completion tokens.
 */
import { createManualClock, createSigner, generateSeed, isTiramiError, type Signer } from "@tirami/core";
import { signTrade, type Trade } from "@tirami/proto";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type Ledger, openLedger } from "../ledger.js";
import { OPERATOR_SPENDER } from "../safety/constants.js";
import { createSpendPath, type SpenderDirectory, type SpendPathRequest, type SpendWork } from "./spend.js";

const clock = createManualClock(1_700_000_000_000);
const me = createSigner(generateSeed());
const provider = createSigner(generateSeed());
const ledgers: Ledger[] = [];
afterEach(() => {
  for (const ledger of ledgers.splice(0)) ledger.close();
});

function open(): Ledger {
  const ledger = openLedger({ path: ":memory:", clock, localAccount: me.accountId });
  ledgers.push(ledger);
  return ledger;
}

const signing = (signer: Signer) => ({
  account: signer.accountId,
  signTrade: async (trade: Trade) => signTrade(trade, signer),
});

let counter = 0;
function order(overrides: Partial<SpendPathRequest<SpendWork>> = {}): SpendPathRequest<SpendWork> {
  counter += 1;
  return {
    spender: OPERATOR_SPENDER,
    counterparty: signing(provider),
    modelId: "m",
    priceTrmPerToken: 1,
    maxTokens: 50,
    requestId: `spend-${counter}`,
    run: async () => ({ promptTokens: 3, completionTokens: 20 }),
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isTiramiError(error)) return error.code;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("the spend path", () => {
  it("priced by prompt tokens, bills the input tokens and records no completion tokens", async () => {
    const ledger = open();
    const path = createSpendPath({ ledger, signer: me, clock });
    const outcome = await path.spend(
      order({
        pricedBy: "prompt",
        priceTrmPerToken: 0.5,
        maxTokens: 40,
        run: async () => ({ promptTokens: 13, completionTokens: 0 }),
      }),
    );
    expect(outcome.heldTrm).toBe(20);
    expect(outcome.amountTrm).toBe(7); // ceil(13 × 0.5)
    expect(outcome.signedTrade?.trade).toMatchObject({
      prompt_tokens: 13,
      completion_tokens: 0,
      amount_trm: 7,
    });
    expect(ledger.balance(me.accountId).balance_trm).toBe(1_000 - 7);
    expect(ledger.verify().ok).toBe(true); // the stored amount is the input-priced cost
    const none = await path.spend(
      order({ pricedBy: "prompt", run: async () => ({ promptTokens: 0, completionTokens: 5 }) }),
    );
    expect(none.amountTrm).toBe(0);
    expect(none.signedTrade).toBeNull();
  });

  it("pays exactly the received tokens by a dual-signed trade and returns the rest of the hold, for any amounts", async () => {
    const ledger = open();
    const path = createSpendPath({ ledger, signer: me, clock });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 3 }),
        async (maxTokens, received, price) => {
          const before = ledger.balance(me.accountId).balance_trm;
          const outcome = await path.spend(
            order({
              maxTokens,
              priceTrmPerToken: price,
              run: async () => ({ promptTokens: 1, completionTokens: received }),
            }),
          );
          const paid = Math.min(received, maxTokens) * price;
          expect(outcome.amountTrm).toBe(paid);
          expect(outcome.heldTrm).toBe(maxTokens * price);
          expect(ledger.balance(me.accountId).balance_trm).toBe(before - paid);
          expect(ledger.balance(me.accountId).reserved_trm).toBe(0);
          expect(outcome.tradeId === null).toBe(paid === 0);
        },
      ),
      { numRuns: 25 },
    );
    expect(ledger.verify().ok).toBe(true);
  });

  it("denies any spender but the operator without a directory, and what the directory refuses, before holding", async () => {
    const ledger = open();
    const used: string[] = [];
    const directory: SpenderDirectory = {
      refusal: (spender) => (spender === "frozen" ? { code: "AGENT_FROZEN", message: "frozen" } : undefined),
      recordUsage: (spender) => used.push(spender),
    };
    const bare = createSpendPath({ ledger, signer: me, clock });
    expect(await codeOf(bare.spend(order({ spender: "agent-a" })))).toBe("SPENDER_UNKNOWN");
    const withAgents = createSpendPath({ ledger, signer: me, clock, spenders: directory });
    expect(await codeOf(withAgents.spend(order({ spender: "frozen" })))).toBe("AGENT_FROZEN");
    const throwing = createSpendPath({
      ledger,
      signer: me,
      clock,
      spenders: {
        ...directory,
        refusal: () => {
          throw new Error("directory down");
        },
      },
    });
    await expect(throwing.spend(order({ spender: "agent-a" }))).rejects.toThrow("directory down");
    expect(ledger.balance(me.accountId)).toMatchObject({ balance_trm: 1_000, reserved_trm: 0 });
    await withAgents.spend(order({ spender: "agent-a" }));
    expect(used).toEqual(["agent-a"]);
  });

  it("moves nothing when the counterparty's signature does not verify, or when the gate denies", async () => {
    const ledger = open();
    const path = createSpendPath({ ledger, signer: me, clock });
    const impostor = {
      account: provider.accountId,
      signTrade: signing(createSigner(generateSeed())).signTrade,
    };
    await expect(path.spend(order({ counterparty: impostor }))).rejects.toThrow();
    ledger.safety.activateKill("test", "operator");
    expect(await codeOf(path.spend(order()))).toBe("KILL_SWITCH_ACTIVE");
    expect(ledger.balance(me.accountId)).toMatchObject({ balance_trm: 1_000, reserved_trm: 0 });
    expect(ledger.tradeCount()).toBe(0);
  });
});
