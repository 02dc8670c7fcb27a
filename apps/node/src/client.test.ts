/**
 * Proves @tirami/client against real nodes: a provider serving stories260K and a consumer without a model,
 * joined over libp2p on 127.0.0.1. Every method of the client is called (the test fails if a row of the
 * endpoint table is left out): paid chat, completions, embeddings and responses through the mesh,
 * streamed and not, with the trade visible through trades/proof/settlement; lending end to end (offer,
 * borrow, repay); safety (kill switch denies a paid chat, an agent's approval is approved, another
 * denied); agents' life cycle. Errors arrive typed with the node's codes (401, 403 operator-only, 404),
 * invalid input is refused before anything is sent, an aborted stream releases its hold, and a timeout is
 * a TIMEOUT.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientErrorCode,
  createTiramiClient,
  type EndpointName,
  endpoints,
  type TiramiClient,
  TiramiApiError,
  TiramiClientError,
} from "@tirami/client";
import { isTradeId } from "@tirami/proto";
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../test/fixture.js";

const MODEL = "stories260K";
const started: TestNode[] = [];
let provider: TestNode, consumer: TestNode;
let providerUrl: string, consumerUrl: string;
const called = new Set<EndpointName>();

/** A client whose calls are recorded in `called`. */
function tracked(client: TiramiClient): TiramiClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (typeof property === "string" && property in endpoints) called.add(property as EndpointName);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

async function meshNode(options: {
  model?: boolean;
  bootstrap?: string[];
}): Promise<{ t: TestNode; url: string }> {
  const t = await createTestNode({
    model: options.model === true,
    flags: {
      p2p_port: 0,
      offer_interval_ms: 1_000,
      bootstrap: options.bootstrap ?? [],
      rate_limit_per_minute: 10_000,
    },
  });
  started.push(t);
  const { url } = await t.node.start();
  return { t, url };
}

async function apiError(promise: Promise<unknown>): Promise<TiramiApiError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TiramiApiError);
  return error as TiramiApiError;
}

let p: TiramiClient, c: TiramiClient;
const ask = {
  model: MODEL,
  max_tokens: 8,
  temperature: 0,
  messages: [{ role: "user" as const, content: "Once upon a time" }],
};

beforeAll(async () => {
  ({ t: provider, url: providerUrl } = await meshNode({ model: true }));
  const providerAddress = provider.node.mesh?.host.multiaddrs()[0] as string;
  ({ t: consumer, url: consumerUrl } = await meshNode({ bootstrap: [providerAddress] }));
  p = tracked(createTiramiClient({ baseUrl: providerUrl, token: provider.token }));
  c = tracked(createTiramiClient({ baseUrl: consumerUrl, token: consumer.token }));
  await waitFor("the consumer to route to the provider", async () => (await c.providers()).count > 0, {
    timeoutMs: 30_000,
  });
}, 120_000);

afterAll(async () => {
  for (const t of started.reverse()) await t.close();
});

