/**
 * The provider side of paid A2A tasks: a JSON-RPC 2.0 handler for A2A 1.0's `SendMessage` and `GetTask`
 * (messages and tasks parsed and rendered with the SDK's own codecs), running each task as paid inference
 * with the payment extension (`payment.ts`):
 *
 * - message 1 (no `taskId`): the consumer's intent must verify, name this node, quote at least this node's
 *   price for a model it serves, be fresh (`A2A_INTENT_SKEW_MS`) and use a request id not seen before;
 *   the ledger's provider-side admission decides whether the consumer may be served on credit for the
 *   worst case — as for a purchase over the mesh; then the model answers and the task goes to
 *   `input-required` with the output and this node's signed trade (proto's `createTrade` / `signTrade`);
 * - message 2 (with `taskId`): the consumer's signature completes the trade (`assembleSignedTrade` checks
 *   both signatures), which `settle` applies and gossips like any trade made elsewhere (the market's
 *   `announceTrade`); the task completes with the trade id.
 *
 * Tasks are kept in memory, at most `A2A_TASKS_MAX`, each for `A2A_TASK_TTL_MS`.
 * @module
 */
import { randomUUID } from "node:crypto";
import { Message, SendMessageRequest, SendMessageResponse, Task, TaskState } from "@a2a-js/sdk";
import { type AccountId, costTrm, isTiramiError, type Signer } from "@tirami/core";
import {
  assembleSignedTrade,
  computeTradeId,
  createTrade,
  type SignedTrade,
  signTrade,
  type Trade,
} from "@tirami/proto";
import { AgoraError, AgoraErrorCode } from "../errors.js";
import {
  A2A_PAYMENT_EXTENSION_URI,
  type PaymentIntent,
  readPaymentAcceptance,
  readPaymentIntent,
} from "./payment.js";

/** Tasks kept at once (oldest dropped first). */
export const A2A_TASKS_MAX = 1_000;
/** How long a task is kept, ms. */
export const A2A_TASK_TTL_MS = 15 * 60_000;
/** An intent dated further than this from now (either way) is refused, ms. */
export const A2A_INTENT_SKEW_MS = 5 * 60_000;
/** Longest prompt, UTF-16 code units. */
export const A2A_PROMPT_LENGTH_MAX = 32_768;

export interface A2AProviderDeps {
  signer: Signer;
  nowMs(): number;
  /** This node's price per completion token for `modelId` now; undefined when it does not serve it. */
  priceTrmPerToken(modelId: string): number | undefined;
  /** Provider-side admission (the ledger's `admitConsumer`); throws when the consumer may not be served. */
  admit(consumer: AccountId, amountTrm: number): void;
  /** Runs the model. */
  generate(request: { modelId: string; prompt: string; maxTokens: number }): Promise<{
    text: string;
    promptTokens: number;
    completionTokens: number;
  }>;
  /** Applies a dual-signed trade and gossips it (the market's `announceTrade`). */
  settle(signed: SignedTrade): Promise<{ outcome: string }>;
}

interface TaskEntry {
  task: Task;
  intent: PaymentIntent;
  trade: Trade;
  tradeId: string;
  providerSignature: string;
  expiresMs: number;
}

/** A JSON-RPC error as A2A's JSON-RPC binding answers it. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function rpcErrorOf(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (isTiramiError(error))
    return new RpcError(
      error.code === AgoraErrorCode.A2A_PAYMENT_INVALID ? -32_602 : -32_000,
      error.message,
      { code: error.code },
    );
  return new RpcError(-32_603, "internal error");
}

const textOf = (message: Message): string =>
  message.parts.map((part) => (part.content?.$case === "text" ? part.content.value : "")).join("");

/** The provider of paid A2A tasks. */
export interface A2AProvider {
  /** Answers one JSON-RPC request body (already parsed JSON); never throws. */
  handle(body: unknown): Promise<unknown>;
}

