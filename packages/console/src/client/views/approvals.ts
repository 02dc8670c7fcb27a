/**
 * Pending approvals: spends above a spender's approval threshold wait here with a deadline counting down
 * (at the deadline the gate denies them); the operator approves or denies each. Agents see their own.
 * @module
 */
import { type Ctx, errorBox, poll, type View } from "../context.js";
import { h, replace, short, time, table, trm } from "../dom.js";
import type { Approval } from "../types.js";

/** "1m 05s left" until `deadlineMs`. */
export function countdown(deadlineMs: number, nowMs: number): string {
  const leftS = Math.max(0, Math.ceil((deadlineMs - nowMs) / 1_000));
  if (leftS === 0) return "deadline passed";
  const minutes = Math.floor(leftS / 60);
  const seconds = String(leftS % 60).padStart(2, "0");
  return minutes > 0 ? `${minutes}m ${seconds}s left` : `${leftS}s left`;
}

export const approvalsView: View = {
  id: "approvals",
  title: "Approvals",
  mount(root: HTMLElement, ctx: Ctx) {
    const pending = h("div", {});
    const recent = h("div", {});
    const failure = h("div", {});
    replace(
      root,
      h("h2", {}, "Approvals"),
      failure,
      h("h3", {}, "Pending"),
      pending,
      h("h3", {}, "Recent"),
      recent,
    );
    const clocks: Array<{ cell: HTMLElement; deadlineMs: number }> = [];
    const decide = async (approval: Approval, decision: "approve" | "deny") => {
      try {
        await ctx.api.post(`/v1/tirami/approvals/${approval.approval_id}/${decision}`);
        ctx.announce(
          `Approval ${short(approval.approval_id)} ${decision === "approve" ? "approved" : "denied"}.`,
        );
        void render();
      } catch (error) {
        replace(failure, errorBox(error));
      }
    };
    const render = async () => {
      try {
        const { approvals } = await ctx.api.get<{ approvals: Approval[] }>("/v1/tirami/approvals?limit=50");
        const open = approvals.filter((a) => a.status === "pending");
        clocks.length = 0;
        replace(
          pending,
          table(
            "Pending approvals",
            [
              "Spender",
              "Amount",
              "Reason",
              "Deadline",
              ...(ctx.principal.kind === "operator" ? ["Decision"] : []),
            ],
            open.map((a) => {
              const cell = h(
                "span",
                { "data-deadline-ms": a.deadline_ms },
                countdown(a.deadline_ms, Date.now()),
              );
              clocks.push({ cell, deadlineMs: a.deadline_ms });
              const buttons =
                ctx.principal.kind === "operator"
                  ? [
                      h(
                        "div",
                        { class: "row" },
                        h(
                          "button",
                          { type: "button", onclick: () => void decide(a, "approve") },
                          `Approve ${trm(a.amount_trm)} for ${a.spender}`,
                        ),
                        h(
                          "button",
                          { type: "button", class: "danger", onclick: () => void decide(a, "deny") },
                          `Deny ${a.spender}`,
                        ),
                      ),
                    ]
                  : [];
              return [a.spender, trm(a.amount_trm), a.reason, cell, ...buttons];
            }),
          ),
        );
        replace(
          recent,
          table(
            "Recent approvals",
            ["Spender", "Amount", "Status", "Created", "Id"],
            approvals
              .filter((a) => a.status !== "pending")
              .slice(0, 20)
              .map((a) => [
                a.spender,
                trm(a.amount_trm),
                a.status,
                time(a.created_at_ms),
                h("span", { class: "mono" }, short(a.approval_id)),
              ]),
          ),
        );
      } catch (error) {
        replace(failure, errorBox(error));
      }
    };
    const stopPoll = poll(render, 2_000);
    const ticker = setInterval(() => {
      for (const clock of clocks) clock.cell.textContent = countdown(clock.deadlineMs, Date.now());
    }, 1_000);
    return () => {
      stopPoll();
      clearInterval(ticker);
    };
  },
};
