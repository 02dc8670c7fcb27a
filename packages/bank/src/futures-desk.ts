/**
 * Compute futures over the mesh (docs/bank.md): the handshake on `/tirami/future/1.0.0` that makes a
 * future dual-signed, the gossip intake on `tirami/futures/1` that applies it on every node, and the
 * sweeper that settles due futures (every node by the same rule, against its own trade log).
 *
 * - `open` (this node proposes, long or short): the `bank` spender's safety gate decides on the margin;
 *   the future is proposed signed, and applied and gossiped once the other side signs.
 * - serving: the future must be between this node and the proposer, signed by it, fresh (±60 s), not
 *   expired, and the `bank` spender's gate must allow the margin (the most this node can lose); then it
 *   signs, applies and gossips. A node takes either side of any future its bank budget covers.
 * - every receiver verifies gossiped futures before forwarding: forged, tampered or half-signed ones are
 *   rejected; one whose margins are not yet funded here is kept (bounded) and retried.
 * @module
 */
import {
  type AccountId,
  type Clock,
  fromHex,
  isTiramiError,
  type Signer,
  verifySignature,
} from "@tirami/core";
import type { Ledger, StoredFuture } from "@tirami/ledger";
import { type FramedStream, type MeshHost, TOPIC_FUTURES } from "@tirami/net";
import {
  assembleSignedFuture,
  computeFutureId,
  createFuture,
  decodeMessage,
  encodeMessage,
  type Future,
  FUTURE_PROTOCOL_ID,
  futureCanonicalBytes,
  type FutureRejectReason,
  type FutureRole,
  type SignedFuture,
  signFuture,
} from "@tirami/proto";
import { BANK_SPENDER } from "./constants.js";
import { BankError, BankErrorCode } from "./errors.js";

/** A proposal further than this from the receiver's clock is refused. */
export const FUTURE_PROPOSAL_SKEW_MS = 60_000;
export const FUTURE_HANDSHAKE_TIMEOUT_MS = 15_000;
/** Gossiped futures kept for a retry while their margins are not funded here. */
export const PENDING_FUTURES_MAX = 1_024;
/** Settlement sweep and retry period. */
export const FUTURES_TICK_MS = 10_000;

export type FuturesLedger = Pick<Ledger, "futures" | "safety">;

export interface FuturesDesk {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Opens a future with `counterparty`, this node on `side`; resolves with the applied future. */
  open(request: {
    counterparty: AccountId;
    side: FutureRole;
    notionalTokens: number;
    strikeMicroTrmPerToken: number;
    marginTrm: number;
    expiresMs: number;
  }): Promise<StoredFuture>;
  /** Settles due futures and retries held ones now (the sweeper does this every tick). */
  sweep(): StoredFuture[];
}

class Refusal extends Error {
  constructor(
    readonly reason: FutureRejectReason,
    message: string,
  ) {
    super(message);
  }
}

const refused = (reason: string, message: string) =>
  new BankError(BankErrorCode.FUTURE_REFUSED, message, { details: { reason } });

