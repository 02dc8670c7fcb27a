/**
 * Lending over the mesh (docs/lending.md): lend offers and the pool, the loan handshake on
 * `/tirami/loan/1.0.0`, loan gossip intake on `TOPIC_LOANS`, repayments and the due-time sweeper.
 *
 * - A lender publishes a signed `lend_offer` (TRM available, longest term, lowest rate); the pool a node
 *   sees is the sum of live offers.
 * - `borrow` picks a lender (a named one, or the cheapest live offer that can fund the loan), builds and
 *   signs the loan as borrower and proposes it; `lendTo` does the same from the lender's side. The other
 *   side checks everything before it signs (addressing, signature, freshness, its offer's terms, credit,
 *   the lending gate, its balance), applies the loan and answers with its signature; the proposer
 *   verifies the dual-signed loan and applies it; the lender gossips it.
 * - Every node verifies gossiped loans, repayments and offers before forwarding: forged, tampered or
 *   late ones are rejected (not forwarded, the sender penalised); a repayment that arrives before its loan
 *   is held (bounded) and applied with it.
 * @module
 */
import { type AccountId, type Clock, isTiramiError, type Signer } from "@tirami/core";
import type { FramedStream, MeshHost } from "@tirami/net";
import { TOPIC_LOANS } from "@tirami/net";
import {
  assembleSignedLoan,
  computeLoanId,
  createLoan,
  decodeMessage,
  encodeMessage,
  type LendOffer,
  LOAN_PROTOCOL_ID,
  LOAN_RATE_PPM_PER_HOUR_MAX,
  LOAN_TERM_HOURS_MAX,
  type Loan,
  type LoanProposal,
  type LoanRejectReason,
  type LoanRepayment,
  type LoanRole,
  loanCanonicalBytes,
  loanTotalDueTrm,
  type SignedLoan,
  signLendOffer,
  signLoan,
  signLoanRepayment,
  verifyLendOffer,
} from "@tirami/proto";
import { fromHex, verifySignature } from "@tirami/core";
import {
  type LedgerError,
  type LoanDenyCode,
  type Loans,
  maxBorrowableTrm,
  offeredRatePpm,
  type SafetyGate,
  SafetyLimits,
  type StoredLoan,
} from "@tirami/ledger";
import { MarketError, MarketErrorCode } from "./errors.js";

/** Live lend offers older than this leave the pool. */
export const LEND_OFFER_TTL_MS = 600_000;
/** Lend offers kept (one per lender). */
export const LEND_OFFERS_MAX = 4_096;
/** Repayments held while their loan has not arrived. */
export const PENDING_REPAYMENTS_MAX = 1_024;
/** A proposal whose `created_ms` is further than this from the receiver's clock is refused. */
export const LOAN_PROPOSAL_SKEW_MS = 60_000;
/** How long a proposer waits for the answer. */
export const LOAN_HANDSHAKE_TIMEOUT_MS = 15_000;
/**
 * Least time between two catch-ups with one peer asked by a differing root (`catchUpIfStale`): loan events
 * are Merkle leaves that trade sync does not carry, so a root that stays different asks again, spaced.
 */
export const LOAN_CATCH_UP_SPACING_MS = 30_000;
/** Peers whose last catch-up time is remembered (the oldest is forgotten past this). */
const CATCH_UP_PEERS_MAX = 1_024;
/** Protocol of the loan catch-up: the asker opens a stream and reads (see `catchUp`). */
export const LOAN_CATCH_UP_PROTOCOL_ID = "/tirami/loan-sync/1.0.0";
/** Most recent loans (with their repayments) one catch-up sends. */
export const LOAN_CATCH_UP_MAX = 1_000;
/** Loans kept for a retry while their lender's funds are not yet known here. */
export const PENDING_LOANS_MAX = 1_024;
/** Due-time sweeper and lend-offer re-publication period. */
export const LENDING_TICK_MS = 10_000;

/** The ledger calls lending makes. */
export interface LendingLedger {
  loans: Loans;
  safety: SafetyGate;
  balance(account: AccountId): { effective_balance_trm: number };
}

/** What this node offers to lend (its pool). */
export interface LendTerms {
  /** TRM this node commits to lending, in total (lent + available). */
  capacityTrm: number;
  maxTermHours: number;
  minInterestPpmPerHour: number;
  /**
   * Whose budget pays the loans made against this offer: "operator" (the default) or an agent such as
   * the bank's spender (docs/bank.md). The lending gate checks that spender's policy before each loan.
   */
  spender?: string;
}

