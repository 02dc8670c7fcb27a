/**
 * The consumer side of a paid A2A task, through the ledger's spend path — the same path every purchase
 * over the mesh takes (docs/architecture.md §6), so the safety gate, the budget of the spender and the
 * hold all apply before a byte leaves the node:
 *
 * 1. `spend()` checks the gate and holds the worst case `costTrm(max_tokens, quoted price)`;
 * 2. `run` sends message 1 with the signed intent (`payment.ts`) and reads the task: `input-required`,
 *    the output, and the provider's proposal, which must name this consumer, the provider, the model, the
 *    quoted price and this request, and report at most `max_tokens`;
 * 3. the spend path builds the trade from what was received and quoted (with the proposal's timestamp
 *    and nonce) and takes the provider's signature only when it is over exactly that trade — a provider
 *    that asks for more than it quoted signs other bytes and is refused; it counter-signs and applies the
 *    trade against the hold;
 * 4. message 2 carries this node's signature; the provider applies the trade and gossips it.
 *
 * The provider reports the completion tokens (the answer arrives as text, not as counted token frames as
 * over the mesh); the hold and the check against `max_tokens` bound what it can charge.
 * @module
 */
import { randomBytes } from "node:crypto";
import { AGENT_CARD_PATH, AgentCard, SendMessageResponse, type Task, TaskState } from "@a2a-js/sdk";
import { type AccountId, fromHex, isAccountId, type Signer, verifySignature } from "@tirami/core";
import type { SpendPath } from "@tirami/ledger";
import { computeTradeId, tradeCanonicalBytes } from "@tirami/proto";
import { AgoraError, AgoraErrorCode } from "../errors.js";
import {
  A2A_PAYMENT_EXTENSION_URI,
  type PaymentProposal,
  readPaymentProposal,
  signPaymentIntent,
} from "./payment.js";

/** Bound on each HTTP exchange with the provider, ms. */
export const A2A_REQUEST_TIMEOUT_MS_DEFAULT = 120_000;
/** Largest answer read from a provider, bytes. */
export const A2A_RESPONSE_BYTES_MAX = 1_048_576;

/** Who to pay and where, as a provider's agent card says. */
export interface A2AProviderInfo {
  endpoint: string;
  account: AccountId;
  prices: Record<string, number>;
}

/** One paid task. */
export interface A2ATaskRequest {
  provider: A2AProviderInfo;
  modelId: string;
  prompt: string;
  maxTokens: number;
  /** Who spends (the operator or an agent), as for any purchase. */
  spender: string;
  requestId?: string | undefined;
  timeoutMs?: number | undefined;
}

/** The answer and its settlement. */
export interface A2ATaskResult {
  task_id: string;
  text: string;
  provider: AccountId;
  model_id: string;
  amount_trm: number;
  trade_id: string | null;
  /** The provider confirmed it applied the trade too. */
  provider_settled: boolean;
}

export interface A2AConsumerDeps {
  spend: SpendPath;
  /** This node's key (the spend path's account). */
  signer: Signer;
  nowMs(): number;
}

const peerFailed = (message: string, cause?: unknown): AgoraError =>
  new AgoraError(AgoraErrorCode.A2A_PEER_FAILED, message, cause === undefined ? undefined : { cause });

