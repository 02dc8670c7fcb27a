/**
 * The operator's policy editor (part of the Safety view): pick a spender (the operator or an agent), set
 * any of its budgets in integer TRM, and `PUT /v1/tirami/policy` (sent as POST, which the node accepts
 * alike). Empty fields are left as they are; "no approval" disables the approval threshold.
 * @module
 */
import { type Ctx, errorBox } from "../context.js";
import { field, h, replace } from "../dom.js";

const BUDGETS = [
  ["per_request_max_trm", "Per request max (TRM)"],
  ["hourly_max_trm", "Hourly max (TRM)"],
  ["lifetime_max_trm", "Lifetime max (TRM)"],
  ["approval_threshold_trm", "Approval above (TRM)"],
] as const;

/** The form; `changed` is called after the node accepted a policy. */
export function policyForm(ctx: Ctx, changed: () => void): HTMLElement {
  const spender = h(
    "select",
    { id: "policy-spender", name: "spender" },
    h("option", { value: "operator" }, "operator"),
  );
  const inputs = BUDGETS.map(([key, label]) => ({
    key,
    input: h("input", {
      id: `policy-${key}`,
      name: key,
      type: "number",
      min: 0,
      step: 1,
      inputmode: "numeric",
    }),
    label,
  }));
  const noApproval = h("input", { id: "policy-no-approval", name: "no_approval", type: "checkbox" });
  const result = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Set policy");
  const form = h(
    "form",
    {
      class: "grid",
      "aria-label": "Set a spender's policy",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const body: Record<string, unknown> = { spender: spender.value };
        for (const { key, input } of inputs) if (input.value.trim() !== "") body[key] = Number(input.value);
        if (noApproval.checked) body["approval_threshold_trm"] = null;
        submit.disabled = true;
        try {
          await ctx.api.post("/v1/tirami/policy", body);
          replace(result, h("p", { class: "ok" }, `Policy of ${spender.value} set.`));
          ctx.announce(`Policy of ${spender.value} set.`);
          form.reset();
          changed();
        } catch (error) {
          replace(result, errorBox(error));
        } finally {
          submit.disabled = false;
        }
      },
    },
    field("Spender", spender),
    inputs.map(({ input, label }) => field(label, input)),
    h(
      "div",
      { class: "field" },
      h("label", { for: "policy-no-approval", class: "row" }, noApproval, "No approval"),
    ),
    h("div", {}, submit),
  );
  void ctx.api
    .get<{ agents: Array<{ name: string; status: string }> }>("/v1/tirami/agents")
    .then(({ agents }) => {
      for (const agent of agents)
        if (agent.status !== "revoked") spender.append(h("option", { value: agent.name }, agent.name));
    })
    .catch(() => undefined);
  return h(
    "section",
    { class: "panel", "aria-labelledby": "policy-h" },
    h("h3", { id: "policy-h" }, "Set a policy"),
    form,
    result,
  );
}