export interface BorrowRequest {
  /** "operator" or an agent: whose budget repays it. */
  spender: string;
  amountTrm: number;
  termHours: number;
  collateralTrm: number;
  /** Borrow from this lender; default: the cheapest live offer that can fund it. */
  lender?: AccountId;
  signal?: AbortSignal;
}

export interface LendToRequest {
  spender: string;
  borrower: AccountId;
  amountTrm: number;
  termHours: number;
  collateralTrm: number;
  /** Default: the rate this node offers at the borrower's credit (never under its offer's minimum). */
  interestPpmPerHour?: number;
  signal?: AbortSignal;
}

export interface LendingPool {
  /** Σ available of live offers (this node's own included). */
  total_available_trm: number;
  offers: number;
  /** This node's own pool. */
  own: { capacity_trm: number; lent_trm: number; available_trm: number } | null;
  your_credit: number;
  your_max_borrow_trm: number;
  your_offered_interest_ppm_per_hour: number;
  best_offer: LendOffer | null;
}

export interface LendingCounters {
  loans_applied: number;
  loans_rejected: number;
  repayments_applied: number;
  repayments_rejected: number;
  repayments_held: number;
  offers_accepted: number;
  offers_rejected: number;
  defaults_applied: number;
}

export interface Lending {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sets (or with null, withdraws) this node's lend offer and publishes it. */
  offer(terms: LendTerms | null): Promise<LendOffer | null>;
  ownTerms(): LendTerms | null;
  offers(): LendOffer[];
  pool(): LendingPool;
  borrow(request: BorrowRequest): Promise<StoredLoan>;
  lendTo(request: LendToRequest): Promise<StoredLoan>;
  repay(request: { spender: string; loanId: string }): Promise<StoredLoan>;
  /** Applies due defaults now (the sweeper does this every tick). */
  sweep(): StoredLoan[];
  /** Asks `peer` for its recent loans and repayments now (done on every connect). */
  catchUp(peer: AccountId): Promise<void>;
  /**
   * Asks `peer` again unless this node did within `LOAN_CATCH_UP_SPACING_MS`: for a peer whose offer shows
   * the same trades under another root (`offerSyncNeeds`), where the difference may be loan events.
   */
  catchUpIfStale(peer: AccountId): Promise<void>;
  counters(): LendingCounters;
}

export interface LendingOptions {
  host: MeshHost;
  ledger: LendingLedger;
  signer: Signer;
  clock: Clock;
  /** Loans offered to this node above this rate are refused; default: the highest rate the formula offers. */
  maxBorrowRatePpm?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  onLoan?: (loan: StoredLoan, source: "gossip" | "handshake" | "local") => void;
}

const DENY_TO_REASON: Record<LoanDenyCode, LoanRejectReason> = {
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  DEFAULT_RATE_CIRCUIT_TRIPPED: "CIRCUIT_BREAKER",
  VELOCITY_LIMIT_EXCEEDED: "CIRCUIT_BREAKER",
  INSUFFICIENT_CREDIT: "INSUFFICIENT_CREDIT",
  EXCESSIVE_LTV: "EXCESSIVE_LTV",
  EXCESSIVE_TERM: "EXCESSIVE_TERM",
  SINGLE_LOAN_EXCEEDS_POOL: "POOL_LIMIT",
  POOL_RESERVE_VIOLATION: "POOL_LIMIT",
  SAFETY_DENIED: "SAFETY_DENIED",
  LOAN_GATE_ERROR: "INTERNAL",
};

class Refusal extends Error {
  constructor(
    readonly reason: LoanRejectReason,
    message: string,
  ) {
    super(message);
  }
}

function checkAmount(value: unknown, name: string, min = 1): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min)
    throw new MarketError(MarketErrorCode.INVALID_LOAN_REQUEST, `"${name}" expected an integer ≥ ${min}`);
  return value;
}

