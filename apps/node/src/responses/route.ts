/**
 * The Responses API (`POST /v1/responses`, `GET`/`DELETE /v1/responses/:id`), which newer OpenAI clients
 * and agent SDKs use instead of chat completions. A request is answered as the chat completion it is
 * (`to-chat.ts`) through the same path — the local model, or a purchase from the mesh with its safety
 * gate and dual-signed trade — and shaped as Responses objects and events (`shape.ts`). With `store`
 * (the default) the response and its conversation are kept in node.db for the principal that made it
 * (`store.ts`), so `previous_response_id` continues it and `GET` reads it back.
 * @module
 */
import { Hono } from "hono";
import { NodeError, NodeErrorCode } from "../errors.js";
import { readJsonBody } from "../openai/json-body.js";
import { answerLocally, type LocalAnswerDeps } from "../openai/local-answer.js";
import { answerRemotely, type RemoteAnswerDeps, wantsRemote } from "../openai/remote-answer.js";
import { chatAnswerRequest, modelOf } from "../openai/request.js";
import { routeHintsOf } from "../openai/route-hints.js";
import { chatCompletionRequest, parseBody } from "../openai/schemas.js";
import { type AppEnv, spenderOf } from "../principal.js";
import { responsesRequest, type ResponsesRequest } from "./schemas.js";
import { itemId, responsesShape } from "./shape.js";
import type { ResponseStore } from "./store.js";
import { type ChatMessageParam, chatBodyOf, chatMessagesOfInput } from "./to-chat.js";

/** What the routes need. */
export interface ResponsesDeps extends LocalAnswerDeps {
  maxTokensMax: number;
  remote: RemoteAnswerDeps;
  store: ResponseStore;
}

function notFound(id: string): NodeError {
  return new NodeError(NodeErrorCode.NOT_FOUND, `no stored response ${id}`, { param: "response_id" });
}

/** Request fields repeated on the response object. */
function echoOf(body: ResponsesRequest): Record<string, unknown> {
  return {
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    store: body.store !== false,
    temperature: body.temperature ?? null,
    text: { format: body.text?.format ?? { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    truncation: "disabled",
  };
}

/** The conversation after `response`: what led to it and its output as chat turns. */
function historyAfter(before: ChatMessageParam[], response: Record<string, unknown>): ChatMessageParam[] {
  const output = response["output"] as {
    type: string;
    call_id?: string;
    name?: string;
    arguments?: string;
    content?: { text: string }[];
  }[];
  const calls = output.filter((item) => item.type === "function_call");
  const reply: ChatMessageParam =
    calls.length > 0
      ? {
          role: "assistant",
          content: null,
          tool_calls: calls.map((call) => ({
            id: call.call_id as string,
            type: "function" as const,
            function: { name: call.name as string, arguments: call.arguments as string },
          })),
        }
      : { role: "assistant", content: output[0]?.content?.map((part) => part.text).join("") ?? "" };
  return [...before, reply];
}

/** Routes of the Responses API. */
export function responsesRoutes(deps: ResponsesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/responses", async (c) => {
    const raw = await readJsonBody(c);
    const body = parseBody(responsesRequest, raw);
    const spender = spenderOf(c.get("principal"));
    const previousId = body.previous_response_id ?? undefined;
    const previous = previousId === undefined ? undefined : deps.store.get(spender, previousId);
    if (previousId !== undefined && previous === undefined) throw notFound(previousId);
    const history = previous?.history ?? [];
    const turn = chatMessagesOfInput(body.input);
    const chat = parseBody(chatCompletionRequest, chatBodyOf(body, history, turn));
    const model = modelOf(chat.model, deps.engine()?.manifest.id, () =>
      (deps.remote.market()?.remoteModels() ?? []).map((offer) => offer.model_id),
    );
    const id = itemId("resp");
    const store = body.store !== false;
    const request = {
      ...chatAnswerRequest(chat, deps.maxTokensMax, routeHintsOf(raw, c.req.raw.headers), model),
      shape: responsesShape({ id, echo: echoOf(body) }, (response) => {
        if (store)
          deps.store.put(spender, id, { response, history: historyAfter([...history, ...turn], response) });
      }),
    };
    return wantsRemote(deps.remote, request)
      ? answerRemotely(c, deps.remote, request)
      : answerLocally(c, deps, request);
  });
  app.get("/responses/:id", (c) => {
    const id = c.req.param("id");
    const stored = deps.store.get(spenderOf(c.get("principal")), id);
    if (stored === undefined) throw notFound(id);
    return c.json(stored.response);
  });
  app.delete("/responses/:id", (c) => {
    const id = c.req.param("id");
    if (!deps.store.delete(spenderOf(c.get("principal")), id)) throw notFound(id);
    return c.json({ id, object: "response", deleted: true });
  });
  return app;
}
