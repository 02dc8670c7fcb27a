/**
 * The spend path (docs/architecture.md §3, §4, §6): the one way a node pays another node for work. Every
 * purchase — inference over the mesh now, loans, bank actions and mind cycles later — goes through
 * `spend()`, and so through the one safety gate:
 *
 *   1. the spender must be allowed to spend at all: the operator always is; any other spender (an app's
 *      agent) is asked of the spender directory, and refused without one (SPENDER_UNKNOWN);
 *   2. the safety gate decides on the worst case `costTrm(maxUnits, quoted price)` — a denial throws
 *      `SpendDeniedError` with the gate's code (kill switch, budgets, approval required with its id,
 *      breaker) and nothing is reserved;
 *   3. a ledger hold reserves the worst case on this node's account (INSUFFICIENT_BALANCE → thrown);
 *   4. `run` does the work and returns what was actually received; an abort (client gone, shutdown) must
 *      still resolve with what was received so far;
 *   5. the actual cost `costTrm(received units, price)` — never more than the hold — is settled by a
 *      dual-signed trade built with proto's `createTrade`: the counterparty signs it, this node signs it,
 *      `assembleSignedTrade` checks both and the ledger applies it against the hold in one transaction;
 *      the remainder is released;
 *   6. the gate records the spend (budgets) and the outcome (breaker); on any failure after step 3 the
 *      hold and the grant are released and the failure counts toward the breaker.
 * @module
 */
import { type AccountId, type Clock, costTrm, type Signer } from "@tirami/core";
import {
  assembleSignedTrade,
  createTrade,
  isRequestId,
  PRICE_TRM_PER_TOKEN_MAX,
  type SignedTrade,
  signTrade,
  type Trade,
} from "@tirami/proto";
import type { Ledger } from "../ledger.js";
import { OPERATOR_SPENDER } from "../safety/constants.js";
import { COUNTERPARTY_SIGN_TIMEOUT_MS, SPEND_HOLD_REASON_PREFIX } from "./constants.js";
import { SpendDeniedError, SpendError, SpendErrorCode } from "./errors.js";

/** The other node: its account and a way to get its signature on the trade this node built. */
export interface Counterparty {
  account: AccountId;
  /**
   * Returns the counterparty's Ed25519 signature (128 hex) over the trade's canonical bytes. Over the mesh
   * this is the provider's proposal, checked against what was received.
   */
  signTrade(trade: Trade): Promise<string>;
}

/** What the work reports back: exact token counts as received. */
export interface SpendWork {
  promptTokens: number;
  completionTokens: number;
  /**
   * When the counterparty proposed the trade first (the mesh: the provider signs first), its
   * `timestamp_ms` and `nonce`, so both sides sign the same bytes. Every other field is still computed
   * here from what was received and quoted.
   */
  tradeTimestampMs?: number | undefined;
  tradeNonce?: string | undefined;
}

