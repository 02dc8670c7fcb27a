/**
 * The spend path (ARCHITECTURE §3, §4, §6): the one way this node pays another node for work. Every remote
 * purchase — inference over the mesh now, anything that moves TRM later — goes through `spend()`:
 *
 *   1. the spender must be active (a frozen agent is refused: AGENT_FROZEN);
 *   2. the safety gate decides on the worst case, `costTrm(maxTokens, quoted price)` — a denial throws
 *      `SpendDeniedError` with the gate's code (kill switch, budgets, approval required with its id,
 *      breaker) and nothing is reserved;
 *   3. a ledger hold reserves the worst case on the node's account (INSUFFICIENT_BALANCE → 402);
 *   4. `run` does the work and returns what was actually received; an abort (client gone, shutdown)
 *      must still resolve with what was received so far;
 *   5. the actual cost `costTrm(completion_tokens, price)` — never more than the hold, since tokens beyond
 *      `maxTokens` are not paid for — is settled by a dual-signed trade: the consumer builds the trade from
 *      the tokens it received, the counterparty signs it, this node signs it and applies it against the
 *      hold in one transaction; the remainder is released;
 *   6. the gate records the spend (budgets) and the outcome (breaker); on any failure after step 3 the hold
 *      and the grant are released and the failure counts toward the breaker.
 * @module
 */
import { randomBytes } from "node:crypto";
import { type AccountId, type Clock, costTrm, type Signer } from "@tirami/core";
import {
  computeTradeId,
  PRICE_TRM_PER_TOKEN_MAX,
  type SignedTrade,
  signTrade,
  type Trade,
} from "@tirami/proto";
import type { AgentRegistry } from "../agents/registry.js";
import { OPERATOR_SPENDER } from "../agents/registry.js";
import type { UsageMeter } from "../agents/usage.js";
import type { LedgerPort, SafetyPort } from "../deps.js";
import { COUNTERPARTY_SIGN_TIMEOUT_MS } from "../constants.js";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { InFlight } from "../in-flight.js";
import { SpendDeniedError } from "./errors.js";

/** The other node: its account and a way to get its signature on the trade this node built. */
export interface Counterparty {
  account: AccountId;
  /**
   * Returns the counterparty's Ed25519 signature (128 hex) over the trade's canonical bytes. Over the mesh
   * this is the provider checking the trade against what it served and signing it.
   */
  signTrade(trade: Trade): Promise<string>;
}

/** What the work reports back: exact token counts as received. */
export interface SpendWork {
  promptTokens: number;
  completionTokens: number;
  /**
   * When the counterparty proposed the trade (the mesh: the provider signs first), its `timestamp_ms` and
   * `nonce`, so both sides sign the same bytes. Every other field is still computed here from what was
   * received and quoted.
   */
  tradeTimestampMs?: number | undefined;
  tradeNonce?: string | undefined;
}

/** One purchase. */
export interface SpendRequest<R extends SpendWork> {
  /** `operator` or an agent name. */
  spender: string;
  counterparty: Counterparty;
  modelId: string;
  /** The quoted price, TRM per completion token. */
  priceTrmPerToken: number;
  /** Most completion tokens that will be paid for; the worst case is `costTrm(maxTokens, price)`. */
  maxTokens: number;
  /** Caller's request id (printable ASCII, no spaces, ≤ 128): the trade's `request_id`; a retry with the same id redeems an approval. */
  requestId: string;
  /** Redeem this approval explicitly. */
  approvalId?: string | undefined;
  /** Why, for the decision log. Default "inference". */
  reason?: string | undefined;
  /** Does the work. `signal` aborts it; it must then resolve with what was received so far. */
  run(signal: AbortSignal): Promise<R>;
  /** Aborts the work (client disconnect, shutdown). */
  signal?: AbortSignal | undefined;
}

/** What a completed purchase cost. */
export interface SpendOutcome<R extends SpendWork> {
  work: R;
  /** TRM paid; 0 when nothing was received (then there is no trade). */
  amountTrm: number;
  /** The worst case that was reserved. */
  heldTrm: number;
  tradeId: string | null;
  signedTrade: SignedTrade | null;
  effectiveBalanceTrm: number;
}

