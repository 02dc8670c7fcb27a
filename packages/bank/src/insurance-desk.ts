/**
 * Insurance over the mesh (docs/bank.md): the handshake on `/tirami/insurance/1.0.0` that makes a policy
 * dual-signed, the gossip intake on `tirami/insurance/1` that applies it on every node, and the sweeper
 * that releases expired policies.
 *
 * - `buy` (this node insures a loan it lent): the premium is the formula at the borrower's credit as this
 *   node sees it (docs/upstream.md §10.1); the bank spender's safety gate decides on the premium; the
 *   policy is proposed signed, and applied and gossiped once the insurer signs.
 * - serving (this node is asked to insure): the loan must be known and lent by the asker, the premium at
 *   least the formula at this node's view of the borrower's credit, the kill switch off and the bank
 *   spender's gate allow the coverage (a commitment like a loan's principal); then it signs, applies and
 *   gossips.
 * - every receiver verifies gossiped policies before forwarding: forged, tampered or half-signed ones are
 *   rejected (not forwarded); one whose loan or funds are not known yet is kept (bounded) and retried.
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
import { LOAN_DEFAULT_GRACE_MS, type Ledger, type StoredPolicy } from "@tirami/ledger";
import { type FramedStream, type MeshHost, TOPIC_INSURANCE } from "@tirami/net";
import {
  assembleSignedPolicy,
  computePolicyId,
  createInsurancePolicy,
  decodeMessage,
  encodeMessage,
  INSURANCE_PROTOCOL_ID,
  insuranceCanonicalBytes,
  type InsurancePolicy,
  type InsuranceRejectReason,
  type SignedInsurancePolicy,
  signInsurancePolicy,
} from "@tirami/proto";
import { BANK_SPENDER } from "./constants.js";
import { BankError, BankErrorCode } from "./errors.js";
import { premiumTrm } from "./premium.js";

/** A proposal further than this from the receiver's clock is refused (as a loan proposal is). */
export const POLICY_PROPOSAL_SKEW_MS = 60_000;
/** How long `buy` waits for the insurer's answer. */
export const INSURANCE_HANDSHAKE_TIMEOUT_MS = 15_000;
/** Policies kept for a retry while their loan or funds are not known here. */
export const PENDING_POLICIES_MAX = 1_024;
/** Expiry sweep and retry period. */
export const INSURANCE_TICK_MS = 10_000;
/** A bought policy's default lifetime after its loan's default time. */
export const POLICY_EXPIRY_AFTER_DEFAULT_MS = 3_600_000;

export type InsuranceLedger = Pick<Ledger, "insurance" | "loans" | "safety">;

export interface InsuranceDesk {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Insures a loan this node lent with `insurer`; resolves with the applied policy. */
  buy(request: {
    loanId: string;
    insurer: AccountId;
    coverageTrm: number;
    expiresMs?: number;
  }): Promise<StoredPolicy>;
  /** Applies due expiries and retries held policies now (the sweeper does this every tick). */
  sweep(): StoredPolicy[];
}

class Refusal extends Error {
  constructor(
    readonly reason: InsuranceRejectReason,
    message: string,
  ) {
    super(message);
  }
}

function refused(reason: string, message: string): BankError {
  return new BankError(BankErrorCode.INSURANCE_REFUSED, message, { details: { reason } });
}

