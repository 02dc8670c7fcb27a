/**
 * Safety: the kill switch (operator: activate or resume, each behind a confirm step), budgets and
 * policies per spender, spend so far, breaker state and the gate's recent decisions. An agent sees the
 * switch and its own rows only (the API filters them).
 * @module
 */
import { type Ctx, errorBox, poll, type View } from "../context.js";
import { field, h, num, replace, time, table, trm } from "../dom.js";
import { policyForm } from "./policy-form.js";

interface Policy {
  spender?: string;
  per_request_max_trm: number;
  hourly_max_trm: number;
  lifetime_max_trm: number;
  approval_threshold_trm: number | null;
}
interface SafetyState {
  kill_switch: { active: boolean; reason: string | null; activated_at_ms: number | null };
  policies: Policy[];
  default_policy: Policy;
  operator_default_policy?: Policy;
  spend: Array<{
    spender: string;
    hourly_spend_trm: number;
    lifetime_spend_trm: number;
    spends_last_minute: number;
  }>;
  breakers: Array<{
    spender: string;
    consecutive_errors: number;
    tripped: boolean;
    resets_at_ms: number | null;
  }>;
  pending_approvals: number;
  recent_decisions: Array<{
    time_ms: number;
    spender: string;
    amount_trm: number | null;
    allowed: boolean;
    code: string;
  }>;
}

const policyRow = (name: string, p: Policy) => [
  name,
  trm(p.per_request_max_trm),
  trm(p.hourly_max_trm),
  trm(p.lifetime_max_trm),
  p.approval_threshold_trm === null ? "never" : `above ${trm(p.approval_threshold_trm)}`,
];

/** The kill switch panel: state, and for the operator a two-step action. */
function killSwitch(ctx: Ctx, state: SafetyState, refresh: () => void): HTMLElement {
  const active = state.kill_switch.active;
  const panel = h(
    "section",
    { class: "panel", "aria-labelledby": "kill-h" },
    h("h3", { id: "kill-h" }, "Kill switch"),
    h(
      "p",
      { id: "kill-state" },
      active
        ? h(
            "span",
            { class: "bad" },
            `ACTIVE since ${time(state.kill_switch.activated_at_ms)}: every spend is refused (${state.kill_switch.reason ?? "no reason"})`,
          )
        : h("span", { class: "ok" }, "Off: spends are allowed within each spender's policy."),
    ),
  );
  if (ctx.principal.kind !== "operator") return panel;
  const confirmArea = h("div", {});
  const start = h(
    "button",
    {
      type: "button",
      class: active ? "" : "danger",
      onclick: () => {
        const reason = h("input", {
          id: "kill-reason",
          name: "reason",
          maxlength: 200,
          value: "halted from the console",
        });
        const confirm = h(
          "button",
          {
            type: "button",
            class: active ? "" : "danger",
            onclick: async () => {
              confirm.disabled = true;
              try {
                await ctx.api.post(
                  "/v1/tirami/kill",
                  active
                    ? { activate: false }
                    : { activate: true, reason: reason.value || "halted from the console" },
                );
                ctx.announce(
                  active
                    ? "Kill switch reset: spending resumed."
                    : "Kill switch activated: all spending halted.",
                );
                refresh();
              } catch (error) {
                replace(confirmArea, errorBox(error));
              }
            },
          },
          active ? "Confirm: resume spending" : "Confirm: halt all spending",
        );
        const cancel = h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              replace(confirmArea);
              start.focus();
            },
          },
          "Cancel",
        );
        replace(
          confirmArea,
          h(
            "div",
            { class: "notice", role: "group", "aria-label": "Confirm the kill switch" },
            h(
              "p",
              {},
              active
                ? "Resume spending for every spender on this node?"
                : "Halt every spend on this node (the operator's and every agent's) until reset?",
            ),
            active ? null : field("Reason", reason),
            h("div", { class: "row" }, confirm, cancel),
          ),
        );
        confirm.focus();
      },
    },
    active ? "Reset kill switch…" : "Activate kill switch…",
  );
  panel.append(h("div", { class: "row" }, start), confirmArea);
  return panel;
}

export const safetyView: View = {
  id: "safety",
  title: "Safety",
  mount(root: HTMLElement, ctx: Ctx) {
    const kill = h("div", {});
    const body = h("div", {});
    replace(
      root,
      h("h2", {}, "Safety"),
      kill,
      ctx.principal.kind === "operator" ? policyForm(ctx, () => void render()) : null,
      body,
    );
    let lastActive: boolean | undefined;
    const render = async () => {
      try {
        const state = await ctx.api.get<SafetyState>("/v1/tirami/safety");
        // Re-render the switch only when it changed, so an open confirm step is not wiped by polling.
        if (state.kill_switch.active !== lastActive) {
          lastActive = state.kill_switch.active;
          replace(
            kill,
            killSwitch(ctx, state, () => void render()),
          );
        }
        const policies = [
          policyRow("agents' default", state.default_policy),
          ...(state.operator_default_policy === undefined
            ? []
            : [policyRow("operator (default)", state.operator_default_policy)]),
          ...state.policies.map((p) => policyRow(p.spender ?? "?", p)),
        ];
        replace(
          body,
          h("h3", {}, "Budgets and policies"),
          table(
            "Policies per spender",
            ["Spender", "Per request", "Per hour", "Lifetime", "Approval"],
            policies,
          ),
          h("h3", {}, "Spend"),
          table(
            "Spend per spender",
            ["Spender", "This hour", "Lifetime", "Last minute"],
            state.spend.map((s) => [
              s.spender,
              trm(s.hourly_spend_trm),
              trm(s.lifetime_spend_trm),
              `${num(s.spends_last_minute)} spends`,
            ]),
          ),
          h("h3", {}, "Circuit breakers"),
          table(
            "Breakers",
            ["Spender", "State", "Errors in a row", "Resets"],
            state.breakers.map((b) => [
              b.spender,
              b.tripped ? h("span", { class: "bad" }, "tripped") : h("span", { class: "ok" }, "closed"),
              num(b.consecutive_errors),
              time(b.resets_at_ms),
            ]),
          ),
          h("h3", {}, "Recent decisions"),
          table(
            "Recent decisions",
            ["Time", "Spender", "Amount", "Decision"],
            state.recent_decisions.map((d) => [
              time(d.time_ms),
              d.spender,
              trm(d.amount_trm),
              d.allowed ? h("span", { class: "ok" }, "allowed") : h("span", { class: "bad" }, d.code),
            ]),
          ),
        );
      } catch (error) {
        replace(body, errorBox(error));
      }
    };
    return poll(render, 3_000);
  },
};
