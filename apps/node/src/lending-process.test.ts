/**
 * Proves lending across three separate OS processes (`node dist/main.js`, each with its own home, ledger
 * file and libp2p host on 127.0.0.1): A (a provider with stories260K) offers to lend; B borrows from A over
 * the mesh, spends the TRM on an answer bought from A through the official `openai` client, and repays
 * with interest; C only watches. All three ledgers end with the same loan events, balances and root, and
 * every ledger file verifies after the daemons stop.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedger } from "@tirami/ledger";
import { testModelPath, waitFor } from "@tirami/test-kit";
import { createDaemonPool, type Daemon, freePort, getJson, openaiClient } from "../test/daemons.js";

const MODEL = "stories260K";
const pool = createDaemonPool();
const get = getJson;
const client = openaiClient;

const post = async (d: Daemon, path: string, body: unknown) => {
  const response = await fetch(`${d.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

let a: Daemon, b: Daemon, c: Daemon;

beforeAll(async () => {
  const p2pPort = await freePort();
  a = await pool.start("a", {
    TIRAMI_MODEL: testModelPath(),
    TIRAMI_CHAT_WRAPPER: "general",
    TIRAMI_P2P_PORT: String(p2pPort),
  });
  const bootstrap = `/ip4/127.0.0.1/tcp/${p2pPort}`;
  [b, c] = await Promise.all([
    pool.start("b", { TIRAMI_P2P_PORT: "0", TIRAMI_BOOTSTRAP: bootstrap }),
    pool.start("c", { TIRAMI_P2P_PORT: "0", TIRAMI_BOOTSTRAP: bootstrap }),
  ]);
  await waitFor(
    "b to see a's offer",
    async () => (await get(b, `/v1/tirami/route?model=${MODEL}`)).selected !== null,
    { timeoutMs: 20_000 },
  );
  await new Promise((r) => setTimeout(r, 1_100)); // one gossipsub heartbeat for the loan topic
}, 90_000);

afterAll(async () => {
  await pool.close();
});

describe("lending between three node processes", () => {
  let loanId = "";

  it("a offers, b borrows over the mesh, buys an answer with it and repays; all three agree", async () => {
    const offer = await post(a, "/v1/tirami/lend", {
      amount_trm: 1_000,
      max_term_hours: 48,
      min_interest_ppm_per_hour: 1_000,
    });
    expect(offer.status).toBe(200);
    await waitFor(
      "b to see a's lend offer",
      async () => ((await get(b, "/v1/tirami/pool")).total_available_trm as number) > 0,
      {
        timeoutMs: 20_000,
      },
    );
    const borrowed = await post(b, "/v1/tirami/borrow", {
      amount_trm: 15,
      term_hours: 24,
      collateral_trm: 5,
    });
    expect(borrowed.status).toBe(201);
    expect(borrowed.body).toMatchObject({
      role: "borrower",
      lender: a.account,
      status: "active",
      principal_trm: 15,
    });
    loanId = borrowed.body.loan_id as string;

    const answer = await client(b).chat.completions.create({
      model: MODEL,
      max_tokens: 16,
      temperature: 0,
      messages: [{ role: "user", content: "Once upon a time" }],
    });
    const paid = (answer as unknown as { x_tirami: { trm_cost: number; provider: string } }).x_tirami;
    expect(paid.provider).toBe(a.account);
    expect(paid.trm_cost).toBeGreaterThan(0);

    const repaid = await post(b, "/v1/tirami/repay", { loan_id: loanId });
    expect(repaid.status).toBe(200);
    expect(repaid.body.status).toBe("repaid");

    const view = async (d: Daemon) => {
      const loan = await get(d, `/v1/tirami/loans/${loanId}`);
      const network = await get(d, "/v1/tirami/network");
      return {
        status: loan.status,
        events: (loan.events as Array<Record<string, unknown>> | undefined)?.map((e) => [
          e.event_id,
          e.kind,
          e.leaf_hash,
        ]),
        root: network.merkle_root,
      };
    };
    let views: Awaited<ReturnType<typeof view>>[] = [];
    await waitFor(
      "the same repaid loan and root on all three",
      async () => {
        views = await Promise.all([a, b, c].map(view));
        return views.every((v) => v.status === "repaid" && v.root === views[0]!.root);
      },
      { timeoutMs: 20_000 },
    );
    expect(views[0]!.events).toHaveLength(2);
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  }, 60_000);

  it("every ledger file holds the same loan and balances, and verifies after the daemons stop", async () => {
    await Promise.all([a, b, c].map((d) => pool.stop(d)));
    const states = [a, b, c].map((d) => {
      const ledger = openLedger({ path: join(d.home, "ledger.db") });
      try {
        expect(ledger.verify().issues).toEqual([]);
        return {
          loan: ledger.loans.get(loanId)?.status,
          events: ledger.loans.events(loanId).map((e) => e.event_id),
          a: ledger.balance(a.account as never).balance_trm,
          b: ledger.balance(b.account as never).balance_trm,
          root: ledger.merkleRoot(),
        };
      } finally {
        ledger.close();
      }
    });
    expect(states[0]!.loan).toBe("repaid");
    expect(states[1]).toEqual(states[0]);
    expect(states[2]).toEqual(states[0]);
  }, 30_000);
});