export function createInsuranceDesk(options: {
  host: MeshHost;
  ledger: InsuranceLedger;
  signer: Signer;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}): InsuranceDesk {
  const { host, ledger, signer, clock } = options;
  const self = signer.accountId;
  const log = options.log ?? (() => undefined);
  const pending = new Map<string, SignedInsurancePolicy>();
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function publish(signed: SignedInsurancePolicy): Promise<void> {
    await host
      .publish(TOPIC_INSURANCE, encodeMessage({ kind: "insurance_gossip", ...signed }))
      .catch((error: unknown) => log("insurance publish failed", { err: (error as Error).message }));
  }

  /** Applies a policy from gossip; "held" when its loan or funds are not known here yet. */
  function intake(
    signed: SignedInsurancePolicy,
    nowMs?: number,
  ): "applied" | "exists" | "held" | "stale" | "invalid" {
    try {
      const result = ledger.insurance.applySignedPolicy(signed, nowMs === undefined ? {} : { nowMs });
      return result.status;
    } catch (error) {
      if (!isTiramiError(error)) throw error;
      if (error.code === "LOAN_NOT_FOUND" || error.code === "INSUFFICIENT_BALANCE") {
        if (pending.size < PENDING_POLICIES_MAX) pending.set(signed.policy_id, signed);
        return "held";
      }
      if (error.code === "POLICY_STALE") return "stale";
      return "invalid";
    }
  }

  function retry(): void {
    for (const [id, signed] of pending) {
      const outcome = intake(signed, Math.min(clock.nowMs(), signed.policy.created_ms));
      if (outcome !== "held") pending.delete(id);
    }
  }

  /** The insurer's checks before it signs; returns its signature or throws a Refusal. */
  function consider(
    policy: InsurancePolicy,
    insuredSignature: string,
    from: AccountId,
  ): { signature: string; grantId: string } {
    if (policy.insurer !== self || policy.insured !== from)
      throw new Refusal("INVALID_POLICY", "the policy is not between this node and the proposer");
    if (!verifySignature(policy.insured, insuranceCanonicalBytes(policy), fromHex(insuredSignature)))
      throw new Refusal("INVALID_POLICY", "the insured's signature does not verify");
    if (Math.abs(policy.created_ms - clock.nowMs()) > POLICY_PROPOSAL_SKEW_MS)
      throw new Refusal("INVALID_POLICY", "created_ms is too far from this node's clock");
    const loan = ledger.loans.get(policy.loan_id);
    if (loan === undefined || loan.status !== "active" || loan.loan.lender !== policy.insured)
      throw new Refusal("INVALID_POLICY", "no active loan lent by the proposer with this id here");
    if (policy.expires_ms < loan.loan.due_ms + LOAN_DEFAULT_GRACE_MS)
      throw new Refusal("TERMS_REJECTED", "the policy expires before the loan could default");
    const asked = premiumTrm(policy.coverage_trm, ledger.loans.credit(loan.loan.borrower).score);
    if (policy.premium_trm < asked)
      throw new Refusal(
        "TERMS_REJECTED",
        `premium ${policy.premium_trm} TRM is under the ${asked} TRM asked`,
      );
    const decision = ledger.safety.checkSpend({
      spender: BANK_SPENDER,
      amountTrm: policy.coverage_trm,
      reason: "insurance coverage",
      requestId: computePolicyId(policy),
    });
    if (!decision.allowed)
      throw new Refusal(
        decision.code === "KILL_SWITCH_ACTIVE" ? "KILL_SWITCH_ACTIVE" : "SAFETY_DENIED",
        decision.message,
      );
    return { signature: signInsurancePolicy(policy, signer), grantId: decision.grantId };
  }

  async function serve(stream: FramedStream): Promise<void> {
    const first = await stream[Symbol.asyncIterator]().next();
    if (first.done === true) return;
    let proposal;
    try {
      proposal = decodeMessage(first.value, ["insurance_proposal"]);
    } catch {
      stream.abort();
      return;
    }
    const policyId = computePolicyId(proposal.policy);
    let grant: string | undefined;
    try {
      if (proposal.proposer_role !== "insured")
        throw new Refusal("INVALID_POLICY", "only an insured may propose");
      const { signature, grantId } = consider(proposal.policy, proposal.signature, stream.remoteAccount);
      grant = grantId;
      const signed = assembleSignedPolicy(proposal.policy, signature, proposal.signature);
      try {
        ledger.insurance.applySignedPolicy(signed);
      } catch (error) {
        const code = isTiramiError(error) ? error.code : "INTERNAL";
        throw new Refusal(
          code === "INSUFFICIENT_BALANCE" ? "INSUFFICIENT_BALANCE" : "INTERNAL",
          (error as Error).message,
        );
      }
      ledger.safety.recordSpend({ spender: BANK_SPENDER, amountTrm: signed.policy.coverage_trm, grantId });
      grant = undefined;
      await stream.send(encodeMessage({ kind: "insurance_accept", policy_id: policyId, signature }));
      await stream.close();
      await publish(signed);
    } catch (error) {
      if (grant !== undefined) ledger.safety.releaseSpend(grant);
      const reason: InsuranceRejectReason = error instanceof Refusal ? error.reason : "INTERNAL";
      const message = (error as Error).message.slice(0, 1_000);
      await stream
        .send(encodeMessage({ kind: "insurance_reject", policy_id: policyId, reason, message }))
        .catch(() => undefined);
      await stream.close().catch(() => undefined);
      log("insurance refused", { policy_id: policyId, reason, message });
    }
  }

  async function propose(policy: InsurancePolicy, insurer: AccountId): Promise<SignedInsurancePolicy> {
    const signature = signInsurancePolicy(policy, signer);
    let stream: FramedStream;
    try {
      stream = await host.request(insurer, INSURANCE_PROTOCOL_ID, {
        timeoutMs: INSURANCE_HANDSHAKE_TIMEOUT_MS,
        idleTimeoutMs: INSURANCE_HANDSHAKE_TIMEOUT_MS,
      });
    } catch (error) {
      throw refused("UNREACHABLE", `cannot reach ${insurer}: ${(error as Error).message}`);
    }
    let answer;
    try {
      await stream.send(
        encodeMessage({ kind: "insurance_proposal", policy, proposer_role: "insured", signature }),
      );
      const next = await stream[Symbol.asyncIterator]().next();
      if (next.done === true) throw new Error("the insurer closed the stream without an answer");
      answer = decodeMessage(next.value, ["insurance_accept", "insurance_reject"]);
      await stream.close();
    } catch (error) {
      stream.abort();
      throw refused("HANDSHAKE_FAILED", `insurance handshake failed: ${(error as Error).message}`);
    }
    if (answer.kind === "insurance_reject")
      throw refused(answer.reason, `${insurer} refused: ${answer.message}`);
    return assembleSignedPolicy(policy, answer.signature, signature);
  }

  return {
    async start() {
      unsubscribe = host.subscribe(TOPIC_INSURANCE, {
        validate(bytes) {
          let message;
          try {
            message = decodeMessage(bytes, ["insurance_gossip"]);
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
      await host.handle(INSURANCE_PROTOCOL_ID, (stream) => serve(stream));
      timer = setInterval(() => {
        try {
          retry();
          ledger.insurance.applyDueExpiries();
        } catch (error) {
          log("insurance sweep failed", { err: (error as Error).message });
        }
      }, INSURANCE_TICK_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      await host.unhandle(INSURANCE_PROTOCOL_ID).catch(() => undefined);
    },
    async buy(request) {
      const loan = ledger.loans.get(request.loanId);
      if (loan === undefined || loan.loan.lender !== self || loan.status !== "active")
        throw new BankError(
          BankErrorCode.INVALID_BANK_REQUEST,
          `no active loan ${request.loanId} lent by this node`,
        );
      const now = clock.nowMs();
      const premium = premiumTrm(request.coverageTrm, ledger.loans.credit(loan.loan.borrower).score);
      let policy: InsurancePolicy;
      try {
        policy = createInsurancePolicy({
          insurer: request.insurer,
          insured: self,
          loan_id: loan.loan_id,
          coverage_trm: request.coverageTrm,
          premium_trm: premium,
          created_ms: now,
          expires_ms:
            request.expiresMs ?? loan.loan.due_ms + LOAN_DEFAULT_GRACE_MS + POLICY_EXPIRY_AFTER_DEFAULT_MS,
        });
      } catch (error) {
        throw new BankError(BankErrorCode.INVALID_BANK_REQUEST, (error as Error).message);
      }
      const decision = ledger.safety.checkSpend({
        spender: BANK_SPENDER,
        amountTrm: premium,
        reason: "insurance premium",
        requestId: computePolicyId(policy),
      });
      if (!decision.allowed) throw refused(decision.code, decision.message);
      try {
        const signed = await propose(policy, request.insurer);
        ledger.insurance.applySignedPolicy(signed);
        ledger.safety.recordSpend({ spender: BANK_SPENDER, amountTrm: premium, grantId: decision.grantId });
        await publish(signed);
        return ledger.insurance.get(signed.policy_id)!;
      } catch (error) {
        ledger.safety.releaseSpend(decision.grantId);
        throw error;
      }
    },
    sweep() {
      retry();
      return ledger.insurance.applyDueExpiries();
    },
  };
}