/** What the spend path uses. */
export interface SpendDeps {
  ledger: Pick<LedgerPort, "balance" | "reserve" | "release" | "applySignedTrade">;
  safety: Pick<SafetyPort, "checkSpend" | "recordSpend" | "releaseSpend" | "recordOutcome">;
  agents: Pick<AgentRegistry, "get">;
  usage: UsageMeter;
  /** This node's signer: its account is the consumer of every trade. */
  signer: Signer;
  clock: Clock;
  /**
   * When given, each spend is tracked for graceful shutdown: refused with SHUTTING_DOWN once the node
   * stops accepting, and its work aborted (paying for what was received) when the grace period ends.
   */
  inFlight?: Pick<InFlight, "begin"> | undefined;
  /** Longest wait for the counterparty's signature (ms); default `COUNTERPARTY_SIGN_TIMEOUT_MS`. */
  signTimeoutMs?: number | undefined;
  /** Optional observers for metrics. */
  onDenied?: ((code: string) => void) | undefined;
  onSpent?: ((amountTrm: number) => void) | undefined;
}

/** The spend path. */
export interface SpendPath {
  /**
   * Runs one purchase end to end.
   * @throws {SpendDeniedError} (403) with the gate's code or AGENT_FROZEN — nothing reserved.
   * @throws LedgerError INSUFFICIENT_BALANCE (402) — nothing reserved, grant released.
   * @throws whatever `run` or `counterparty.signTrade` throws, after releasing the hold and the grant.
   */
  spend<R extends SpendWork>(request: SpendRequest<R>): Promise<SpendOutcome<R>>;
}

const HOLD_REASON_PREFIX = "spend:";
const REQUEST_ID_RE = /^[\x21-\x7e]{1,128}$/;

/** Rejects misuse before anything is asked or reserved (TypeError/RangeError: programmer errors). */
function assertSpendRequest(request: SpendRequest<SpendWork>): void {
  if (typeof request.requestId !== "string" || !REQUEST_ID_RE.test(request.requestId)) {
    throw new TypeError(`"requestId" expected 1–128 printable ASCII characters without spaces`);
  }
  if (
    !Number.isFinite(request.priceTrmPerToken) ||
    request.priceTrmPerToken < 0 ||
    request.priceTrmPerToken > PRICE_TRM_PER_TOKEN_MAX
  ) {
    throw new RangeError(`"priceTrmPerToken" expected a number from 0 to ${PRICE_TRM_PER_TOKEN_MAX}`);
  }
  if (!Number.isSafeInteger(request.maxTokens) || request.maxTokens < 1)
    throw new RangeError(`"maxTokens" expected a positive integer`);
  if (typeof request.run !== "function" || typeof request.counterparty?.signTrade !== "function") {
    throw new TypeError(`"run" and "counterparty.signTrade" must be functions`);
  }
}