export function createFuturesDesk(options: {
  host: MeshHost;
  ledger: FuturesLedger;
  signer: Signer;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}): FuturesDesk {
  const { host, ledger, signer, clock } = options;
  const self = signer.accountId;
  const log = options.log ?? (() => undefined);
  const pending = new Map<string, SignedFuture>();
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const publish = (signed: SignedFuture) =>
    host
      .publish(TOPIC_FUTURES, encodeMessage({ kind: "future_gossip", ...signed }))
      .then(() => undefined)
      .catch((error: unknown) => log("future publish failed", { err: (error as Error).message }));

  function intake(signed: SignedFuture, nowMs?: number): "applied" | "exists" | "held" | "stale" | "invalid" {
    try {
      return ledger.futures.applySignedFuture(signed, nowMs === undefined ? {} : { nowMs }).status;
    } catch (error) {
      if (!isTiramiError(error)) throw error;
      if (error.code === "INSUFFICIENT_BALANCE") {
        if (pending.size < PENDING_FUTURES_MAX) pending.set(signed.future_id, signed);
        return "held";
      }
      return error.code === "FUTURE_STALE" ? "stale" : "invalid";
    }
  }

  function gate(future: Future): string {
    const decision = ledger.safety.checkSpend({
      spender: BANK_SPENDER,
      amountTrm: future.margin_trm,
      reason: "future margin",
      requestId: computeFutureId(future),
    });
    if (!decision.allowed)
      throw new Refusal(
        decision.code === "KILL_SWITCH_ACTIVE" ? "KILL_SWITCH_ACTIVE" : "SAFETY_DENIED",
        decision.message,
      );
    return decision.grantId;
  }

  function consider(future: Future, role: FutureRole, signature: string, from: AccountId): string {
    const proposer = role === "long" ? future.long : future.short;
    const mine = role === "long" ? future.short : future.long;
    if (mine !== self || proposer !== from)
      throw new Refusal("INVALID_FUTURE", "the future is not between this node and the proposer");
    if (!verifySignature(proposer, futureCanonicalBytes(future), fromHex(signature)))
      throw new Refusal("INVALID_FUTURE", "the proposer's signature does not verify");
    const now = clock.nowMs();
    if (Math.abs(future.created_ms - now) > FUTURE_PROPOSAL_SKEW_MS || future.expires_ms <= now)
      throw new Refusal("INVALID_FUTURE", "created_ms is too far from this node's clock, or it has expired");
    return gate(future);
  }

  async function serve(stream: FramedStream): Promise<void> {
    const first = await stream[Symbol.asyncIterator]().next();
    if (first.done === true) return;
    let proposal;
    try {
      proposal = decodeMessage(first.value, ["future_proposal"]);
    } catch {
      stream.abort();
      return;
    }
    const futureId = computeFutureId(proposal.future);
    let grant: string | undefined;
    try {
      grant = consider(proposal.future, proposal.proposer_role, proposal.signature, stream.remoteAccount);
      const signature = signFuture(proposal.future, signer);
      const signed =
        proposal.proposer_role === "long"
          ? assembleSignedFuture(proposal.future, proposal.signature, signature)
          : assembleSignedFuture(proposal.future, signature, proposal.signature);
      try {
        ledger.futures.applySignedFuture(signed);
      } catch (error) {
        const code = isTiramiError(error) ? error.code : "INTERNAL";
        throw new Refusal(
          code === "INSUFFICIENT_BALANCE" ? "INSUFFICIENT_BALANCE" : "INTERNAL",
          (error as Error).message,
        );
      }
      ledger.safety.recordSpend({
        spender: BANK_SPENDER,
        amountTrm: signed.future.margin_trm,
        grantId: grant,
      });
      grant = undefined;
      await stream.send(encodeMessage({ kind: "future_accept", future_id: futureId, signature }));
      await stream.close();
      await publish(signed);
    } catch (error) {
      if (grant !== undefined) ledger.safety.releaseSpend(grant);
      const reason: FutureRejectReason = error instanceof Refusal ? error.reason : "INTERNAL";
      const message = (error as Error).message.slice(0, 1_000);
      await stream
        .send(encodeMessage({ kind: "future_reject", future_id: futureId, reason, message }))
        .catch(() => undefined);
      await stream.close().catch(() => undefined);
      log("future refused", { future_id: futureId, reason, message });
    }
  }

  async function propose(future: Future, role: FutureRole, peer: AccountId): Promise<SignedFuture> {
    const signature = signFuture(future, signer);
    let stream: FramedStream;
    try {
      stream = await host.request(peer, FUTURE_PROTOCOL_ID, {
        timeoutMs: FUTURE_HANDSHAKE_TIMEOUT_MS,
        idleTimeoutMs: FUTURE_HANDSHAKE_TIMEOUT_MS,
      });
    } catch (error) {
      throw refused("UNREACHABLE", `cannot reach ${peer}: ${(error as Error).message}`);
    }
    let answer;
    try {
      await stream.send(encodeMessage({ kind: "future_proposal", future, proposer_role: role, signature }));
      const next = await stream[Symbol.asyncIterator]().next();
      if (next.done === true) throw new Error("the counterparty closed the stream without an answer");
      answer = decodeMessage(next.value, ["future_accept", "future_reject"]);
      await stream.close();
    } catch (error) {
      stream.abort();
      throw refused("HANDSHAKE_FAILED", `future handshake failed: ${(error as Error).message}`);
    }
    if (answer.kind === "future_reject") throw refused(answer.reason, `${peer} refused: ${answer.message}`);
    return role === "long"
      ? assembleSignedFuture(future, signature, answer.signature)
      : assembleSignedFuture(future, answer.signature, signature);
  }

  function sweep(): StoredFuture[] {
    for (const [id, signed] of pending)
      if (intake(signed, Math.min(clock.nowMs(), signed.future.created_ms)) !== "held") pending.delete(id);
    return ledger.futures.applyDueSettlements();
  }

  return {
    async start() {
      unsubscribe = host.subscribe(TOPIC_FUTURES, {
        validate(bytes) {
          let message;
          try {
            message = decodeMessage(bytes, ["future_gossip"]);
          } catch {
            return "reject";
          }
          const { kind: _kind, ...signed } = message;
          const outcome = intake(signed);
          return outcome === "applied" || outcome === "held"
            ? "accept"
            : outcome === "invalid"
              ? "reject"
              : "ignore";
        },
        onMessage() {
          // Applied in the validator, before forwarding.
        },
      });
      await host.handle(FUTURE_PROTOCOL_ID, (stream) => serve(stream));
      timer = setInterval(() => {
        try {
          sweep();
        } catch (error) {
          log("futures sweep failed", { err: (error as Error).message });
        }
      }, FUTURES_TICK_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      await host.unhandle(FUTURE_PROTOCOL_ID).catch(() => undefined);
    },
    async open(request) {
      let future: Future;
      try {
        future = createFuture({
          long: request.side === "long" ? self : request.counterparty,
          short: request.side === "long" ? request.counterparty : self,
          notional_tokens: request.notionalTokens,
          strike_micro_trm_per_token: request.strikeMicroTrmPerToken,
          margin_trm: request.marginTrm,
          created_ms: clock.nowMs(),
          expires_ms: request.expiresMs,
        });
      } catch (error) {
        throw new BankError(BankErrorCode.INVALID_BANK_REQUEST, (error as Error).message);
      }
      let grant: string;
      try {
        grant = gate(future);
      } catch (error) {
        throw refused((error as Refusal).reason, (error as Error).message);
      }
      try {
        const signed = await propose(future, request.side, request.counterparty);
        ledger.futures.applySignedFuture(signed);
        ledger.safety.recordSpend({ spender: BANK_SPENDER, amountTrm: future.margin_trm, grantId: grant });
        await publish(signed);
        return ledger.futures.get(signed.future_id)!;
      } catch (error) {
        ledger.safety.releaseSpend(grant);
        throw error;
      }
    },
    sweep,
  };
}
