/**
 * The Responses API's objects for one answer, generated like any chat answer (`openai/answer.ts`): the
 * `response` object (output items: one `message` with `output_text`, or `function_call`s; `usage`;
 * `status` `incomplete` when cut by `max_output_tokens`; `x_tirami`), and for `stream: true` the
 * documented events in order, each with its `sequence_number`:
 *
 *   response.created, response.in_progress,
 *   text:  response.output_item.added, response.content_part.added, response.output_text.delta…,
 *          response.output_text.done, response.content_part.done, response.output_item.done
 *   calls: per call response.output_item.added, response.function_call_arguments.delta…,
 *          response.function_call_arguments.done, response.output_item.done
 *   response.completed (or response.incomplete)
 *
 * The message item opens with the first streamed text, so an `auto` answer that turns out to be calls
 * has no empty message. `onFinished` receives the final response object (to store it).
 * @module
 */
import { randomBytes } from "node:crypto";
import type { ToolCall } from "@tirami/infer";
import type { AnswerMeta, AnswerShape, Outcome } from "../openai/answer.js";
import { RawJson } from "../openai/sse.js";

/** Arguments of a streamed call are sent in pieces of at most this many characters. */
const ARGUMENTS_PIECE_CHARS = 32;

/** An id with the Responses API's prefix. */
export function itemId(prefix: "resp" | "msg" | "fc"): string {
  return `${prefix}_${randomBytes(16).toString("hex")}`;
}

/** The output items of an outcome (`messageId` for a text answer). */
export function outputItems(outcome: Outcome, messageId: string): object[] {
  if (outcome.toolCalls !== undefined) return outcome.toolCalls.map(functionCallItem);
  return [messageItem(messageId, outcome.text, "completed")];
}

function messageItem(id: string, text: string, status: string): object {
  return {
    id,
    type: "message",
    status,
    role: "assistant",
    content: status === "in_progress" ? [] : [{ type: "output_text", text, annotations: [] }],
  };
}

function functionCallItem(call: ToolCall): object {
  return {
    id: `fc_${call.id.replace(/^call_/, "")}`,
    type: "function_call",
    status: "completed",
    call_id: call.id,
    name: call.name,
    arguments: call.arguments,
  };
}

/** What the response object repeats from its request, and its id. */
export interface ResponseFrame {
  id: string;
  /** Request fields echoed on the response (instructions, tools, text, temperature, …). */
  echo: Record<string, unknown>;
}

/** The response object of `outcome`. */
export function responseObject(
  frame: ResponseFrame,
  meta: AnswerMeta,
  outcome: Outcome,
  messageId: string,
): Record<string, unknown> {
  const incomplete = outcome.finishReason === "length";
  return {
    id: frame.id,
    object: "response",
    created_at: meta.created,
    status: incomplete ? "incomplete" : "completed",
    error: null,
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    model: meta.model,
    ...frame.echo,
    output: outputItems(outcome, messageId),
    usage: {
      input_tokens: outcome.usage.prompt_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outcome.usage.completion_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: outcome.usage.total_tokens,
    },
    x_tirami: outcome.xTirami,
  };
}

/** Makes one event with the next sequence number. */
type EventMaker = (type: string, fields: object) => object;

/** The events of one function call: added, its arguments in pieces, arguments done, item done. */
function callEvents(event: EventMaker, call: ToolCall, index: number): object[] {
  const item = functionCallItem(call) as { id: string };
  const frames = [
    event("response.output_item.added", {
      output_index: index,
      item: { ...item, status: "in_progress", arguments: "" },
    }),
  ];
  for (let from = 0; from < call.arguments.length; from += ARGUMENTS_PIECE_CHARS)
    frames.push(
      event("response.function_call_arguments.delta", {
        item_id: item.id,
        output_index: index,
        delta: call.arguments.slice(from, from + ARGUMENTS_PIECE_CHARS),
      }),
    );
  frames.push(
    event("response.function_call_arguments.done", {
      item_id: item.id,
      output_index: index,
      name: call.name,
      arguments: call.arguments,
    }),
    event("response.output_item.done", { output_index: index, item }),
  );
  return frames;
}

/** Several events as one `RawJson` (the SSE writer frames it as `data: <json>\n\n`). */
function events(values: readonly object[]): RawJson {
  return new RawJson(values.map((value) => JSON.stringify(value)).join("\n\ndata: "));
}

/** The Responses shape of one answer. */
export function responsesShape(
  frame: ResponseFrame,
  onFinished: (response: Record<string, unknown>) => void,
): (meta: AnswerMeta) => AnswerShape {
  return (meta) => {
    const messageId = itemId("msg");
    let sequence = 0;
    let opened = false;
    let streamedText = "";
    const event: EventMaker = (type, fields) => ({
      type,
      sequence_number: sequence++,
      ...fields,
    });
    const inProgress = (): object => ({
      id: frame.id,
      object: "response",
      created_at: meta.created,
      status: "in_progress",
      error: null,
      incomplete_details: null,
      model: meta.model,
      ...frame.echo,
      output: [],
      usage: null,
    });
    const at = { item_id: messageId, output_index: 0, content_index: 0 };
    const open = (): object[] => {
      opened = true;
      return [
        event("response.output_item.added", {
          output_index: 0,
          item: messageItem(messageId, "", "in_progress"),
        }),
        event("response.content_part.added", {
          ...at,
          part: { type: "output_text", text: "", annotations: [] },
        }),
      ];
    };
    const finish = (outcome: Outcome): Record<string, unknown> => {
      const response = responseObject(frame, meta, outcome, messageId);
      onFinished(response);
      return response;
    };
    return {
      body: (outcome) => finish(outcome),
      head: () =>
        events([
          event("response.created", { response: inProgress() }),
          event("response.in_progress", { response: inProgress() }),
        ]),
      piece(text) {
        streamedText += text;
        const opening = opened ? [] : open();
        return events([
          ...opening,
          event("response.output_text.delta", { ...at, delta: text, logprobs: [] }),
        ]);
      },
      tail(outcome) {
        const frames: object[] = [];
        if (outcome.toolCalls === undefined) {
          if (!opened) frames.push(...open());
          // The final text is what was streamed plus anything the reader held back (never less).
          const text = outcome.text.startsWith(streamedText) ? outcome.text : streamedText;
          if (text.length > streamedText.length)
            frames.push(
              event("response.output_text.delta", {
                ...at,
                delta: text.slice(streamedText.length),
                logprobs: [],
              }),
            );
          frames.push(
            event("response.output_text.done", { ...at, text, logprobs: [] }),
            event("response.content_part.done", {
              ...at,
              part: { type: "output_text", text, annotations: [] },
            }),
            event("response.output_item.done", {
              output_index: 0,
              item: messageItem(messageId, text, "completed"),
            }),
          );
        } else {
          outcome.toolCalls.forEach((call, index) => frames.push(...callEvents(event, call, index)));
        }
        const response = finish(outcome);
        const done = response["status"] === "incomplete" ? "response.incomplete" : "response.completed";
        frames.push(event(done, { response }));
        return frames;
      },
    };
  };
}