/** Waits for the counterparty's signature at most `timeoutMs`. */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new NodeError(
            NodeErrorCode.COUNTERPARTY_TIMEOUT,
            `counterparty did not sign the trade within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the spend path of a node. */
export function createSpendPath(deps: SpendDeps): SpendPath {
  const consumer = deps.signer.accountId;

  function assertActive(spender: string): void {
    if (spender === OPERATOR_SPENDER) return;
    const agent = deps.agents.get(spender);
    if (agent.status !== "active") {
      deps.onDenied?.(NodeErrorCode.AGENT_FROZEN);
      throw new SpendDeniedError(
        NodeErrorCode.AGENT_FROZEN,
        `agent "${spender}" is ${agent.status}; it cannot spend`,
        { spender },
      );
    }
  }

  /** Releases a hold on the failure path without masking the original error (it may have expired). */
  function releaseQuietly(holdId: string): void {
    try {
      deps.ledger.release(holdId);
    } catch {
      // Expired or already closed: the maintenance loop or the ledger already returned the TRM.
    }
  }

  async function settle<R extends SpendWork>(
    request: SpendRequest<R>,
    work: R,
    holdId: string,
  ): Promise<{ amountTrm: number; signed: SignedTrade | null }> {
    const completionTokens = Math.min(work.completionTokens, request.maxTokens);
    const amountTrm = costTrm(completionTokens, request.priceTrmPerToken);
    if (completionTokens === 0) {
      deps.ledger.release(holdId);
      return { amountTrm: 0, signed: null };
    }
    const trade: Trade = {
      provider: request.counterparty.account,
      consumer,
      amount_trm: amountTrm,
      prompt_tokens: work.promptTokens,
      completion_tokens: completionTokens,
      model_id: request.modelId,
      price_trm_per_token: request.priceTrmPerToken,
      timestamp_ms: work.tradeTimestampMs ?? deps.clock.nowMs(),
      nonce: work.tradeNonce ?? randomBytes(16).toString("hex"),
      request_id: request.requestId,
    };
    const providerSignature = await withTimeout(
      request.counterparty.signTrade(trade),
      deps.signTimeoutMs ?? COUNTERPARTY_SIGN_TIMEOUT_MS,
    );
    const signed: SignedTrade = {
      trade_id: computeTradeId(trade),
      trade,
      provider_signature: providerSignature,
      consumer_signature: signTrade(trade, deps.signer),
    };
    deps.ledger.applySignedTrade(signed, { holdId });
    return { amountTrm, signed };
  }

  return {
    async spend(request) {
      const entry = deps.inFlight?.begin();
      try {
        return await spendTracked(request, entry?.signal);
      } finally {
        entry?.end();
      }
    },
  };

  async function spendTracked<R extends SpendWork>(
    request: SpendRequest<R>,
    shutdownSignal: AbortSignal | undefined,
  ): Promise<SpendOutcome<R>> {
    assertSpendRequest(request);
    assertActive(request.spender);
    const heldTrm = costTrm(request.maxTokens, request.priceTrmPerToken);
    const decision = deps.safety.checkSpend({
      spender: request.spender,
      amountTrm: heldTrm,
      reason: request.reason ?? "inference",
      requestId: request.requestId,
      ...(request.approvalId === undefined ? {} : { approvalId: request.approvalId }),
    });
    if (!decision.allowed) {
      deps.onDenied?.(decision.code);
      const details: Record<string, unknown> = { spender: request.spender, amount_trm: heldTrm };
      if (decision.approvalId !== undefined) details.approval_id = decision.approvalId;
      if (decision.deadlineMs !== undefined) details.deadline_ms = decision.deadlineMs;
      if (decision.retryAfterMs !== undefined) details.retry_after_ms = decision.retryAfterMs;
      throw new SpendDeniedError(decision.code, decision.message, details);
    }
    let holdId: string | undefined;
    try {
      holdId =
        heldTrm > 0
          ? deps.ledger.reserve({
              account: consumer,
              amountTrm: heldTrm,
              reason: `${HOLD_REASON_PREFIX}${request.requestId}`.slice(0, 256),
            })
          : undefined;
    } catch (error) {
      deps.safety.releaseSpend(decision.grantId);
      throw error;
    }
    const signals = [request.signal, shutdownSignal].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    const signal = AbortSignal.any(signals);
    try {
      const work = await request.run(signal);
      const { amountTrm, signed } =
        holdId === undefined ? { amountTrm: 0, signed: null } : await settle(request, work, holdId);
      holdId = undefined;
      if (amountTrm > 0)
        deps.safety.recordSpend({ spender: request.spender, amountTrm, grantId: decision.grantId });
      else deps.safety.releaseSpend(decision.grantId);
      deps.safety.recordOutcome(request.spender, true);
      deps.usage.record(request.spender, {
        promptTokens: work.promptTokens,
        completionTokens: work.completionTokens,
        spentTrm: amountTrm,
      });
      deps.onSpent?.(amountTrm);
      return {
        work,
        amountTrm,
        heldTrm,
        tradeId: signed?.trade_id ?? null,
        signedTrade: signed,
        effectiveBalanceTrm: deps.ledger.balance(consumer).effective_balance_trm,
      };
    } catch (error) {
      if (holdId !== undefined) releaseQuietly(holdId);
      deps.safety.releaseSpend(decision.grantId);
      deps.safety.recordOutcome(request.spender, false);
      throw error;
    }
  }
}
