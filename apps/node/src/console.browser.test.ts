/**
 * Proves the web console end to end in a real browser (Debian's Chromium driven by playwright-core) on
 * two real nodes joined over libp2p on 127.0.0.1: a provider serving stories260K and a consumer without a
 * model whose console is opened. A wrong token fails with a clear alert; the operator signs in and sees
 * the balance; a chat sent from the console is bought from the provider and its trade appears live in a
 * second tab's trade list; an agent is created with a budget and its token is shown once; the agent's
 * token is refused operator actions by the API itself and signs in to a reduced view; the agent's paid
 * chat waits for approval, the operator approves it in the console and the agent's retry is paid; an
 * agent's budget is set from the safety view; another agent is frozen and revoked; the kill switch is
 * tripped (after a confirm step) and a paid chat is denied, then reset; every control has a label and no
 * page logs an error (a CSP violation would). Screenshots at 1280 and 390 px wide land in
 * apps/node/.screenshots (gitignored). Chromium missing is a failure, not a skip.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@tirami/test-kit";
import { createTestNode, type TestNode } from "../test/fixture.js";

/** Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it). */
const CHROMIUM = process.env["TIRAMI_CHROMIUM"] ?? "/usr/bin/chromium";
const MODEL = "stories260K";
const WIDTHS = [1280, 390] as const;
/** Bound on each browser wait (ms): generous for a 2-core CI machine, far under the test timeout. */
const UI_TIMEOUT_MS = 20_000;
const SCREENSHOTS = join(fileURLToPath(new URL("..", import.meta.url)), ".screenshots");

const started: TestNode[] = [];
let provider: TestNode, consumer: TestNode;
let url: string;
let browser: Browser;
let operator: Page;
let agentToken = "";
/** Console errors and uncaught exceptions of every page (a CSP violation is one), besides HTTP refusals. */
const pageErrors: string[] = [];

async function newPage(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: width > 600 ? 900 : 844 } });
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      pageErrors.push(message.text());
  });
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  return page;
}

/** Every form control on the page has a label (its accessible name comes from a <label>). */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.$$eval("input, select, textarea", (controls) =>
    controls
      .filter(
        (control) =>
          // Runs in the page; typed structurally because the node's tsconfig has no DOM lib.
          (control as unknown as { labels: { length: number } | null }).labels?.length === 0 &&
          !control.getAttribute("aria-label"),
      )
      .map((control) => control.outerHTML),
  );
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 900 });
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("Token", { exact: true }).fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function go(page: Page, view: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Views" })
    .getByRole("link", { name: view, exact: true })
    .click();
}

/** Sends a chat from the console's chat view and returns the answer's article or the error alert. */
async function chat(page: Page, prompt: string): Promise<void> {
  await go(page, "Chat");
  await expect
    .poll(() => page.locator("#chat-model option").allTextContents(), { timeout: UI_TIMEOUT_MS })
    .toContain(MODEL);
  await page.getByLabel("Model", { exact: true }).selectOption(MODEL);
  await page.getByLabel("Message", { exact: true }).fill(prompt);
  await page.getByRole("button", { name: "Send" }).click();
}

