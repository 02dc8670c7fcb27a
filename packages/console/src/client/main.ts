/**
 * The console's entry: the sign-in form (the operator token, or an agent's, typed in and kept in memory
 * and this tab's sessionStorage, never in a URL), then the views of the signed-in principal with a
 * hash router (`#/trades`), and the live trade feed shared by every view.
 * @module
 */
import { ApiError, createApi } from "./api.js";
import { type Ctx, errorBox, type View } from "./context.js";
import { field, h, replace } from "./dom.js";
import { startTradeFeed } from "./sse.js";
import type { Balance, Principal } from "./types.js";
import { agentsView } from "./views/agents.js";
import { approvalsView } from "./views/approvals.js";
import { chatView } from "./views/chat.js";
import { loansView } from "./views/loans.js";
import { meshView } from "./views/mesh.js";
import { overviewView } from "./views/overview.js";
import { pricingView } from "./views/pricing.js";
import { safetyView } from "./views/safety.js";
import { seedTrades, tradesView } from "./views/trades.js";

const TOKEN_KEY = "tirami.console.token";
const VIEWS: View[] = [
  overviewView,
  tradesView,
  chatView,
  safetyView,
  approvalsView,
  agentsView,
  pricingView,
  meshView,
  loansView,
];

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;
const signOut = document.getElementById("sign-out") as HTMLButtonElement;
const live = document.getElementById("announce") as HTMLElement;

let session: { ctx: Ctx; views: View[]; unmount: () => void } | undefined;

function announce(message: string): void {
  live.textContent = "";
  setTimeout(() => (live.textContent = message), 50);
}

/** Signs in with `token`: the node says who it is (operator or which agent) or refuses it. */
async function signIn(token: string): Promise<Ctx> {
  const api = createApi(token);
  const balance = await api.get<Balance>("/v1/tirami/balance");
  const principal: Principal =
    balance.spender === "operator" ? { kind: "operator" } : { kind: "agent", name: balance.spender };
  return { api, principal, account: balance.account_id, feed: startTradeFeed(api), announce };
}

function showView(): void {
  if (session === undefined) return;
  const id = location.hash.replace(/^#\/?/, "") || "overview";
  const view = session.views.find((v) => v.id === id) ?? (session.views[0] as View);
  session.unmount();
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset["view"] === view.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${view.title} · Tirami console`;
  const root = h("div", { id: `view-${view.id}` });
  replace(main, root);
  session.unmount = view.mount(root, session.ctx);
}

function enter(ctx: Ctx): void {
  const views = VIEWS.filter((view) => !view.operatorOnly || ctx.principal.kind === "operator");
  session = { ctx, views, unmount: () => undefined };
  who.textContent =
    ctx.principal.kind === "operator"
      ? `Signed in as the operator of ${ctx.account.slice(0, 12)}…`
      : `Signed in as agent "${ctx.principal.name}" (its own view only)`;
  replace(
    nav,
    views.map((view) => h("a", { href: `#/${view.id}`, "data-view": view.id }, view.title)),
  );
  nav.hidden = false;
  signOut.hidden = false;
  void seedTrades(ctx);
  showView();
  main.focus();
}

function leave(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  session?.unmount();
  session?.ctx.feed.stop();
  session = undefined;
  nav.hidden = true;
  signOut.hidden = true;
  who.textContent = "";
  showSignIn();
}

function showSignIn(message?: Element): void {
  const token = h("input", {
    id: "token",
    name: "token",
    type: "password",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "token-help",
  });
  const remember = h("input", { id: "remember", type: "checkbox", checked: true });
  const failure = h("div", {}, message ?? null);
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    {
      "aria-labelledby": "signin-h",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        replace(failure);
        const value = token.value.trim();
        try {
          const ctx = await signIn(value);
          token.value = "";
          if (remember.checked) sessionStorage.setItem(TOKEN_KEY, value);
          enter(ctx);
        } catch (error) {
          replace(failure, signInError(error));
          token.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    field("Token", token),
    h(
      "p",
      { id: "token-help", class: "muted" },
      "The operator token is in api.token in the node's home (~/.tirami); an agent token was shown once when the agent was created.",
    ),
    h(
      "label",
      { for: "remember", class: "row" },
      h("span", { class: "row" }, remember, "Keep me signed in in this tab"),
    ),
    submit,
    failure,
  );
  replace(main, h("section", { class: "signin panel" }, h("h2", { id: "signin-h" }, "Sign in"), form));
  token.focus();
}

function signInError(error: unknown): Element {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403))
    return h(
      "div",
      { class: "alert", role: "alert" },
      `Sign-in failed: the node refused this token (${error.status} ${error.code}: ${error.message}).`,
    );
  return errorBox(error);
}

signOut.addEventListener("click", leave);
window.addEventListener("hashchange", () => {
  showView();
  // A new view is a new page to a screen reader or keyboard user: start it at its heading.
  main.focus();
});
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved === null) showSignIn();
else
  signIn(saved).then(enter, (error: unknown) => {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(signInError(error));
  });