async function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw peerFailed(`${url} could not be reached`, cause);
  }
  const text = await response.text();
  if (text.length > A2A_RESPONSE_BYTES_MAX)
    throw peerFailed(`${url} answered more than ${A2A_RESPONSE_BYTES_MAX} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw peerFailed(`${url} answered ${response.status} with no JSON`, cause);
  }
}

/** Reads a provider's agent card (its URL, or its base URL) and the payment terms in it. */
export async function fetchA2AProvider(
  url: string,
  timeoutMs = A2A_REQUEST_TIMEOUT_MS_DEFAULT,
): Promise<A2AProviderInfo> {
  const cardUrl = url.endsWith(".json") ? url : `${url.replace(/\/+$/, "")}/${AGENT_CARD_PATH}`;
  const card = AgentCard.fromJSON((await postJson(cardUrl, undefined, timeoutMs)) as Record<string, unknown>);
  const endpoint = card.supportedInterfaces.find((item) => item.protocolBinding === "JSONRPC")?.url;
  const extension = card.capabilities?.extensions.find((item) => item.uri === A2A_PAYMENT_EXTENSION_URI);
  const account = extension?.params?.account as unknown;
  const prices = (extension?.params?.prices ?? {}) as Record<string, number>;
  if (endpoint === undefined || !isAccountId(account))
    throw peerFailed(
      `${cardUrl} is not the card of a Tirami node (no JSON-RPC interface or payment extension)`,
    );
  return { endpoint, account, prices };
}

async function rpc(endpoint: string, params: unknown, timeoutMs: number): Promise<Task> {
  const answer = (await postJson(
    endpoint,
    { jsonrpc: "2.0", id: randomBytes(8).toString("hex"), method: "SendMessage", params },
    timeoutMs,
  )) as { result?: unknown; error?: { code?: number; message?: string; data?: { code?: string } } };
  if (answer.error !== undefined) {
    const code =
      answer.error.data?.code === AgoraErrorCode.A2A_PAYMENT_INVALID
        ? AgoraErrorCode.A2A_PAYMENT_INVALID
        : AgoraErrorCode.A2A_PEER_FAILED;
    throw new AgoraError(code, `the provider refused: ${String(answer.error.message ?? "error")}`);
  }
  const payload = SendMessageResponse.fromJSON((answer.result ?? {}) as Record<string, unknown>).payload;
  if (payload?.$case !== "task") throw peerFailed("the provider did not answer with a task");
  return payload.value;
}

const textOf = (task: Task): string =>
  task.artifacts
    .flatMap((artifact) => artifact.parts)
    .map((part) => (part.content?.$case === "text" ? part.content.value : ""))
    .join("");

/** Runs one paid task. @throws the spend path's errors (SpendDeniedError, INSUFFICIENT_BALANCE) and AgoraError. */
export async function runA2ATask(deps: A2AConsumerDeps, request: A2ATaskRequest): Promise<A2ATaskResult> {
  const { provider, modelId, maxTokens } = request;
  const price = provider.prices[modelId];
  if (price === undefined || !Number.isFinite(price))
    throw new AgoraError(
      AgoraErrorCode.INVALID_AGORA_REQUEST,
      `the provider does not price model "${modelId}"`,
    );
  const requestId = request.requestId ?? `a2a-${randomBytes(12).toString("hex")}`;
  const timeoutMs = request.timeoutMs ?? A2A_REQUEST_TIMEOUT_MS_DEFAULT;
  let task: Task | undefined;
  let proposal: PaymentProposal | undefined;
  const outcome = await deps.spend.spend({
    spender: request.spender,
    modelId,
    priceTrmPerToken: price,
    maxTokens,
    requestId,
    reason: `a2a task at ${provider.account}`,
    counterparty: {
      account: provider.account,
      async signTrade(trade) {
        if (proposal === undefined || computeTradeId(trade) !== proposal.trade_id)
          throw new AgoraError(
            AgoraErrorCode.A2A_PAYMENT_INVALID,
            "the provider's trade is not what was received and quoted",
          );
        if (
          !verifySignature(provider.account, tradeCanonicalBytes(trade), fromHex(proposal.provider_signature))
        )
          throw new AgoraError(
            AgoraErrorCode.A2A_PAYMENT_INVALID,
            "the provider's signature does not verify",
          );
        return proposal.provider_signature;
      },
    },
    run: async () => {
      const intent = signPaymentIntent(
        {
          consumer: deps.signer.accountId,
          provider: provider.account,
          model_id: modelId,
          price_trm_per_token: price,
          max_tokens: maxTokens,
          request_id: requestId,
          timestamp_ms: deps.nowMs(),
        },
        deps.signer,
      );
      task = await rpc(
        provider.endpoint,
        {
          message: {
            messageId: randomBytes(8).toString("hex"),
            role: "ROLE_USER",
            parts: [{ text: request.prompt }],
            metadata: { [A2A_PAYMENT_EXTENSION_URI]: intent },
            extensions: [A2A_PAYMENT_EXTENSION_URI],
          },
        },
        timeoutMs,
      );
      if (task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED)
        throw peerFailed("the provider's task is not waiting for payment");
      proposal = readPaymentProposal(task.metadata);
      const t = proposal.trade;
      if (
        t.consumer !== deps.signer.accountId ||
        t.provider !== provider.account ||
        t.model_id !== modelId ||
        t.price_trm_per_token !== price ||
        t.request_id !== requestId ||
        t.completion_tokens > maxTokens
      )
        throw new AgoraError(
          AgoraErrorCode.A2A_PAYMENT_INVALID,
          "the provider's trade does not match the intent",
        );
      return {
        promptTokens: t.prompt_tokens,
        completionTokens: t.completion_tokens,
        tradeTimestampMs: t.timestamp_ms,
        tradeNonce: t.nonce,
      };
    },
  });
  const done = task as Task | undefined;
  if (done === undefined) throw peerFailed("the task did not run");
  let settled = false;
  if (outcome.signedTrade !== null) {
    const confirmed = await rpc(
      provider.endpoint,
      {
        message: {
          messageId: randomBytes(8).toString("hex"),
          taskId: done.id,
          contextId: done.contextId,
          role: "ROLE_USER",
          parts: [{ text: "payment" }],
          metadata: {
            [A2A_PAYMENT_EXTENSION_URI]: {
              trade_id: outcome.signedTrade.trade_id,
              consumer_signature: outcome.signedTrade.consumer_signature,
            },
          },
          extensions: [A2A_PAYMENT_EXTENSION_URI],
        },
      },
      timeoutMs,
    ).catch(() => undefined);
    settled = confirmed?.status?.state === TaskState.TASK_STATE_COMPLETED;
  }
  return {
    task_id: done.id,
    text: textOf(done),
    provider: provider.account,
    model_id: modelId,
    amount_trm: outcome.amountTrm,
    trade_id: outcome.tradeId,
    provider_settled: settled,
  };
}