export function createLending(options: LendingOptions): Lending {
  const { host, ledger, signer, clock } = options;
  const self = signer.accountId;
  const now = () => clock.nowMs();
  const log = options.log ?? (() => undefined);
  const book = new Map<AccountId, LendOffer>();
  const pendingRepayments = new Map<string, LoanRepayment[]>();
  const pendingLoans = new Map<string, SignedLoan>();
  let unsubscribePeers: (() => void) | undefined;
  const counters: LendingCounters = {
    loans_applied: 0,
    loans_rejected: 0,
    repayments_applied: 0,
    repayments_rejected: 0,
    repayments_held: 0,
    offers_accepted: 0,
    offers_rejected: 0,
    defaults_applied: 0,
  };
  let terms: LendTerms | null = null;
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const maxBorrowRate = options.maxBorrowRatePpm ?? offeredRatePpm(0);

  const lentNow = () => ledger.loans.stats(self).active_principal_trm - borrowedNow();
  function borrowedNow(): number {
    return ledger.loans
      .list({ account: self, status: "active", limit: 1_000 })
      .filter((l) => l.loan.borrower === self)
      .reduce((sum, l) => sum + l.loan.principal_trm, 0);
  }
  function ownPool() {
    if (terms === null) return null;
    const lent = lentNow();
    const available = Math.max(
      0,
      Math.min(terms.capacityTrm - lent, ledger.balance(self).effective_balance_trm),
    );
    return { capacity_trm: terms.capacityTrm, lent_trm: lent, available_trm: available };
  }

  function liveOffers(): LendOffer[] {
    const cutoff = now() - LEND_OFFER_TTL_MS;
    for (const [lender, offer] of book) if (offer.timestamp_ms < cutoff) book.delete(lender);
    return [...book.values()];
  }

  function currentOffer(): LendOffer | null {
    const pool = ownPool();
    if (terms === null || pool === null) return null;
    return signLendOffer(
      {
        lender: self,
        amount_available_trm: pool.available_trm,
        max_term_hours: terms.maxTermHours,
        min_interest_ppm_per_hour: terms.minInterestPpmPerHour,
        timestamp_ms: now(),
      },
      signer,
    );
  }

  async function publish(message: Parameters<typeof encodeMessage>[0]): Promise<void> {
    try {
      await host.publish(TOPIC_LOANS, encodeMessage(message));
    } catch (error) {
      log("lending publish failed", { err: (error as Error).message });
    }
  }

  async function publishOffer(): Promise<LendOffer | null> {
    const offer = currentOffer();
    if (offer !== null) await publish(offer);
    return offer;
  }

  /** Applies a loan from anywhere; a repayment held for it goes with it. */
  function intakeLoan(
    signed: SignedLoan,
    nowMs?: number,
  ): "applied" | "exists" | "invalid" | "unfunded" | "stale" {
    const at = nowMs === undefined ? {} : { nowMs };
    const held = pendingRepayments.get(signed.loan_id) ?? [];
    try {
      let result;
      try {
        result = ledger.loans.applySignedLoan(signed, at);
      } catch (error) {
        if (!isTiramiError(error) || error.code !== "INSUFFICIENT_BALANCE" || held.length === 0) throw error;
        // The lender's funds are out in later events: try the loan with each repayment held for it.
        result = undefined;
        for (const repayment of held) {
          try {
            result = ledger.loans.applySignedLoan(signed, { ...at, repayment });
            break;
          } catch {
            // the next one
          }
        }
        if (result === undefined) throw error;
      }
      if (result.status === "exists") return "exists";
      counters.loans_applied += 1;
      pendingRepayments.delete(signed.loan_id);
      for (const repayment of held) {
        try {
          ledger.loans.applyRepayment(repayment, { nowMs: repayment.timestamp_ms });
        } catch {
          // applied with the loan already, or refused for what it is
        }
      }
      return "applied";
    } catch (error) {
      if (!isTiramiError(error)) throw error;
      if (error.code === "INSUFFICIENT_BALANCE") return "unfunded";
      if (error.code === "LOAN_STALE") return "stale";
      counters.loans_rejected += 1;
      return "invalid";
    }
  }

  /** A repayment from a catch-up, judged at its own time (never in the future). */
  function intakeRepaymentAt(repayment: LoanRepayment) {
    return repayment.timestamp_ms <= now()
      ? intakeRepayment(repayment, repayment.timestamp_ms)
      : ("invalid" as const);
  }

  function intakeRepayment(
    repayment: LoanRepayment,
    nowMs?: number,
  ): "applied" | "exists" | "invalid" | "held" {
    try {
      const result = ledger.loans.applyRepayment(repayment, nowMs === undefined ? {} : { nowMs });
      if (result.status === "exists") return "exists";
      counters.repayments_applied += 1;
      return "applied";
    } catch (error) {
      if (!isTiramiError(error)) throw error;
      if (error.code === "LOAN_NOT_FOUND") {
        if (pendingRepayments.size >= PENDING_REPAYMENTS_MAX) {
          const oldest = pendingRepayments.keys().next().value;
          if (oldest !== undefined) pendingRepayments.delete(oldest);
        }
        const list = pendingRepayments.get(repayment.loan_id) ?? [];
        if (list.length < 4) pendingRepayments.set(repayment.loan_id, [...list, repayment]);
        counters.repayments_held += 1;
        return "held";
      }
      counters.repayments_rejected += 1;
      return "invalid";
    }
  }

  /** Retries loans that were unfunded in this view (their lender's income arrived since). */
  function retryPending(): void {
    for (const [id, signed] of pendingLoans) {
      const outcome = intakeLoanAt(signed);
      if (outcome !== "unfunded") pendingLoans.delete(id);
    }
  }

  /** A loan from a catch-up: judged at its own time (it was fresh when it was made), never in the future. */
  function intakeLoanAt(signed: SignedLoan) {
    return signed.loan.created_ms <= now() ? intakeLoan(signed, signed.loan.created_ms) : ("stale" as const);
  }

  /**
   * Catch-up for loans (trade sync carries trades only): a node that connects asks the peer, which sends
   * its most recent loans as `loan_gossip` frames and their repayments as `loan_repayment` frames, then
   * closes. Every item goes through the same intake as gossip (full verification); an invalid one ends
   * the round.
   */
  async function serveCatchUp(stream: FramedStream): Promise<void> {
    try {
      for (const stored of ledger.loans.list({ limit: LOAN_CATCH_UP_MAX })) {
        const { loan_id, loan, lender_signature, borrower_signature } = stored;
        await stream.send(
          encodeMessage({ kind: "loan_gossip", loan_id, loan, lender_signature, borrower_signature }),
        );
      }
      for (const repayment of ledger.loans.repayments(LOAN_CATCH_UP_MAX))
        await stream.send(encodeMessage(repayment));
      await stream.close();
    } catch {
      stream.abort();
    }
  }

  const lastCatchUpMs = new Map<AccountId, number>();

  function catchUpIfStale(peer: AccountId): Promise<void> {
    const last = lastCatchUpMs.get(peer);
    if (last !== undefined && now() - last < LOAN_CATCH_UP_SPACING_MS) return Promise.resolve();
    return catchUp(peer);
  }

  async function catchUp(peer: AccountId): Promise<void> {
    lastCatchUpMs.delete(peer);
    lastCatchUpMs.set(peer, now());
    if (lastCatchUpMs.size > CATCH_UP_PEERS_MAX)
      lastCatchUpMs.delete(lastCatchUpMs.keys().next().value as AccountId);
    let stream: FramedStream;
    try {
      stream = await host.request(peer, LOAN_CATCH_UP_PROTOCOL_ID, {
        timeoutMs: LOAN_HANDSHAKE_TIMEOUT_MS,
        idleTimeoutMs: LOAN_HANDSHAKE_TIMEOUT_MS,
      });
    } catch {
      return; // unreachable, or a node without lending: nothing to catch up from
    }
    try {
      await stream.close(); // the request is the stream itself: nothing to send
      for await (const frame of stream) {
        const message = decodeMessage(frame, ["loan_gossip", "loan_repayment"]);
        if (message.kind === "loan_gossip") {
          const { kind: _kind, ...signed } = message;
          const outcome = intakeLoanAt(signed);
          if (outcome === "invalid") throw new Error(`peer sent an invalid loan ${signed.loan_id}`);
          if (outcome === "unfunded" && pendingLoans.size < PENDING_LOANS_MAX)
            pendingLoans.set(signed.loan_id, signed);
        } else {
          const outcome = intakeRepaymentAt(message);
          if (outcome === "invalid") throw new Error("peer sent an invalid repayment");
        }
      }
    } catch (error) {
      stream.abort();
      log("loan catch-up failed", { peer, err: (error as Error).message });
    }
  }

  function subscribe(): () => void {
    return host.subscribe(TOPIC_LOANS, {
      validate(bytes) {
        let message;
        try {
          message = decodeMessage(bytes, ["loan_gossip", "loan_repayment", "lend_offer"]);
        } catch {
          return "reject";
        }
        if (message.kind === "loan_gossip") {
          const { kind: _kind, ...signed } = message;
          const outcome = intakeLoan(signed);
          if (outcome === "applied") {
            const stored = ledger.loans.get(signed.loan_id);
            if (stored !== undefined) options.onLoan?.(stored, "gossip");
          }
          return outcome === "applied" || outcome === "unfunded"
            ? "accept"
            : outcome === "invalid"
              ? "reject"
              : "ignore";
        }
        if (message.kind === "loan_repayment") {
          const outcome = intakeRepayment(message);
          return outcome === "applied" || outcome === "held"
            ? "accept"
            : outcome === "invalid"
              ? "reject"
              : "ignore";
        }
        if (!verifyLendOffer(message)) {
          counters.offers_rejected += 1;
          return "reject";
        }
        const t = now();
        if (
          message.lender === self ||
          message.timestamp_ms > t + LOAN_PROPOSAL_SKEW_MS ||
          message.timestamp_ms < t - LEND_OFFER_TTL_MS ||
          (book.get(message.lender)?.timestamp_ms ?? -1) >= message.timestamp_ms
        )
          return "ignore";
        if (!book.has(message.lender) && book.size >= LEND_OFFERS_MAX) return "ignore";
        book.set(message.lender, message);
        counters.offers_accepted += 1;
        return "accept";
      },
      onMessage() {
        // Applied in the validator, before forwarding.
      },
    });
  }

  /** The checks the side asked to sign makes; returns its signature or throws a Refusal. */
  function consider(loan: Loan, role: LoanRole, proposerSignature: string, from: AccountId): string {
    const mine: LoanRole = role === "lender" ? "borrower" : "lender";
    const proposer = role === "lender" ? loan.lender : loan.borrower;
    if ((mine === "lender" ? loan.lender : loan.borrower) !== self || proposer !== from)
      throw new Refusal("INVALID_LOAN", "the loan is not between this node and the proposer");
    if (!verifySignature(proposer, loanCanonicalBytes(loan), fromHex(proposerSignature)))
      throw new Refusal("INVALID_LOAN", "the proposer's signature does not verify");
    if (Math.abs(loan.created_ms - now()) > LOAN_PROPOSAL_SKEW_MS)
      throw new Refusal("INVALID_LOAN", "created_ms is too far from this node's clock");
    if (mine === "lender") {
      if (terms === null) throw new Refusal("NOT_LENDING", "this node has no lend offer");
      const pool = ownPool()!;
      const credit = ledger.loans.credit(loan.borrower).score;
      const floorRate = Math.max(terms.minInterestPpmPerHour, offeredRatePpm(credit));
      if (loan.term_hours > terms.maxTermHours)
        throw new Refusal(
          "TERMS_REJECTED",
          `term ${loan.term_hours} h exceeds this lender's ${terms.maxTermHours} h`,
        );
      if (loan.interest_ppm_per_hour < floorRate)
        throw new Refusal(
          "TERMS_REJECTED",
          `rate ${loan.interest_ppm_per_hour} ppm/h is under ${floorRate} ppm/h`,
        );
      if (loan.principal_trm > pool.available_trm)
        throw new Refusal("INSUFFICIENT_BALANCE", `this lender has ${pool.available_trm} TRM available`);
      const most = maxBorrowableTrm(credit, pool.available_trm);
      if (loan.principal_trm > most)
        throw new Refusal(
          "INSUFFICIENT_CREDIT",
          `credit ${credit.toFixed(3)} allows at most ${most} TRM from this pool`,
        );
      const spender = terms.spender ?? "operator";
      const decision = ledger.loans.gate.check({
        loan,
        role: "lender",
        spender,
        borrowerCredit: credit,
        pool: { total_trm: pool.capacity_trm, available_trm: pool.available_trm },
      });
      if (!decision.allowed) throw new Refusal(DENY_TO_REASON[decision.code], decision.message);
      if (decision.grantId !== null)
        ledger.safety.recordSpend({ spender, amountTrm: loan.principal_trm, grantId: decision.grantId });
    } else {
      if (loan.interest_ppm_per_hour > maxBorrowRate)
        throw new Refusal(
          "TERMS_REJECTED",
          `rate ${loan.interest_ppm_per_hour} ppm/h is above ${maxBorrowRate}`,
        );
      const decision = ledger.loans.gate.check({
        loan,
        role: "borrower",
        spender: "operator",
        borrowerCredit: ledger.loans.credit(self).score,
      });
      if (!decision.allowed) throw new Refusal(DENY_TO_REASON[decision.code], decision.message);
    }
    return signLoan(loan, signer);
  }

  /** Serves one proposal: consider, apply, answer, gossip. */
  async function serve(stream: FramedStream): Promise<void> {
    const frames = stream[Symbol.asyncIterator]();
    const first = await frames.next();
    if (first.done === true) return;
    let proposal: LoanProposal;
    try {
      proposal = decodeMessage(first.value, ["loan_proposal"]);
    } catch {
      stream.abort();
      return;
    }
    const loanId = computeLoanId(proposal.loan);
    try {
      const signature = consider(
        proposal.loan,
        proposal.proposer_role,
        proposal.signature,
        stream.remoteAccount,
      );
      const signed =
        proposal.proposer_role === "borrower"
          ? assembleSignedLoan(proposal.loan, signature, proposal.signature)
          : assembleSignedLoan(proposal.loan, proposal.signature, signature);
      try {
        ledger.loans.applySignedLoan(signed);
      } catch (error) {
        const code = isTiramiError(error) ? error.code : "INTERNAL";
        throw new Refusal(
          code === "INSUFFICIENT_BALANCE" ? "INSUFFICIENT_BALANCE" : "INTERNAL",
          (error as Error).message,
        );
      }
      counters.loans_applied += 1;
      await stream.send(encodeMessage({ kind: "loan_accept", loan_id: loanId, signature }));
      await stream.close();
      const stored = ledger.loans.get(loanId);
      if (stored !== undefined) options.onLoan?.(stored, "handshake");
      await publish({ kind: "loan_gossip", ...signed });
      if (signed.loan.lender === self) await publishOffer();
      log("loan signed", {
        loan_id: loanId,
        role: proposal.proposer_role === "lender" ? "borrower" : "lender",
      });
    } catch (error) {
      const reason: LoanRejectReason = error instanceof Refusal ? error.reason : "INTERNAL";
      const message = (error as Error).message.slice(0, 1_000);
      await stream
        .send(encodeMessage({ kind: "loan_reject", loan_id: loanId, reason, message }))
        .catch(() => undefined);
      await stream.close().catch(() => undefined);
      log("loan refused", { loan_id: loanId, reason, message });
    }
  }

  /** Proposes `loan` (signed by this node as `role`) to `peer`; applies and returns the dual-signed loan. */
  async function propose(
    loan: Loan,
    role: LoanRole,
    peer: AccountId,
    signal?: AbortSignal,
  ): Promise<StoredLoan> {
    const signature = signLoan(loan, signer);
    let stream: FramedStream;
    try {
      stream = await host.request(peer, LOAN_PROTOCOL_ID, {
        timeoutMs: LOAN_HANDSHAKE_TIMEOUT_MS,
        idleTimeoutMs: LOAN_HANDSHAKE_TIMEOUT_MS,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw new MarketError(
        MarketErrorCode.LOAN_REJECTED,
        `cannot reach ${peer}: ${(error as Error).message}`,
        {
          details: { reason: "UNREACHABLE", peer },
        },
      );
    }
    let answer;
    try {
      await stream.send(encodeMessage({ kind: "loan_proposal", loan, proposer_role: role, signature }));
      const next = await stream[Symbol.asyncIterator]().next();
      if (next.done === true) throw new Error("the peer closed the stream without an answer");
      answer = decodeMessage(next.value, ["loan_accept", "loan_reject"]);
      await stream.close();
    } catch (error) {
      stream.abort();
      throw new MarketError(
        MarketErrorCode.LOAN_REJECTED,
        `loan handshake failed: ${(error as Error).message}`,
        {
          details: { reason: "HANDSHAKE_FAILED", peer },
        },
      );
    }
    if (answer.kind === "loan_reject")
      throw new MarketError(MarketErrorCode.LOAN_REJECTED, `${peer} refused the loan: ${answer.message}`, {
        details: { reason: answer.reason, peer },
      });
    const signed =
      role === "borrower"
        ? assembleSignedLoan(loan, answer.signature, signature)
        : assembleSignedLoan(loan, signature, answer.signature);
    ledger.loans.applySignedLoan(signed);
    counters.loans_applied += 1;
    // Both parties gossip the loan: a peer that applied it from one side must not stop the other's copy.
    await publish({ kind: "loan_gossip", ...signed });
    if (role === "lender") await publishOffer();
    const stored = ledger.loans.get(signed.loan_id)!;
    options.onLoan?.(stored, "local");
    return stored;
  }

  function checkTerms(amountTrm: unknown, termHours: unknown, collateralTrm: unknown) {
    checkAmount(amountTrm, "amount_trm");
    checkAmount(collateralTrm, "collateral_trm");
    const term = checkAmount(termHours, "term_hours");
    if (term > LOAN_TERM_HOURS_MAX)
      throw new MarketError(
        MarketErrorCode.INVALID_LOAN_REQUEST,
        `"term_hours" exceeds ${LOAN_TERM_HOURS_MAX}`,
      );
  }

  function build(
    lender: AccountId,
    borrower: AccountId,
    r: { amountTrm: number; termHours: number; collateralTrm: number },
    rate: number,
  ): Loan {
    try {
      return createLoan({
        lender,
        borrower,
        principal_trm: r.amountTrm,
        collateral_trm: r.collateralTrm,
        term_hours: r.termHours,
        interest_ppm_per_hour: rate,
        created_ms: now(),
      });
    } catch (error) {
      throw new MarketError(MarketErrorCode.INVALID_LOAN_REQUEST, (error as Error).message);
    }
  }

  function denyUnlessAllowed(
    loan: Loan,
    role: LoanRole,
    spender: string,
    pool?: { total_trm: number; available_trm: number },
  ) {
    const decision = ledger.loans.gate.check({
      loan,
      role,
      spender,
      borrowerCredit: ledger.loans.credit(loan.borrower).score,
      ...(pool === undefined ? {} : { pool }),
    });
    if (!decision.allowed)
      throw new MarketError(MarketErrorCode.LOAN_DENIED, decision.message, {
        details: {
          code: decision.code,
          ...(decision.safety === undefined ? {} : { safety_code: decision.safety.code }),
        },
      });
    return decision.grantId;
  }

  return {
    async start() {
      unsubscribe = subscribe();
      await host.handle(LOAN_PROTOCOL_ID, (stream) => serve(stream));
      await host.handle(LOAN_CATCH_UP_PROTOCOL_ID, (stream) => serveCatchUp(stream));
      unsubscribePeers = host.on("peer:connected", ({ account }) => void catchUp(account));
      for (const account of host.connectedAccounts()) void catchUp(account);
      timer = setInterval(() => {
        retryPending();
        try {
          const defaulted = ledger.loans.applyDueDefaults();
          counters.defaults_applied += defaulted.length;
        } catch (error) {
          log("default sweep failed", { err: (error as Error).message });
        }
        if (terms !== null) void publishOffer();
      }, LENDING_TICK_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      unsubscribePeers?.();
      await host.unhandle(LOAN_CATCH_UP_PROTOCOL_ID).catch(() => undefined);
      await host.unhandle(LOAN_PROTOCOL_ID).catch(() => undefined);
    },
    async offer(next) {
      if (next === null) {
        terms = null;
        return null;
      }
      checkAmount(next.capacityTrm, "capacity_trm");
      const maxTerm = checkAmount(next.maxTermHours, "max_term_hours");
      if (maxTerm > LOAN_TERM_HOURS_MAX)
        throw new MarketError(
          MarketErrorCode.INVALID_LOAN_REQUEST,
          `"max_term_hours" exceeds ${LOAN_TERM_HOURS_MAX}`,
        );
      const rate = checkAmount(next.minInterestPpmPerHour, "min_interest_ppm_per_hour", 0);
      if (rate > LOAN_RATE_PPM_PER_HOUR_MAX)
        throw new MarketError(
          MarketErrorCode.INVALID_LOAN_REQUEST,
          `"min_interest_ppm_per_hour" exceeds ${LOAN_RATE_PPM_PER_HOUR_MAX}`,
        );
      if (next.spender !== undefined && !SafetyLimits.SPENDER_RE.test(next.spender))
        throw new MarketError(MarketErrorCode.INVALID_LOAN_REQUEST, `"spender" expected 1–64 of [a-z0-9_-]`);
      terms = { ...next };
      return publishOffer();
    },
    ownTerms: () => (terms === null ? null : { ...terms }),
    offers: () => liveOffers(),
    pool() {
      const offers = liveOffers();
      const own = ownPool();
      const total = offers.reduce((sum, o) => sum + o.amount_available_trm, 0) + (own?.available_trm ?? 0);
      const credit = ledger.loans.credit(self).score;
      const best = offers
        .filter((o) => o.amount_available_trm > 0)
        .sort((a, b) => a.min_interest_ppm_per_hour - b.min_interest_ppm_per_hour)[0];
      return {
        total_available_trm: total,
        offers: offers.length + (own === null ? 0 : 1),
        own,
        your_credit: credit,
        your_max_borrow_trm: maxBorrowableTrm(credit, best?.amount_available_trm ?? 0),
        your_offered_interest_ppm_per_hour: offeredRatePpm(credit),
        best_offer: best ?? null,
      };
    },
    async borrow(request) {
      checkTerms(request.amountTrm, request.termHours, request.collateralTrm);
      const candidates = liveOffers()
        .filter((o) => request.lender === undefined || o.lender === request.lender)
        .filter((o) => o.amount_available_trm >= request.amountTrm && o.max_term_hours >= request.termHours)
        .sort(
          (a, b) =>
            a.min_interest_ppm_per_hour - b.min_interest_ppm_per_hour || (a.lender < b.lender ? -1 : 1),
        );
      const offer = candidates[0];
      if (offer === undefined)
        throw new MarketError(
          MarketErrorCode.NO_LENDER,
          request.lender === undefined
            ? `no live lend offer can fund ${request.amountTrm} TRM for ${request.termHours} h`
            : `lender ${request.lender} has no live offer that can fund it`,
        );
      const rate = Math.max(offer.min_interest_ppm_per_hour, offeredRatePpm(ledger.loans.credit(self).score));
      const loan = build(offer.lender, self, request, rate);
      denyUnlessAllowed(loan, "borrower", request.spender);
      return propose(loan, "borrower", offer.lender, request.signal);
    },
    async lendTo(request) {
      checkTerms(request.amountTrm, request.termHours, request.collateralTrm);
      if (request.borrower === self)
        throw new MarketError(MarketErrorCode.INVALID_LOAN_REQUEST, "a node cannot lend to itself");
      const pool = ownPool();
      if (pool === null || terms === null)
        throw new MarketError(MarketErrorCode.LOAN_DENIED, "this node has no lend offer (set one first)", {
          details: { code: "SINGLE_LOAN_EXCEEDS_POOL" },
        });
      const credit = ledger.loans.credit(request.borrower).score;
      const rate =
        request.interestPpmPerHour ?? Math.max(terms.minInterestPpmPerHour, offeredRatePpm(credit));
      const loan = build(self, request.borrower, request, rate);
      const grantId = denyUnlessAllowed(loan, "lender", request.spender, {
        total_trm: pool.capacity_trm,
        available_trm: pool.available_trm,
      });
      try {
        const stored = await propose(loan, "lender", request.borrower, request.signal);
        if (grantId !== null)
          ledger.safety.recordSpend({ spender: request.spender, amountTrm: loan.principal_trm, grantId });
        return stored;
      } catch (error) {
        if (grantId !== null) ledger.safety.releaseSpend(grantId);
        throw error;
      }
    },
    async repay({ spender, loanId }) {
      const stored = ledger.loans.get(loanId);
      if (stored === undefined || stored.loan.borrower !== self)
        throw new MarketError(
          MarketErrorCode.INVALID_LOAN_REQUEST,
          `no loan ${loanId} borrowed by this node`,
        );
      const amount = loanTotalDueTrm(stored.loan);
      const decision = ledger.safety.checkSpend({
        spender,
        amountTrm: amount,
        reason: "loan repayment",
        requestId: loanId,
      });
      if (!decision.allowed)
        throw new MarketError(MarketErrorCode.LOAN_DENIED, decision.message, {
          details: { code: "SAFETY_DENIED", safety_code: decision.code },
        });
      const repayment = signLoanRepayment(
        { loan_id: loanId, borrower: self, amount_trm: amount, timestamp_ms: now() },
        signer,
      );
      try {
        ledger.loans.applyRepayment(repayment);
      } catch (error) {
        ledger.safety.releaseSpend(decision.grantId);
        throw error as LedgerError;
      }
      ledger.safety.recordSpend({ spender, amountTrm: amount, grantId: decision.grantId });
      counters.repayments_applied += 1;
      await publish(repayment);
      return ledger.loans.get(loanId)!;
    },
    catchUp,
    catchUpIfStale,
    sweep() {
      retryPending();
      const defaulted = ledger.loans.applyDueDefaults();
      counters.defaults_applied += defaulted.length;
      return defaulted;
    },
    counters: () => ({ ...counters }),
  };
}
