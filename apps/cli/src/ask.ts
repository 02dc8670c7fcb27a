/**
 * Asking a node one question through its OpenAI endpoint, as `chat`, `worker` and scripts do: streams the
 * answer (or returns the whole response with `--json`), reads the cost and balance from `x_tirami`, picks
 * a model when none is named, and — with `--wait-approval` — waits for an operator to approve a spend
 * above the approval threshold and retries with the approval and the same request id.
 * @module
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { APPROVAL_POLL_MS, APPROVAL_WAIT_MS_MAX, CHAT_TIMEOUT_MS_DEFAULT } from "./constants.js";
import type { CommandContext } from "./context.js";
import { CliError, ExitCode } from "./errors.js";
import { short } from "./format.js";
import { errorFromStreamFrame } from "./http-errors.js";
import type { ChatCompletionRequest } from "@tirami/client";
import { list, num, pick, record } from "./values.js";

/** One chat message on the wire. */
export interface Message {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Generation settings from the flags. */
export interface ChatSettings {
  model: string | undefined;
  maxTokens: number;
  temperature: number | undefined;
  /** Mesh routing preference (`x_tirami.route`). */
  route?: string | undefined;
  /** Pin a provider account (`x_tirami.provider`). */
  provider?: string | undefined;
  /** On APPROVAL_REQUIRED, wait for an operator's decision and retry with the approval. */
  waitApproval?: boolean | undefined;
}

/** Per-attempt `x_tirami` fields: the request id (the same on a retry, so an approval is redeemed). */
interface Attempt {
  requestId: string;
  approvalId?: string | undefined;
}

/** What one answer cost, read from `x_tirami` and `usage`. */
export interface AnswerReceipt {
  text: string;
  completionTokens: number | undefined;
  costTrm: number | undefined;
  balanceTrm: number | undefined;
  provider: string | undefined;
  tradeId: string | undefined;
  /** Generation speed seen by this client while streaming: tokens after the first per second since it. */
  tokensPerS?: number | undefined;
}

function xTirami(settings: ChatSettings, attempt: Attempt): Record<string, unknown> {
  return {
    request_id: attempt.requestId,
    ...(attempt.approvalId === undefined ? {} : { approval_id: attempt.approvalId }),
    ...(settings.route === undefined ? {} : { route: settings.route }),
    ...(settings.provider === undefined ? {} : { provider: settings.provider }),
  };
}

function requestBody(
  messages: Message[],
  settings: ChatSettings & { model: string },
  attempt: Attempt,
  stream: boolean,
): ChatCompletionRequest {
  return {
    model: settings.model,
    messages,
    max_tokens: settings.maxTokens,
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    x_tirami: xTirami(settings, attempt),
  };
}

function receiptFrom(frames: Record<string, unknown>[], text: string): AnswerReceipt {
  let x: Record<string, unknown> = {};
  let usage: Record<string, unknown> = {};
  for (const frame of frames) {
    if (frame["x_tirami"] !== undefined) x = record(frame["x_tirami"]);
    if (frame["usage"] !== undefined && frame["usage"] !== null) usage = record(frame["usage"]);
  }
  const provider = pick(x, "provider");
  const tradeId = pick(x, "trade_id");
  return {
    text,
    completionTokens: num(usage, "completion_tokens"),
    costTrm: num(x, "trm_cost", "cost_trm"),
    balanceTrm: num(x, "effective_balance", "effective_balance_trm"),
    provider: typeof provider === "string" ? provider : undefined,
    tradeId: typeof tradeId === "string" ? tradeId : undefined,
  };
}

/**
 * Asks one question. In human mode the answer streams to stdout; returns the receipt. In JSON mode the
 * whole response is returned as `raw`.
 */
export async function ask(
  ctx: CommandContext,
  messages: Message[],
  chosen: ChatSettings,
): Promise<AnswerReceipt & { raw: unknown }> {
  const settings = { ...chosen, model: chosen.model ?? (await defaultModel(ctx)) };
  const attempt: Attempt = { requestId: `cli-${randomBytes(12).toString("hex")}` };
  try {
    return await askOnce(ctx, messages, settings, attempt);
  } catch (error) {
    const approvalId = (error as CliError).details?.["approval_id"];
    if (
      !settings.waitApproval ||
      (error as CliError).code !== "APPROVAL_REQUIRED" ||
      typeof approvalId !== "string"
    )
      throw error;
    await waitForApproval(ctx, approvalId);
    return askOnce(ctx, messages, settings, { ...attempt, approvalId });
  }
}

/**
 * Waits until approval `id` is decided (bounded by APPROVAL_WAIT_MS_MAX; the node's deadline denies it
 * sooner). Resolves when approved.
 * @throws {CliError} SPEND_DENIED (exit 5) when it is denied or expires.
 */
async function waitForApproval(ctx: CommandContext, id: string): Promise<void> {
  ctx.out.note(`waiting for an operator: \`tirami approvals approve ${id}\` (or deny it)`);
  const deadline = Date.now() + APPROVAL_WAIT_MS_MAX;
  const client = ctx.client();
  while (Date.now() < deadline) {
    const approvals = list(await client.api.approvals({ limit: 1_000 }), "approvals");
    const status = pick(approvals.find((a) => a["approval_id"] === id) ?? {}, "status");
    if (status === "approved") return;
    if (status !== "pending")
      throw new CliError(
        "APPROVAL_DENIED",
        ExitCode.DENIED,
        `approval ${id} was ${String(status ?? "not found")}`,
        {
          hint: "ask the operator again, or lower --max-tokens to stay under the approval threshold",
        },
      );
    await new Promise((resolve) => setTimeout(resolve, APPROVAL_POLL_MS));
  }
  throw new CliError(
    "APPROVAL_DENIED",
    ExitCode.DENIED,
    `approval ${id} was not decided within ${APPROVAL_WAIT_MS_MAX} ms`,
    {
      hint: "ask the operator to run `tirami approvals list`",
    },
  );
}

async function askOnce(
  ctx: CommandContext,
  messages: Message[],
  settings: ChatSettings & { model: string },
  attempt: Attempt,
): Promise<AnswerReceipt & { raw: unknown }> {
  const client = ctx.client(Math.max(ctx.options.timeout_ms, CHAT_TIMEOUT_MS_DEFAULT));
  if (ctx.out.json) {
    const raw = await client.api.chatCompletions(requestBody(messages, settings, attempt, false));
    const choice = list(raw, "choices")[0] ?? {};
    const content = pick(record(choice["message"]), "content");
    return { ...receiptFrom([record(raw)], typeof content === "string" ? content : ""), raw };
  }
  const frames: Record<string, unknown>[] = [];
  let text = "";
  let firstMs: number | undefined;
  for await (const chunk of client.api.streamChatCompletions(
    requestBody(messages, settings, attempt, true),
  )) {
    const frame = record(chunk);
    if (frame["error"] !== undefined) throw errorFromStreamFrame(frame, client.token, client.url);
    frames.push(frame);
    for (const choice of list(frame, "choices")) {
      const piece = pick(record(choice["delta"]), "content");
      if (typeof piece === "string" && piece !== "") {
        firstMs ??= performance.now();
        text += piece;
        ctx.out.raw(piece);
      }
    }
  }
  const generationMs = firstMs === undefined ? 0 : performance.now() - firstMs;
  ctx.out.raw("\n");
  const receipt = receiptFrom(frames, text);
  return { ...receipt, tokensPerS: tokensPerSecond(receipt.completionTokens, generationMs), raw: undefined };
}

/**
 * Tokens per second from the first streamed token to the end (the first token's wait is the prompt's,
 * not generation), one decimal; undefined when it cannot be measured (one token, or no usage).
 */
export function tokensPerSecond(
  completionTokens: number | undefined,
  generationMs: number,
): number | undefined {
  if (completionTokens === undefined || completionTokens < 2 || generationMs <= 0) return undefined;
  return Math.round(((completionTokens - 1) / generationMs) * 10_000) / 10;
}

/**
 * The model to ask for when `--model` is not given: the node's own model, else the first model a
 * provider in its mesh offers.
 * @throws {CliError} MODEL_NOT_FOUND (exit 7) when neither exists.
 */
export async function defaultModel(ctx: CommandContext): Promise<string> {
  const client = ctx.client();
  const served = list(await client.api.models(), "data")
    .map((m) => m["id"])
    .find((id): id is string => typeof id === "string");
  if (served !== undefined) return served;
  // The mesh's models (`{ model_id, providers, min_price_trm_per_token }`), when the node runs a mesh.
  const mesh = list(await client.api.providers().catch(() => ({})), "models")
    .map((m) => m["model_id"])
    .find((id): id is string => typeof id === "string");
  if (mesh !== undefined) return mesh;
  throw new CliError(
    "MODEL_NOT_FOUND",
    ExitCode.NOT_FOUND,
    `the node at ${client.url} serves no model and knows no provider`,
    {
      hint: "start it with --model <name>, or join a mesh with --bootstrap (offers arrive within the offer interval), or pass --model",
    },
  );
}

/** Prints the receipt line after an answer (stderr, so stdout holds only the answer). */
export async function printReceipt(ctx: CommandContext, receipt: AnswerReceipt): Promise<void> {
  let balance = receipt.balanceTrm;
  if (balance === undefined) {
    const b = record(
      await ctx
        .client()
        .api.balance()
        .catch(() => ({})),
    );
    balance = num(b, "effective_balance_trm", "effective_balance", "balance_trm");
  }
  const parts = [
    `cost ${receipt.costTrm ?? "?"} TRM`,
    `balance ${balance ?? "?"} TRM`,
    ...(receipt.completionTokens === undefined ? [] : [`${receipt.completionTokens} tokens`]),
    ...(receipt.tokensPerS === undefined ? [] : [`${receipt.tokensPerS} tok/s`]),
    ...(receipt.provider === undefined ? [] : [`provider ${String(short(receipt.provider))}`]),
    ...(receipt.tradeId === undefined ? [] : [`trade ${String(short(receipt.tradeId))}`]),
  ];
  ctx.out.note(ctx.out.color.dim(`— ${parts.join(" · ")}`));
}

/** Runs a conversation over `input` lines until `exit`/`quit` or end of input. */