describe("@tirami/client against a two-node mesh", () => {
  it("answers probes, models and the OpenAI routes, paid through the mesh", async () => {
    expect(await c.health()).toEqual({ status: "ok", model_loaded: false });
    expect((await c.ready()).status).toBe("ready");
    expect(await c.metrics()).toContain("tirami_");
    expect((await c.models()).data.map((model) => model.id)).toContain(MODEL);
    expect((await p.model({ model: MODEL })).id).toBe(MODEL);

    const chat = await c.chatCompletions(ask);
    expect(chat.object).toBe("chat.completion");
    expect(chat.x_tirami.provider).toBe(provider.node.account);
    expect(chat.x_tirami.trm_cost).toBeGreaterThan(0);
    expect(chat.x_tirami.trade_id).toSatisfy(isTradeId);

    const chunks = [];
    for await (const chunk of c.streamChatCompletions(ask)) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text.length).toBeGreaterThan(0);
    expect(chunks.at(-1)?.x_tirami?.trade_id).toSatisfy(isTradeId);

    const completion = await c.completions({
      model: MODEL,
      prompt: "Once upon a time",
      max_tokens: 8,
      temperature: 0,
    });
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    let streamed = "";
    for await (const chunk of c.streamCompletions({
      model: MODEL,
      prompt: "Lily",
      max_tokens: 8,
      temperature: 0,
    }))
      streamed += chunk.choices[0]?.text ?? "";
    expect(streamed.length).toBeGreaterThan(0);

    const embedded = await c.embeddings({ model: MODEL, input: ["a cat", "a dog"] });
    expect(embedded.data).toHaveLength(2);
    expect(embedded.x_tirami.trade_id).toSatisfy(isTradeId);

    const response = await c.createResponse({
      model: MODEL,
      input: "Once upon a time",
      max_output_tokens: 8,
    });
    expect((await c.getResponse({ id: response.id })).id).toBe(response.id);
    await c.deleteResponse({ id: response.id });
    expect((await apiError(c.getResponse({ id: response.id }))).status).toBe(404);
    const events = [];
    for await (const event of c.streamResponse({ model: MODEL, input: "Lily", max_output_tokens: 8 }))
      events.push(event.type);
    // max_output_tokens cuts the story short: the stream ends with `response.incomplete`.
    expect(events.at(-1)).toMatch(/^response\.(completed|incomplete)$/);
  }, 120_000);

  it("reads the economy: the paid trades, their proofs, the statement and the mesh", async () => {
    const { trades } = await c.trades({ limit: 10 });
    expect(trades.length).toBeGreaterThanOrEqual(4);
    const newest = trades[0]!;
    expect(await c.trade({ trade_id: newest.trade_id })).toEqual(newest);
    const proof = await c.proof({ trade_id: newest.trade_id });
    const network = await c.network();
    expect(proof.root).toBe(network.merkle_root);
    const statement = await c.settlement({ hours: 1 });
    expect(statement.trade_count).toBe(network.total_trades);
    expect((await c.balance()).effective_balance_trm).toBeLessThan((await p.balance()).effective_balance_trm);
    expect((await c.pricing()).price_trm_per_token).toBeGreaterThan(0);
    expect((await c.route({ model: MODEL })).selected?.provider).toBe(provider.node.account);
    expect((await c.peers()).count).toBe(1);
    expect(await c.mesh()).toMatchObject({ peers_connected: 1 });
    expect(await p.unsettled()).toMatchObject({ count: 0 });
    expect(await p.forgive({ account: consumer.node.account })).toMatchObject({ forgiven: false });
    expect(await p.topology({ model: MODEL })).toMatchObject({ model: expect.anything() });
  });

  it("lends and borrows: an offer on the provider, a loan to the consumer, its repayment", async () => {
    await p.lend({ amount_trm: 500, max_term_hours: 24, min_interest_ppm_per_hour: 1_000 });
    await waitFor(
      "the consumer to see the offer",
      async () => ((await c.pool()).total_available_trm as number) > 0,
      {
        timeoutMs: 20_000,
      },
    );
    const loan = await c.borrow({ amount_trm: 5, term_hours: 2, collateral_trm: 5 });
    expect(loan).toMatchObject({ role: "borrower", lender: provider.node.account, status: "active" });
    expect((await c.loans({ status: "active" })).loans.map((row) => row.loan_id)).toContain(loan.loan_id);
    expect(await c.credit()).toMatchObject({ node_id: consumer.node.account });
    const repaid = await c.repay({ loan_id: loan.loan_id });
    expect(repaid.status).toBe("repaid");
    expect((await c.loan({ id: loan.loan_id })).events.length).toBe(2);
    const lent = await p.lendTo({
      borrower: consumer.node.account,
      amount_trm: 5,
      term_hours: 1,
      collateral_trm: 2,
    });
    expect(lent).toMatchObject({ role: "lender", borrower: consumer.node.account });
  }, 60_000);

  it("runs the safety gate: kill switch, policies, agents and approvals", async () => {
    expect((await c.kill({ activate: true, reason: "client test" })).kill_switch.active).toBe(true);
    const denied = await apiError(c.chatCompletions(ask));
    expect({ status: denied.status, code: denied.code }).toEqual({ status: 403, code: "KILL_SWITCH_ACTIVE" });
    expect((await c.safety()).kill_switch.active).toBe(true);
    expect((await c.kill({ activate: false })).kill_switch.active).toBe(false);

    const created = await c.createAgent({ name: "careful", policy: { approval_threshold_trm: 1 } });
    expect(created.token.length).toBeGreaterThan(20);
    expect((await c.agents()).agents.map((agent) => agent.name)).toContain("careful");
    expect(await c.agent({ name: "careful" })).toMatchObject({ name: "careful" });
    expect((await c.policy({ spender: "careful" })).policy.approval_threshold_trm).toBe(1);
    expect((await c.setPolicy({ spender: "careful", hourly_max_trm: 10_000 })).policy.hourly_max_trm).toBe(
      10_000,
    );

    const careful = tracked(createTiramiClient({ baseUrl: consumerUrl, token: created.token }));
    const asks = async (requestId: string) =>
      apiError(careful.chatCompletions({ ...ask, x_tirami: { request_id: requestId } } as typeof ask));
    const first = await asks("careful-1");
    expect({ status: first.status, code: first.code }).toEqual({ status: 403, code: "APPROVAL_REQUIRED" });
    const approvalId = (first.body.details as { approval_id: string }).approval_id;
    expect((await careful.approvals({ status: "pending" })).approvals.map((a) => a.approval_id)).toEqual([
      approvalId,
    ]);
    expect((await c.approve({ approval_id: approvalId })).approval.status).toBe("approved");
    const paid = await careful.chatCompletions({
      ...ask,
      x_tirami: { request_id: "careful-1", approval_id: approvalId },
    } as typeof ask);
    expect(paid.x_tirami.trade_id).toSatisfy(isTradeId);

    const second = await asks("careful-2");
    const secondId = (second.body.details as { approval_id: string }).approval_id;
    expect((await c.deny({ approval_id: secondId })).approval.status).toBe("denied");

    // An agent is refused operator routes by the API itself.
    const refused = await apiError(careful.kill({ activate: true }));
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 403, code: "OPERATOR_ONLY" });

    expect((await c.freezeAgent({ name: "careful" })).agent.status).toBe("frozen");
    expect((await apiError(careful.balance())).status).toBe(403);
    expect((await c.unfreezeAgent({ name: "careful" })).agent.status).toBe("active");
    expect((await c.revokeAgent({ name: "careful" })).agent.status).toBe("revoked");
    expect((await apiError(careful.balance())).status).toBe(401);
  }, 60_000);

  it("fails typed: a wrong token, an unknown trade, input refused before sending", async () => {
    const stranger = createTiramiClient({ baseUrl: consumerUrl, token: "not-a-token" });
    const unauthorized = await apiError(stranger.balance());
    expect(unauthorized.status).toBe(401);
    expect((await apiError(c.trade({ trade_id: "0".repeat(64) }))).status).toBe(404);

    const trades = consumer.node.ledger.tradeCount();
    const invalid = await c.chatCompletions({ ...ask, messages: [] }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(TiramiClientError);
    expect(invalid).toMatchObject({ code: ClientErrorCode.INVALID_INPUT, details: { param: "messages" } });
    expect(consumer.node.ledger.tradeCount()).toBe(trades);
  });

  it("aborts a stream (the hold is released) and times out", async () => {
    // Loans' collateral holds stay; the purchase's own hold must go.
    const reserved = () => consumer.node.ledger.balance(consumer.node.account).reserved_trm;
    const before = reserved();
    const controller = new AbortController();
    const stream = c.streamChatCompletions({ ...ask, max_tokens: 400 }, { signal: controller.signal });
    const error = await (async () => {
      for await (const _chunk of stream) controller.abort();
    })().catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: ClientErrorCode.ABORTED });
    await waitFor("the consumer's hold to be released", () => reserved() === before);

    const slow = createTiramiClient({ baseUrl: consumerUrl, token: consumer.token, timeoutMs: 1 });
    expect(
      await slow.chatCompletions({ ...ask, max_tokens: 400 }).catch((thrown: unknown) => thrown),
    ).toMatchObject({
      code: ClientErrorCode.TIMEOUT,
    });
  }, 60_000);

  it("streams the trades this node applies, as they are applied", async () => {
    const events = c.streamTrades();
    expect((await events.next()).value).toMatchObject({ event: "ready", data: { mesh: true } });
    const bought = await c.chatCompletions(ask);
    let seen: unknown;
    for await (const event of events)
      if (event.event === "trade" && event.data.trade_id === bought.x_tirami.trade_id) {
        seen = event.data;
        break;
      }
    expect(seen).toMatchObject({ proof_path: `/v1/tirami/proof/${bought.x_tirami.trade_id}` });
  });

  it("drives the mind on the provider's own model: init, bench, a kept cycle, its versions and diff", async () => {
    expect(
      await p.mindInit({ system_prompt: "You are a helpful assistant.", budget: { max_trm_per_cycle: 100 } }),
    ).toMatchObject({ harness_version: 1 });
    expect(await p.setMindBudget({ max_cycles_per_day: 10 })).toBeTruthy();
    expect(JSON.stringify(await p.mindBudget())).toContain('"max_cycles_per_day":10');
    expect(await p.setMindOptimiser({ optimiser: { kind: "rewrite" } })).toMatchObject({ ok: true });
    expect(await p.mindBench({})).toBeTruthy();
    const improved = await p.mindImprove({ n_cycles: 1 }, { timeoutMs: 120_000 });
    expect(improved).toMatchObject({ harness_version: 2 });
    const { cycles } = (await p.mindCycles({ limit: 5 })) as { cycles: Array<{ cycle_id: number }> };
    expect(await p.mindCycle({ id: cycles[0]!.cycle_id })).toMatchObject({ cycle_id: cycles[0]!.cycle_id });
    expect(await p.mindState()).toMatchObject({ harness_version: 2 });
    expect(await p.mindStats()).toBeTruthy();
    expect(await p.mindHarness()).toMatchObject({ version: 2, parent_version: 1 });
    expect(((await p.mindVersions({ limit: 10 })) as { versions: unknown[] }).versions).toHaveLength(2);
    expect(await p.mindVersion({ version: 1 })).toMatchObject({ version: 1 });
    expect(await p.mindDiff({ version: 2 })).toMatchObject({ from: 1, to: 2 });
  }, 120_000);

  it("runs the bank: portfolio from the ledger, a dry tick, risk, decisions, insurance and futures", async () => {
    expect(await p.bankPortfolio()).toBeTruthy();
    expect(await p.bankPool()).toBeTruthy();
    expect(await p.setBankStrategy({ strategy: "conservative" })).toBeTruthy();
    expect(JSON.stringify(await p.bankStrategy())).toContain("conservative");
    expect(await p.setBankRisk({ tolerance: "balanced" })).toBeTruthy();
    expect(await p.bankRiskAssessment()).toBeTruthy();
    expect(await p.bankTick({ dry_run: true })).toBeTruthy();
    expect(await p.bankOptimize({ max_var_99_trm: 0, dry_run: true })).toBeTruthy();
    expect(await p.bankDecisions({ limit: 5 })).toBeTruthy();
    expect(await p.bankInsurance()).toBeTruthy();
    // Insuring the loan lent to the consumer with the consumer itself as insurer: whatever the desks decide,
    // the answer is a policy or a typed refusal, never an untyped failure.
    const { loans } = await p.loans({ status: "active" });
    const insured = await p
      .insureLoan({ loan_id: loans[0]!.loan_id, insurer: consumer.node.account, coverage_trm: 1 })
      .catch((error: unknown) => error);
    if (insured instanceof TiramiApiError) expect([400, 403, 409]).toContain(insured.status);
    else expect(JSON.stringify(insured)).toContain(loans[0]!.loan_id);
    expect(await p.bankFutures()).toBeTruthy();
    const opened = await p
      .openFuture({
        counterparty: consumer.node.account,
        notional_tokens: 100,
        strike_micro_trm_per_token: 1_000_000,
        margin_trm: 5,
        expires_ms: Date.now() + 3_600_000,
      })
      .catch((error: unknown) => error);
    expect(
      opened instanceof TiramiApiError || (opened as { future_id?: string }).future_id !== undefined,
    ).toBe(true);
    expect(await p.settleFutures()).toBeTruthy();
  }, 60_000);

  it("uses the agora: a registered agent reaches the other node, find, reputation, Nostr, a paid A2A task", async () => {
    await p.agoraRegister({ agent_id: "writer", models: [MODEL], price_trm_per_token: 1, tier: "small" });
    await waitFor("the consumer to learn the provider's agent", async () =>
      JSON.stringify(await c.agoraAgents()).includes('"writer"'),
    );
    expect(JSON.stringify(await c.agoraFind({ model_patterns: ["stories*"] }))).toContain("writer");
    expect(await c.agoraReputation({ account: provider.node.account })).toBeTruthy();
    expect(await c.collusion({ account: provider.node.account })).toBeTruthy();
    expect(await c.agoraStats()).toBeTruthy();
    expect(await c.agoraSnapshot()).toBeTruthy();
    expect(await p.agoraNostr()).toBeTruthy();
    expect(await p.agoraNostrPublish({ dry_run: true })).toBeTruthy();
    const trades = consumer.node.ledger.tradeCount();
    const task = await c.agoraTask({ url: providerUrl, prompt: "Once upon a time", max_tokens: 8 });
    expect(task).toBeTruthy();
    expect(consumer.node.ledger.tradeCount()).toBe(trades + 1);
    expect(await p.agoraWithdraw({ agent_id: "writer" })).toBeTruthy();
  }, 60_000);

  it("answers the Lightning routes: quotes, positions, anchors; without a wallet, pay and receive are 409", async () => {
    expect(await c.wallet()).toBeTruthy();
    expect(await c.invoiceQuote({ trm: 1_000 })).toBeTruthy();
    expect(await c.settlementPositions({ hours: 1 })).toBeTruthy();
    const hourAgo = Date.now() - 3_600_000;
    for (const refused of [
      () => c.walletBalance(),
      () => c.paySettlement({ window_start_ms: hourAgo, window_end_ms: Date.now() }),
      () => c.deposit({ seller: provider.node.account, amount_trm: 10 }),
    ]) {
      const error = await apiError(refused());
      expect({ status: error.status, code: error.code }).toEqual({ status: 409, code: "NO_WALLET" });
    }
    expect(await c.exchanges()).toBeTruthy();
    expect(await c.lightningPayments({ limit: 10 })).toBeTruthy();
    const window = `${hourAgo}-${Date.now()}`;
    expect(JSON.stringify(await c.anchor({ window, network: "regtest" }))).toMatch(/psbt/i);
    const [startMs, endMs] = window.split("-").map(Number) as [number, number];
    const reported = await c
      .reportAnchorTxid({
        window_start_ms: startMs,
        window_end_ms: endMs,
        network: "regtest",
        txid: "ab".repeat(32),
      })
      .catch((error: unknown) => error);
    expect(reported instanceof TiramiApiError ? reported.status : 200).toBeLessThan(500);
    expect(await c.anchors()).toBeTruthy();
    // A wallet whose node cannot be reached: connected or refused, the answer is typed; then disconnected.
    const connected = await c
      .connectWallet({ lnd: { rest_url: "https://127.0.0.1:9", macaroon_hex: "00" } })
      .catch((error: unknown) => error);
    expect(connected instanceof TiramiApiError ? connected.status : 200).toBeLessThan(600);
    expect(await c.disconnectWallet()).toBeTruthy();
  }, 60_000);

  it("has called every method of the client", () => {
    expect((Object.keys(endpoints) as EndpointName[]).filter((name) => !called.has(name))).toEqual([]);
  });
});