/** Creates the provider. */
export function createA2AProvider(deps: A2AProviderDeps): A2AProvider {
  const tasks = new Map<string, TaskEntry>();
  const requestIds = new Map<string, number>();

  function prune(): void {
    const now = deps.nowMs();
    for (const [id, entry] of tasks) if (entry.expiresMs < now) tasks.delete(id);
    for (const [id, expiresMs] of requestIds) if (expiresMs < now) requestIds.delete(id);
    while (tasks.size > A2A_TASKS_MAX) tasks.delete(tasks.keys().next().value as string);
    while (requestIds.size > A2A_TASKS_MAX) requestIds.delete(requestIds.keys().next().value as string);
  }

  function checkIntent(intent: PaymentIntent): void {
    const refuse = (message: string) =>
      new AgoraError(AgoraErrorCode.A2A_PAYMENT_INVALID, `A2A payment: ${message}`);
    if (intent.provider !== deps.signer.accountId) throw refuse("the intent names another provider");
    if (intent.consumer === deps.signer.accountId) throw refuse("a node does not pay itself");
    const price = deps.priceTrmPerToken(intent.model_id);
    if (price === undefined) throw refuse(`this node does not serve model "${intent.model_id}"`);
    if (intent.price_trm_per_token < price)
      throw refuse(`the quoted price ${intent.price_trm_per_token} is below this node's ${price} TRM/token`);
    if (Math.abs(intent.timestamp_ms - deps.nowMs()) > A2A_INTENT_SKEW_MS)
      throw refuse("the intent is stale");
    if (requestIds.has(`${intent.consumer}/${intent.request_id}`))
      throw refuse("the request id was used before");
  }

  async function start(message: Message): Promise<Task> {
    const intent = readPaymentIntent(message.metadata);
    checkIntent(intent);
    const prompt = textOf(message);
    if (prompt.length === 0 || prompt.length > A2A_PROMPT_LENGTH_MAX)
      throw new RpcError(-32_602, `the message needs 1 to ${A2A_PROMPT_LENGTH_MAX} characters of text`);
    requestIds.set(`${intent.consumer}/${intent.request_id}`, deps.nowMs() + A2A_TASK_TTL_MS);
    deps.admit(intent.consumer, costTrm(intent.max_tokens, intent.price_trm_per_token));
    const work = await deps.generate({ modelId: intent.model_id, prompt, maxTokens: intent.max_tokens });
    const completionTokens = Math.min(work.completionTokens, intent.max_tokens);
    const trade = createTrade({
      provider: deps.signer.accountId,
      consumer: intent.consumer,
      amount_trm: costTrm(completionTokens, intent.price_trm_per_token),
      prompt_tokens: work.promptTokens,
      completion_tokens: completionTokens,
      model_id: intent.model_id,
      price_trm_per_token: intent.price_trm_per_token,
      timestamp_ms: deps.nowMs(),
      request_id: intent.request_id,
    });
    const tradeId = computeTradeId(trade);
    const providerSignature = signTrade(trade, deps.signer);
    const id = randomUUID();
    const task = Task.fromJSON({
      id,
      contextId: message.contextId === "" ? id : message.contextId,
      status: { state: "TASK_STATE_INPUT_REQUIRED", timestamp: new Date(deps.nowMs()).toISOString() },
      artifacts: [{ artifactId: `${id}-output`, name: "output", parts: [{ text: work.text }] }],
      metadata: {
        [A2A_PAYMENT_EXTENSION_URI]: { trade, trade_id: tradeId, provider_signature: providerSignature },
      },
    });
    tasks.set(id, {
      task,
      intent,
      trade,
      tradeId,
      providerSignature,
      expiresMs: deps.nowMs() + A2A_TASK_TTL_MS,
    });
    prune();
    return task;
  }

  async function pay(message: Message): Promise<Task> {
    const entry = tasks.get(message.taskId);
    if (entry === undefined) throw new RpcError(-32_001, `task ${message.taskId} not found`);
    const acceptance = readPaymentAcceptance(message.metadata);
    if (entry.task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED) return entry.task;
    if (acceptance.trade_id !== entry.tradeId)
      throw new AgoraError(
        AgoraErrorCode.A2A_PAYMENT_INVALID,
        "A2A payment: the signature is for another trade",
      );
    let signed: SignedTrade;
    try {
      signed = assembleSignedTrade(entry.trade, entry.providerSignature, acceptance.consumer_signature);
    } catch (cause) {
      throw new AgoraError(
        AgoraErrorCode.A2A_PAYMENT_INVALID,
        "A2A payment: the consumer's signature does not verify",
        {
          cause,
        },
      );
    }
    const { outcome } = await deps.settle(signed);
    if (outcome !== "applied" && outcome !== "exists")
      throw new AgoraError(
        AgoraErrorCode.A2A_PEER_FAILED,
        `the trade could not be applied here (${outcome})`,
      );
    entry.task = Task.fromJSON({
      ...(Task.toJSON(entry.task) as Record<string, unknown>),
      status: { state: "TASK_STATE_COMPLETED", timestamp: new Date(deps.nowMs()).toISOString() },
      metadata: { [A2A_PAYMENT_EXTENSION_URI]: { trade_id: signed.trade_id, settled: true } },
    });
    return entry.task;
  }

  async function dispatch(method: string, params: unknown): Promise<unknown> {
    prune();
    if (method === "SendMessage") {
      const request = SendMessageRequest.fromJSON(params ?? {});
      const message = request.message;
      if (message === undefined) throw new RpcError(-32_602, "SendMessage needs a message");
      const task = message.taskId === "" ? await start(message) : await pay(message);
      return SendMessageResponse.toJSON({ payload: { $case: "task", value: task } });
    }
    if (method === "GetTask") {
      const id = (params as { id?: unknown } | null)?.id;
      const entry = typeof id === "string" ? tasks.get(id) : undefined;
      if (entry === undefined) throw new RpcError(-32_001, "task not found");
      return Task.toJSON(entry.task);
    }
    throw new RpcError(-32_601, `method ${method} is not supported`);
  }

  return {
    async handle(body) {
      const request = body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | null;
      const id = typeof request?.id === "string" || typeof request?.id === "number" ? request.id : null;
      if (
        request === null ||
        typeof request !== "object" ||
        request.jsonrpc !== "2.0" ||
        typeof request.method !== "string"
      )
        return { jsonrpc: "2.0", id, error: { code: -32_600, message: "invalid JSON-RPC request" } };
      try {
        return { jsonrpc: "2.0", id, result: await dispatch(request.method, request.params) };
      } catch (error) {
        const rpc = rpcErrorOf(error);
        return {
          jsonrpc: "2.0",
          id,
          error: {
            code: rpc.code,
            message: rpc.message,
            ...(rpc.data === undefined ? {} : { data: rpc.data }),
          },
        };
      }
    },
  };
}
