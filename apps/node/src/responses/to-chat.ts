/**
 * A Responses API request as the chat completion it is: input items become chat messages (a
 * `function_call` an assistant turn with `tool_calls`, a `function_call_output` a `tool` message),
 * `instructions` a leading system message (not carried into later turns, as in the Responses API), tools,
 * `tool_choice` and `text.format` their chat forms. The result is validated by the chat schema, so both
 * endpoints share every limit and the answer path (local or bought), safety and trades.
 * @module
 */
import type { ChatCompletionRequest } from "../openai/schemas.js";
import type { InputItem, ResponsesRequest } from "./schemas.js";

/** A chat message in request form (what `chatCompletionRequest` accepts). */
export type ChatMessageParam = ChatCompletionRequest["messages"][number];

function textOf(content: string | readonly { text: string }[]): string {
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

/** The chat turns of `input`. */
export function chatMessagesOfInput(input: string | readonly InputItem[]): ChatMessageParam[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const messages: ChatMessageParam[] = [];
  for (const item of input) {
    if (item.type === "function_call") {
      const call = {
        id: item.call_id,
        type: "function" as const,
        function: { name: item.name, arguments: item.arguments },
      };
      const last = messages[messages.length - 1];
      // Consecutive calls are one assistant turn with parallel calls.
      if (last?.role === "assistant" && last.tool_calls !== undefined) last.tool_calls.push(call);
      else messages.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (item.type === "function_call_output")
      messages.push({ role: "tool", tool_call_id: item.call_id, content: item.output });
    else messages.push({ role: item.role, content: textOf(item.content) });
  }
  return messages;
}

/** The chat completion body of `body`, continuing `history` (the stored conversation, if any). */
export function chatBodyOf(
  body: ResponsesRequest,
  history: readonly ChatMessageParam[],
  turn: readonly ChatMessageParam[],
): unknown {
  const format = body.text?.format;
  const choice = body.tool_choice;
  return {
    model: body.model,
    messages: [
      ...(body.instructions === undefined || body.instructions === null
        ? []
        : [{ role: "system", content: body.instructions }]),
      ...history,
      ...turn,
    ],
    ...(body.max_output_tokens === undefined || body.max_output_tokens === null
      ? {}
      : { max_tokens: body.max_output_tokens }),
    ...(body.temperature === undefined || body.temperature === null ? {} : { temperature: body.temperature }),
    ...(body.top_p === undefined || body.top_p === null ? {} : { top_p: body.top_p }),
    ...(body.tools === undefined
      ? {}
      : {
          tools: body.tools.map((tool) => ({
            type: "function",
            function: {
              name: tool.name,
              ...(tool.description === undefined || tool.description === null
                ? {}
                : { description: tool.description }),
              ...(tool.parameters === undefined || tool.parameters === null
                ? {}
                : { parameters: tool.parameters }),
            },
          })),
        }),
    ...(choice === undefined
      ? {}
      : {
          tool_choice:
            typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } },
        }),
    ...(body.parallel_tool_calls === undefined || body.parallel_tool_calls === null
      ? {}
      : { parallel_tool_calls: body.parallel_tool_calls }),
    ...(format === undefined || format.type === "text"
      ? {}
      : {
          response_format:
            format.type === "json_object"
              ? { type: "json_object" }
              : {
                  type: "json_schema",
                  json_schema: { name: format.name, schema: format.schema, strict: format.strict },
                },
        }),
    stream: body.stream === true,
  };
}
