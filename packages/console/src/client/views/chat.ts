/**
 * Chat: asks any model this node can answer with (its own, or one bought from the mesh) through the
 * OpenAI-compatible route, and shows with each answer what it cost, the trade that paid for it and the
 * provider, plus a tokens-per-second chart. A spend waiting for approval can be retried once approved.
 * @module
 */
import { lineChart, type Point } from "../chart.js";
import { codeOf, type Ctx, errorBox, type View } from "../context.js";
import { ApiError } from "../api.js";
import { field, h, num, replace, short, trm } from "../dom.js";

interface ChatAnswer {
  choices: Array<{ message: { content: string | null } }>;
  usage?: { completion_tokens: number };
  x_tirami?: {
    trm_cost: number;
    trade_id?: string | null;
    provider?: string | null;
    effective_balance?: number | null;
  };
}

/** Answers kept on the page (and points of the speed chart). */
const ANSWERS_MAX = 50;
const speeds: Point[] = [];

export const chatView: View = {
  id: "chat",
  title: "Chat",
  mount(root: HTMLElement, ctx: Ctx) {
    const model = h("select", { id: "chat-model", name: "model", required: true });
    const prompt = h("textarea", { id: "chat-prompt", name: "prompt", required: true, maxlength: 4_000 });
    const maxTokens = h("input", {
      id: "chat-max-tokens",
      name: "max_tokens",
      type: "number",
      min: 1,
      max: 1_024,
      value: 16,
      inputmode: "numeric",
    });
    const send = h("button", { type: "submit" }, "Send");
    const log = h("div", { class: "chat-log", "aria-live": "polite", "aria-label": "Answers" });
    const speed = h("div", {});
    const failure = h("div", {});
    let seq = 0;

    const ask = async (body: Record<string, unknown>, question: string): Promise<void> => {
      const started = performance.now();
      try {
        const answer = await ctx.api.post<ChatAnswer>("/v1/chat/completions", body);
        const seconds = (performance.now() - started) / 1_000;
        const tokens = answer.usage?.completion_tokens ?? 0;
        speeds.push({ x: speeds.length + 1, y: Math.round(tokens / Math.max(seconds, 0.001)) });
        if (speeds.length > ANSWERS_MAX) speeds.shift();
        const x = answer.x_tirami;
        const meta =
          x === undefined
            ? "no cost information"
            : x.trade_id
              ? `cost ${trm(x.trm_cost)} · trade ${short(x.trade_id)} · provider ${short(x.provider)} · balance ${trm(x.effective_balance)}`
              : `self-use, cost ${trm(x.trm_cost)} (no trade)`;
        log.prepend(
          h(
            "article",
            {
              class: "chat-answer",
              "data-trade-id": x?.trade_id ?? null,
              "data-cost-trm": x?.trm_cost ?? null,
            },
            h("p", { class: "muted" }, question),
            h("p", { class: "answer" }, answer.choices[0]?.message.content ?? ""),
            h("p", { class: "meta" }, `${meta} · ${num(tokens)} tokens in ${seconds.toFixed(2)} s`),
          ),
        );
        while (log.children.length > ANSWERS_MAX) log.lastElementChild?.remove();
        replace(speed, lineChart("Tokens per second of each answer", speeds));
        ctx.announce(x?.trade_id ? `Answer received; it cost ${trm(x.trm_cost)}.` : "Answer received.");
      } catch (error) {
        const box = errorBox(error);
        if (codeOf(error) === "APPROVAL_REQUIRED" && error instanceof ApiError) {
          const approvalId = String(error.details["approval_id"] ?? "");
          const x = (body["x_tirami"] ?? {}) as Record<string, unknown>;
          box.append(
            h(
              "p",
              {},
              `The spend waits for approval ${short(approvalId)}; once the operator approves it, retry.`,
            ),
            h(
              "button",
              {
                type: "button",
                onclick: () => void ask({ ...body, x_tirami: { ...x, approval_id: approvalId } }, question),
              },
              "Retry with the approval",
            ),
          );
        }
        replace(failure, box);
      }
    };

    const form = h(
      "form",
      {
        "aria-label": "Ask a model",
        onsubmit: async (event: Event) => {
          event.preventDefault();
          send.disabled = true;
          replace(failure);
          seq += 1;
          const question = prompt.value;
          try {
            await ask(
              {
                model: model.value,
                max_tokens: Number(maxTokens.value) || 16,
                temperature: 0,
                messages: [{ role: "user", content: question }],
                x_tirami: { request_id: `console-${Date.now().toString(36)}-${seq}` },
              },
              question,
            );
          } finally {
            send.disabled = false;
          }
        },
      },
      field("Model", model),
      field("Message", prompt),
      h("div", { class: "row" }, field("Max tokens", maxTokens), send),
    );
    replace(root, h("h2", {}, "Chat"), h("section", { class: "panel" }, form, failure), log, speed);
    void (async () => {
      try {
        const models = await ctx.api.get<{ data: Array<{ id: string }> }>("/v1/models");
        replace(
          model,
          models.data.map((m) => h("option", { value: m.id }, m.id)),
        );
        if (models.data.length === 0)
          replace(
            failure,
            h("p", { class: "notice" }, "No model is served here or offered in the mesh yet."),
          );
      } catch (error) {
        replace(failure, errorBox(error));
      }
    })();
    return () => undefined;
  },
};