async function api(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  // Fail, never skip: the acceptance of the console is this test.
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set TIRAMI_CHROMIUM)`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  provider = await createTestNode({
    model: true,
    flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [] },
  });
  started.push(provider);
  await provider.node.start();
  const boot = provider.node.mesh?.host.multiaddrs()[0] as string;
  consumer = await createTestNode({ flags: { p2p_port: 0, offer_interval_ms: 1_000, bootstrap: [boot] } });
  started.push(consumer);
  ({ url } = await consumer.node.start());
  await waitFor(
    "the consumer to route to the provider",
    () => (consumer.node.mesh?.route(MODEL, "balanced").length ?? 0) > 0,
    {
      timeoutMs: 30_000,
    },
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  operator = await newPage(WIDTHS[0]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const t of started.reverse()) await t.close();
}, 60_000);

describe("the console in Chromium", { timeout: 90_000 }, () => {
  it("refuses a wrong token with a clear message", async () => {
    await signIn(operator, "not-the-token");
    const alert = operator.getByRole("alert");
    await alert.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await alert.textContent()).toMatch(
      /Sign-in failed: the node refused this token \(401 INVALID_TOKEN/,
    );
    expect(operator.url()).not.toContain("not-the-token");
    await shoot(operator, "01-wrong-token");
  });

  it("signs the operator in with the keyboard alone and shows the balance", async () => {
    await operator.goto(url);
    // The token field has focus on load; typing and Enter sign in.
    await operator.keyboard.type(consumer.token);
    await operator.keyboard.press("Enter");
    await operator.locator("#who").getByText("operator").waitFor({ timeout: UI_TIMEOUT_MS });
    const balance = operator.getByRole("definition").first();
    await expect.poll(() => balance.textContent(), { timeout: UI_TIMEOUT_MS }).toBe("1,000 TRM");
    expect(operator.url()).not.toContain(consumer.token);
    await shoot(operator, "02-overview");
  });

  it("chats through the mesh and the trade appears live in another tab", async () => {
    const watcher = await newPage(WIDTHS[1]);
    await signIn(watcher, consumer.token);
    await go(watcher, "Trades");
    await watcher.getByText("Live: new trades appear").waitFor({ timeout: UI_TIMEOUT_MS });

    await chat(operator, "Once upon a time");
    const answer = operator.locator(".chat-answer").first();
    await answer.waitFor({ timeout: 60_000 });
    const tradeId = (await answer.getAttribute("data-trade-id")) as string;
    expect(tradeId).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(await answer.getAttribute("data-cost-trm"))).toBeGreaterThan(0);
    expect(await answer.textContent()).toMatch(/cost \d+ TRM · trade/);

    const live = watcher.locator(`ol.trades li[data-trade-id="${tradeId}"]`);
    await live.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await live.textContent()).toContain("bought");
    await live.getByRole("button", { name: /inclusion proof/ }).click();
    await live.locator("pre").getByText(tradeId).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot(operator, "03-chat");
    await shoot(watcher, "04-trades-live");
    await watcher.close();
  });

  it("creates an agent with a budget and shows its token once", async () => {
    await go(operator, "Agents");
    await operator.getByLabel("Name (a–z, 0–9, _ and -)").fill("bot");
    await operator.getByLabel("Hourly max (TRM)").fill("500");
    await operator.getByLabel("Approval above (TRM, empty = default)").fill("1");
    await operator.getByRole("button", { name: "Create agent" }).click();
    const token = operator.locator("#agent-token");
    await token.waitFor({ timeout: UI_TIMEOUT_MS });
    agentToken = ((await token.textContent()) as string).trim();
    expect(agentToken.length).toBeGreaterThan(20);
    await operator.getByRole("cell", { name: "bot", exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(consumer.node.safety.getPolicy("bot")).toMatchObject({
      hourly_max_trm: 500,
      approval_threshold_trm: 1,
    });
    await shoot(operator, "05-agent-created");
    await go(operator, "Overview");
    await go(operator, "Agents");
    await operator.getByRole("cell", { name: "bot", exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await operator.locator("#agent-token").count()).toBe(0);
    expect(await unlabelledControls(operator)).toEqual([]);
  });

  it("freezes and revokes an agent, the API refusing its token accordingly", async () => {
    await operator.getByLabel("Name (a–z, 0–9, _ and -)").fill("temp");
    await operator.getByRole("button", { name: "Create agent" }).click();
    await operator.locator("#agent-token").waitFor({ timeout: UI_TIMEOUT_MS });
    const tempToken = ((await operator.locator("#agent-token").textContent()) as string).trim();
    await operator.getByRole("button", { name: "I stored it: hide" }).click();
    await operator.getByRole("button", { name: "Freeze temp" }).click();
    await operator.getByRole("button", { name: "Unfreeze temp" }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect((await api("GET", "/v1/tirami/balance", tempToken)).body["error"].code).toBe("AGENT_FROZEN");
    await operator.getByRole("button", { name: "Revoke temp…" }).click();
    await operator.getByRole("button", { name: "Confirm revoke temp" }).click();
    await operator
      .getByRole("row", { name: /temp/ })
      .getByText("revoked")
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect((await api("GET", "/v1/tirami/balance", tempToken)).status).toBe(401);
  });

  it("refuses the agent's token operator actions in the API and gives it its own view", async () => {
    for (const [method, path, body] of [
      ["POST", "/v1/tirami/kill", { activate: true, reason: "agent" }],
      ["POST", "/v1/tirami/agents", { name: "sneaky" }],
      ["GET", "/v1/tirami/agents", undefined],
      ["PUT", "/v1/tirami/policy", { spender: "bot", approval_threshold_trm: null }],
    ] as const) {
      const refused = await api(method, path, agentToken, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body["error"].code).toBe("OPERATOR_ONLY");
    }
    expect(consumer.node.safety.killSwitch().active).toBe(false);
    const agentPage = await newPage(WIDTHS[1]);
    await signIn(agentPage, agentToken);
    await agentPage.locator("#who").getByText('agent "bot"').waitFor({ timeout: UI_TIMEOUT_MS });
    const links = await agentPage
      .getByRole("navigation", { name: "Views" })
      .getByRole("link")
      .allTextContents();
    expect(links).not.toContain("Agents");
    await go(agentPage, "Safety");
    await agentPage.locator("#kill-state").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await agentPage.getByRole("button", { name: /kill switch/ }).count()).toBe(0);
    await shoot(agentPage, "06-agent-view");
    await agentPage.close();
  });

  it("holds the agent's paid chat for approval until the operator approves it", async () => {
    const agentPage = await newPage(WIDTHS[0]);
    await signIn(agentPage, agentToken);
    await agentPage.locator("#who").getByText('agent "bot"').waitFor({ timeout: UI_TIMEOUT_MS });
    await chat(agentPage, "The little dog");
    const pending = agentPage.getByRole("alert");
    await pending.getByText("APPROVAL_REQUIRED").waitFor({ timeout: 60_000 });

    await go(operator, "Approvals");
    const approve = operator.getByRole("button", { name: /^Approve \d+ TRM for bot$/ });
    await approve.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await operator.locator("[data-deadline-ms]").first().textContent()).toMatch(/left$/);
    await shoot(operator, "07-approval-pending");
    await approve.click();
    await operator.getByRole("cell", { name: "approved" }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(consumer.node.safety.listApprovals({ spender: "bot" })[0]?.status).toBe("approved");

    await agentPage.getByRole("button", { name: "Retry with the approval" }).click();
    const answer = agentPage.locator(".chat-answer").first();
    await answer.waitFor({ timeout: 60_000 });
    const tradeId = (await answer.getAttribute("data-trade-id")) as string;
    expect(tradeId).toMatch(/^[0-9a-f]{64}$/);
    // The agent's own trade stream carries its purchase.
    await go(agentPage, "Trades");
    await agentPage.locator(`ol.trades li[data-trade-id="${tradeId}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await agentPage.locator("ol.trades li").count()).toBe(1);
    await shoot(agentPage, "08-agent-trade");
    await agentPage.close();
  });

  it("sets an agent's budget from the safety view", async () => {
    await go(operator, "Safety");
    await expect
      .poll(() => operator.locator("#policy-spender option").allTextContents(), { timeout: UI_TIMEOUT_MS })
      .toContain("bot");
    await operator.getByLabel("Spender", { exact: true }).selectOption("bot");
    await operator.getByLabel("Lifetime max (TRM)", { exact: true }).fill("900");
    await operator.getByRole("button", { name: "Set policy" }).click();
    await operator.getByRole("main").getByText("Policy of bot set.").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(consumer.node.safety.getPolicy("bot")).toMatchObject({
      lifetime_max_trm: 900,
      hourly_max_trm: 500,
    });
    await operator.getByRole("row", { name: /^bot .*900 TRM/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await unlabelledControls(operator)).toEqual([]);
  });

  it("trips the kill switch after a confirm step, denies a paid chat, and resets it", async () => {
    await go(operator, "Safety");
    await operator.getByRole("button", { name: "Activate kill switch…" }).click();
    expect(consumer.node.safety.killSwitch().active).toBe(false);
    await operator.getByRole("button", { name: "Confirm: halt all spending" }).click();
    await operator.locator("#kill-state").getByText("ACTIVE").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(consumer.node.safety.killSwitch().active).toBe(true);
    await shoot(operator, "09-kill-switch");

    const trades = consumer.node.ledger.tradeCount();
    await chat(operator, "Denied while halted");
    await operator.getByRole("alert").getByText("KILL_SWITCH_ACTIVE").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(consumer.node.ledger.tradeCount()).toBe(trades);
    await shoot(operator, "10-chat-denied");

    await go(operator, "Safety");
    await operator.getByRole("button", { name: "Reset kill switch…" }).click();
    await operator.getByRole("button", { name: "Confirm: resume spending" }).click();
    await operator.locator("#kill-state").getByText("Off").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(consumer.node.safety.killSwitch().active).toBe(false);
  });

  it("shows the mesh, pricing and loans, with no page error anywhere", async () => {
    const providerShort = provider.node.account.slice(0, 8);
    await go(operator, "Mesh");
    await operator
      .getByRole("cell", { name: new RegExp(`^${providerShort}`) })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot(operator, "11-mesh");
    await go(operator, "Pricing");
    await operator.getByText("Price per token").waitFor({ timeout: UI_TIMEOUT_MS });
    await operator.getByRole("img", { name: /Price of recent trades/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot(operator, "12-pricing");
    await go(operator, "Loans");
    await operator.getByRole("heading", { name: "Loans", level: 3 }).waitFor({ timeout: UI_TIMEOUT_MS });
    await go(operator, "Overview");
    await operator
      .getByRole("img", { name: /Balance over recent trades/ })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot(operator, "13-overview-after");
    expect(await operator.getByRole("alert").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
