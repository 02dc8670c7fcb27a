/**
 * Agents (operator only): create one with its budget (its token is shown once, here, and never stored
 * by the page), list them with their usage, freeze, unfreeze or revoke (revoking asks to confirm).
 * @module
 */
import { type Ctx, errorBox, poll, type View } from "../context.js";
import { field, h, num, replace, table, time, trm } from "../dom.js";

interface AgentRow {
  name: string;
  status: string;
  created_ms: number;
  usage: { requests: number; spent_trm: number };
}

function input(id: string, label: string, attrs: Record<string, string | number | boolean> = {}) {
  const control = h("input", { id, name: id, ...attrs });
  return { input: control, label: field(label, control) };
}

/** Integer TRM from an input, or undefined when empty. */
function trmOf(input: HTMLInputElement): number | undefined {
  return input.value.trim() === "" ? undefined : Number(input.value);
}

function createForm(ctx: Ctx, refresh: () => void): HTMLElement {
  const name = input("agent-name", "Name (a–z, 0–9, _ and -)", {
    required: true,
    pattern: "[a-z0-9_\\-]{1,64}",
    maxlength: 64,
    autocomplete: "off",
  });
  const perRequest = input("agent-per-request", "Per request max (TRM)", {
    type: "number",
    min: 0,
    step: 1,
    inputmode: "numeric",
  });
  const hourly = input("agent-hourly", "Hourly max (TRM)", {
    type: "number",
    min: 0,
    step: 1,
    inputmode: "numeric",
  });
  const lifetime = input("agent-lifetime", "Lifetime max (TRM)", {
    type: "number",
    min: 0,
    step: 1,
    inputmode: "numeric",
  });
  const approval = input("agent-approval", "Approval above (TRM, empty = default)", {
    type: "number",
    min: 0,
    step: 1,
    inputmode: "numeric",
  });
  const result = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Create agent");
  const form = h(
    "form",
    {
      class: "grid",
      "aria-label": "Create an agent",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        const policy: Record<string, number> = {};
        const entries: Array<[string, number | undefined]> = [
          ["per_request_max_trm", trmOf(perRequest.input)],
          ["hourly_max_trm", trmOf(hourly.input)],
          ["lifetime_max_trm", trmOf(lifetime.input)],
          ["approval_threshold_trm", trmOf(approval.input)],
        ];
        for (const [key, value] of entries) if (value !== undefined) policy[key] = value;
        try {
          const created = await ctx.api.post<{ agent: { name: string }; token: string; warning: string }>(
            "/v1/tirami/agents",
            {
              name: name.input.value,
              ...(Object.keys(policy).length === 0 ? {} : { policy }),
            },
          );
          const token = h("code", { class: "token-once", id: "agent-token", tabindex: 0 }, created.token);
          replace(
            result,
            h(
              "div",
              { class: "notice", role: "alert" },
              h(
                "p",
                {},
                h("strong", {}, `Agent "${created.agent.name}" created. `),
                "Copy its token now: it is shown only once and this page does not keep it.",
              ),
              token,
              h(
                "div",
                { class: "row" },
                h(
                  "button",
                  {
                    type: "button",
                    class: "secondary",
                    onclick: () => void navigator.clipboard?.writeText(created.token),
                  },
                  "Copy token",
                ),
                h(
                  "button",
                  { type: "button", class: "secondary", onclick: () => replace(result) },
                  "I stored it: hide",
                ),
              ),
            ),
          );
          form.reset();
          refresh();
        } catch (error) {
          replace(result, errorBox(error));
        } finally {
          submit.disabled = false;
        }
      },
    },
    name.label,
    perRequest.label,
    hourly.label,
    lifetime.label,
    approval.label,
    h("div", {}, submit),
  );
  return h(
    "section",
    { class: "panel", "aria-labelledby": "new-agent-h" },
    h("h3", { id: "new-agent-h" }, "New agent"),
    form,
    result,
  );
}

function actions(
  ctx: Ctx,
  agent: AgentRow,
  refresh: (focusAgent: string) => void,
  failure: HTMLElement,
): HTMLElement {
  const act = async (method: "post" | "delete", path: string, done: string) => {
    try {
      if (method === "post") await ctx.api.post(path);
      else await ctx.api.delete(path);
      ctx.announce(done);
      refresh(agent.name);
    } catch (error) {
      replace(failure, errorBox(error));
    }
  };
  const base = `/v1/tirami/agents/${encodeURIComponent(agent.name)}`;
  if (agent.status === "revoked")
    return h("span", { class: "muted", tabindex: -1, "data-agent": agent.name }, "revoked");
  const cell = h("div", { class: "row", "data-agent": agent.name });
  const toggle =
    agent.status === "frozen"
      ? h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => act("post", `${base}/unfreeze`, `${agent.name} unfrozen`),
          },
          `Unfreeze ${agent.name}`,
        )
      : h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => act("post", `${base}/freeze`, `${agent.name} frozen`),
          },
          `Freeze ${agent.name}`,
        );
  const revoke = h(
    "button",
    {
      type: "button",
      class: "danger",
      onclick: () => {
        const confirm = h(
          "button",
          { type: "button", class: "danger", onclick: () => act("delete", base, `${agent.name} revoked`) },
          `Confirm revoke ${agent.name}`,
        );
        cell.replaceChildren(
          confirm,
          h("button", { type: "button", class: "secondary", onclick: () => refresh(agent.name) }, "Cancel"),
        );
        confirm.focus();
      },
    },
    `Revoke ${agent.name}…`,
  );
  cell.append(toggle, revoke);
  return cell;
}

export const agentsView: View = {
  id: "agents",
  title: "Agents",
  operatorOnly: true,
  mount(root: HTMLElement, ctx: Ctx) {
    const list = h("div", {});
    const failure = h("div", {});
    let busy = false;
    /** Renders the table; a forced render (after an action) returns focus to the agent acted on. */
    const render = async (focusAgent?: string) => {
      // Polling leaves a table being used alone (an open confirm step, a focused button).
      if (busy || (focusAgent === undefined && list.contains(document.activeElement))) return;
      busy = true;
      try {
        const { agents } = await ctx.api.get<{ agents: AgentRow[] }>("/v1/tirami/agents");
        const refresh = (name: string) => void render(name);
        replace(
          list,
          table(
            "Agents",
            ["Name", "Status", "Created", "Requests", "Spent", "Actions"],
            agents.map((agent) => [
              agent.name,
              agent.status,
              time(agent.created_ms),
              num(agent.usage.requests),
              trm(agent.usage.spent_trm),
              actions(ctx, agent, refresh, failure),
            ]),
          ),
        );
        if (focusAgent)
          list
            .querySelector<HTMLElement>(
              `[data-agent="${CSS.escape(focusAgent)}"] button, [data-agent="${CSS.escape(focusAgent)}"]`,
            )
            ?.focus();
      } catch (error) {
        replace(failure, errorBox(error));
      } finally {
        busy = false;
      }
    };
    replace(
      root,
      h("h2", {}, "Agents"),
      createForm(ctx, () => void render("")),
      h("h3", {}, "Agents"),
      failure,
      list,
    );
    return poll(() => render(), 5_000);
  },
};