/** One purchase. */
export interface SpendPathRequest<R extends SpendWork> {
  /** `OPERATOR_SPENDER` or a spender the directory knows (an agent's name). */
  spender: string;
  counterparty: Counterparty;
  modelId: string;
  /** The quoted price, TRM per token of the kind `pricedBy` names (completion tokens by default). */
  priceTrmPerToken: number;
  /** Most tokens (of the kind `pricedBy` names) that will be paid for; the worst case is `costTrm(maxTokens, price)`. */
  maxTokens: number;
  /**
   * Which tokens the price applies to: `completion` (generation, the default) or `prompt` (embeddings,
   * priced per input token; the trade then bills the prompt tokens and records 0 completion tokens).
   */
  pricedBy?: "completion" | "prompt" | undefined;
  /** The trade's `request_id` (printable ASCII, no spaces, ≤ 128); a retry with the same id redeems an approval. */
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

/** What a finished spend used, for the spender's own meter. */
export interface SpendUsage {
  promptTokens: number;
  completionTokens: number;
  spentTrm: number;
}

/**
 * The spenders other than the operator (an app's agents): whether one may spend now, and where its usage
 * is metered. A directory that throws denies (fail closed).
 */
export interface SpenderDirectory {
  /** Undefined when `spender` may spend; else why not (e.g. `AGENT_FROZEN`). */
  refusal(spender: string): { code: string; message: string } | undefined;
  recordUsage(spender: string, usage: SpendUsage): void;
}

/** A tracker of running work (graceful shutdown): `begin` throws once the owner stops accepting. */
export interface SpendTracker {
  begin(): { signal: AbortSignal; end(): void };
}

/** What the spend path uses. */
export interface SpendDeps {
  /** The ledger of this node (its `safety` gate decides every spend). */
  ledger: Pick<Ledger, "balance" | "reserve" | "release" | "applySignedTrade" | "safety">;
  /** This node's signer: its account is the consumer of every trade. */
  signer: Signer;
  clock: Clock;
  /** Spenders besides the operator; without one only `OPERATOR_SPENDER` can spend. */
  spenders?: SpenderDirectory | undefined;
  /** When given, each spend is tracked (refused once it stops accepting, aborted at its deadline). */
  tracker?: SpendTracker | undefined;
  /** Longest wait for the counterparty's signature (ms); default `COUNTERPARTY_SIGN_TIMEOUT_MS`. */
  signTimeoutMs?: number | undefined;
  /** Observers, e.g. for metrics. */
  onDenied?: ((code: string) => void) | undefined;
  /** After a spend settled: what it cost, who spent, and its trade (null when nothing was traded). */
  onSpent?: ((amountTrm: number, spent: SpentBy) => void) | undefined;
}

/** Who made a settled spend and the trade it paid for, as `onSpent` reports it. */
export interface SpentBy {
  spender: string;
  requestId: string;
  tradeId: string | null;
}

/** The spend path. */
export interface SpendPath {
  /** The account that pays (this node's). */
  readonly account: AccountId;
  /**
   * Runs one purchase end to end.
   * @throws {SpendDeniedError} with the gate's or the directory's code — nothing reserved.
   * @throws LedgerError INSUFFICIENT_BALANCE — nothing reserved, grant released.
   * @throws {SpendError} COUNTERPARTY_TIMEOUT, or whatever `run` or `counterparty.signTrade` throws, after
   *   releasing the hold and the grant.
   */
  spend<R extends SpendWork>(request: SpendPathRequest<R>): Promise<SpendOutcome<R>>;
}

/** Rejects misuse before anything is asked or reserved (TypeError/RangeError: programmer errors). */
function assertSpendRequest(request: SpendPathRequest<SpendWork>): void {
  if (!isRequestId(request.requestId)) {
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
  if (request.pricedBy !== undefined && request.pricedBy !== "completion" && request.pricedBy !== "prompt")
    throw new RangeError(`"pricedBy" expected "completion" or "prompt"`);
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
          new SpendError(
            SpendErrorCode.COUNTERPARTY_TIMEOUT,
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

/** Builds the spend path of the node whose key is `deps.signer`. */
export function createSpendPath(deps: SpendDeps): SpendPath {
  const consumer = deps.signer.accountId;
  const { ledger } = deps;
  const safety = ledger.safety;

  function deny(code: string, message: string, details: Record<string, unknown>): never {
    deps.onDenied?.(code);
    throw new SpendDeniedError(code, message, details);
  }

  function assertMaySpend(spender: string): void {
    if (spender === OPERATOR_SPENDER) return;
    if (deps.spenders === undefined)
      deny(SpendErrorCode.SPENDER_UNKNOWN, `no spender directory knows "${spender}"`, { spender });
    const refusal = deps.spenders.refusal(spender);
    if (refusal !== undefined) deny(refusal.code, refusal.message, { spender });
  }

  /** Releases a hold on the failure path without masking the original error (it may have expired). */
  function releaseQuietly(holdId: string): void {
    try {
      ledger.release(holdId);
    } catch {
      // Expired or already closed: the maintenance loop or the ledger already returned the TRM.
    }
  }

  async function settle<R extends SpendWork>(
    request: SpendPathRequest<R>,
    work: R,
    holdId: string,
  ): Promise<{ amountTrm: number; signed: SignedTrade | null }> {
    const byPrompt = request.pricedBy === "prompt";
    const billedTokens = Math.min(byPrompt ? work.promptTokens : work.completionTokens, request.maxTokens);
    if (billedTokens === 0) {
      ledger.release(holdId);
      return { amountTrm: 0, signed: null };
    }
    const trade = createTrade({
      provider: request.counterparty.account,
      consumer,
      amount_trm: costTrm(billedTokens, request.priceTrmPerToken),
      prompt_tokens: byPrompt ? billedTokens : work.promptTokens,
      completion_tokens: byPrompt ? 0 : billedTokens,
      model_id: request.modelId,
      price_trm_per_token: request.priceTrmPerToken,
      timestamp_ms: work.tradeTimestampMs ?? deps.clock.nowMs(),
      nonce: work.tradeNonce,
      request_id: request.requestId,
    });
    const providerSignature = await withTimeout(
      request.counterparty.signTrade(trade),
      deps.signTimeoutMs ?? COUNTERPARTY_SIGN_TIMEOUT_MS,
    );
    const signed = assembleSignedTrade(trade, providerSignature, signTrade(trade, deps.signer));
    ledger.applySignedTrade(signed, { holdId });
    return { amountTrm: trade.amount_trm, signed };
  }

  async function spendTracked<R extends SpendWork>(
    request: SpendPathRequest<R>,
    shutdownSignal: AbortSignal | undefined,
  ): Promise<SpendOutcome<R>> {
    assertSpendRequest(request);
    assertMaySpend(request.spender);
    const heldTrm = costTrm(request.maxTokens, request.priceTrmPerToken);
    const decision = safety.checkSpend({
      spender: request.spender,
      amountTrm: heldTrm,
      reason: request.reason ?? "inference",
      requestId: request.requestId,
      ...(request.approvalId === undefined ? {} : { approvalId: request.approvalId }),
    });
    if (!decision.allowed) {
      const details: Record<string, unknown> = { spender: request.spender, amount_trm: heldTrm };
      if (decision.approvalId !== undefined) details.approval_id = decision.approvalId;
      if (decision.deadlineMs !== undefined) details.deadline_ms = decision.deadlineMs;
      if (decision.retryAfterMs !== undefined) details.retry_after_ms = decision.retryAfterMs;
      deny(decision.code, decision.message, details);
    }
    let holdId: string | undefined;
    try {
      holdId =
        heldTrm > 0
          ? ledger.reserve({
              account: consumer,
              amountTrm: heldTrm,
              reason: `${SPEND_HOLD_REASON_PREFIX}${request.requestId}`,
            })
          : undefined;
    } catch (error) {
      safety.releaseSpend(decision.grantId);
      throw error;
    }
    const signals = [request.signal, shutdownSignal].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    try {
      const work = await request.run(AbortSignal.any(signals));
      const { amountTrm, signed } =
        holdId === undefined ? { amountTrm: 0, signed: null } : await settle(request, work, holdId);
      holdId = undefined;
      if (amountTrm > 0)
        safety.recordSpend({ spender: request.spender, amountTrm, grantId: decision.grantId });
      else safety.releaseSpend(decision.grantId);
      safety.recordOutcome(request.spender, true);
      deps.spenders?.recordUsage(request.spender, {
        promptTokens: work.promptTokens,
        completionTokens: work.completionTokens,
        spentTrm: amountTrm,
      });
      deps.onSpent?.(amountTrm, {
        spender: request.spender,
        requestId: request.requestId,
        tradeId: signed?.trade_id ?? null,
      });
      return {
        work,
        amountTrm,
        heldTrm,
        tradeId: signed?.trade_id ?? null,
        signedTrade: signed,
        effectiveBalanceTrm: ledger.balance(consumer).effective_balance_trm,
      };
    } catch (error) {
      if (holdId !== undefined) releaseQuietly(holdId);
      safety.releaseSpend(decision.grantId);
      safety.recordOutcome(request.spender, false);
      throw error;
    }
  }

  return {
    account: consumer,
    async spend(request) {
      const entry = deps.tracker?.begin();
      try {
        return await spendTracked(request, entry?.signal);
      } finally {
        entry?.end();
      }
    },
  };
}
