/**
 * Reputation gossip (`TOPIC_REPUTATION`, docs/architecture.md §7): signed observations "observer rates subject
 * `score`", in proto's one wire format (`ReputationObservation`, signed under `tirami/reputation/v1`).
 *
 * - Receive: the validator checks size (`REPUTATION_OBSERVATION_BYTES_MAX`), decodes with proto (fields,
 *   observer ≠ subject), verifies the observer's signature — any failure → `reject` (not forwarded, the
 *   neighbour penalised); then ignores (no forward, no penalty) our own observations, ones dated outside
 *   `REPUTATION_CLOCK_SKEW_MS` ahead / `REPUTATION_GOSSIP_AGE_MAX_MS` behind, ones seen before (bounded id
 *   set) and ones the ledger already holds an equal or newer version of; otherwise it stores the
 *   observation with `ledger.reputation.ingestObservation` and accepts (forwards) it. The ledger weighs the
 *   observer from *its own* history with it, so storing an observation never trusts its author.
 * - Publish: every `intervalMs` (default 60 s) this node signs its local score of the accounts it has
 *   dealt with — counterparties of its recent trades and accounts it recorded an outcome for — and
 *   publishes at most `REPUTATION_PUBLISH_PER_ROUND_MAX` of them: scores that changed since last published
 *   first, then unchanged ones last published more than `REPUTATION_REPUBLISH_MS` ago.
 * @module
 */
import type { AccountId, Signer } from "@tirami/core";
import { type MeshHost, TOPIC_REPUTATION } from "@tirami/net";
import {
  decodeMessage,
  encodeMessage,
  type ReputationObservation,
  reputationObservationId,
  signReputationObservation,
  verifyReputationObservation,
} from "@tirami/proto";
import {
  REPUTATION_CLOCK_SKEW_MS,
  REPUTATION_COUNTERPARTY_SCAN_MAX,
  REPUTATION_GOSSIP_AGE_MAX_MS,
  REPUTATION_NOTED_MAX,
  REPUTATION_OBSERVATION_BYTES_MAX,
  REPUTATION_PUBLISH_INTERVAL_MS_DEFAULT,
  REPUTATION_PUBLISH_PER_ROUND_MAX,
  REPUTATION_PUBLISHED_MAX,
  REPUTATION_REPUBLISH_MS,
  REPUTATION_SEEN_MAX,
} from "./constants.js";
import type { ReputationPort } from "./reputation.js";

export interface ReputationGossipDeps {
  host: MeshHost;
  signer: Signer;
  /** The ledger's reputation service. */
  store: Pick<ReputationPort, "get" | "ingestObservation">;
  /** Accounts this node traded with, most recent first (bounded by the caller). */
  counterparties(limit: number): AccountId[];
  nowMs(): number;
  /** Publication period. Default `REPUTATION_PUBLISH_INTERVAL_MS_DEFAULT` (60 s). */
  intervalMs?: number | undefined;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
}

/** Counters for `GET /mesh` and tests. */
export interface ReputationGossipCounters {
  observations_accepted: number;
  observations_rejected: number;
  observations_ignored: number;
  observations_published: number;
}

export type GossipVerdict = "accept" | "reject" | "ignore";

/** Reputation gossip of one node; `validate` works before `start` (it needs no network). */
export interface ReputationGossip {
  readonly counters: ReputationGossipCounters;
  /** The topic validator: `accept` means stored in the ledger and to be forwarded. */
  validate(bytes: Uint8Array, from: AccountId): GossipVerdict;
  /** Remembers an account this node judged (an outcome recorded), so its score gets published. */
  note(account: AccountId): void;
  /** Runs one publication round now; resolves to the number of observations that reached a peer. */
  publishRound(): Promise<number>;
  start(): void;
  stop(): void;
}

interface Published {
  score: number;
  timestampMs: number;
  atMs: number;
}

/** Bounded insertion-ordered set: the oldest entry leaves first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}

/** Creates (does not start) reputation gossip. */
export function createReputationGossip(deps: ReputationGossipDeps): ReputationGossip {
  const { host, store, nowMs } = deps;
  const intervalMs = deps.intervalMs ?? REPUTATION_PUBLISH_INTERVAL_MS_DEFAULT;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1)
    throw new RangeError('"reputationIntervalMs" expected a positive integer');
  if (deps.signer.accountId !== host.account) throw new RangeError("the mesh host's key is not the signer");
  const log = deps.log ?? (() => undefined);
  const counters: ReputationGossipCounters = {
    observations_accepted: 0,
    observations_rejected: 0,
    observations_ignored: 0,
    observations_published: 0,
  };
  const seen = new Map<string, true>();
  const noted = new Map<AccountId, true>();
  const published = new Map<AccountId, Published>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let publishing: Promise<number> | undefined;

  const verdict = (outcome: GossipVerdict): GossipVerdict => {
    if (outcome === "accept") counters.observations_accepted += 1;
    else if (outcome === "reject") counters.observations_rejected += 1;
    else counters.observations_ignored += 1;
    return outcome;
  };

  function validate(bytes: Uint8Array, _from: AccountId): GossipVerdict {
    if (!(bytes instanceof Uint8Array) || bytes.length > REPUTATION_OBSERVATION_BYTES_MAX)
      return verdict("reject");
    let observation: ReputationObservation;
    let id: string;
    try {
      observation = decodeMessage(bytes, ["reputation_observation"]);
      if (!verifyReputationObservation(observation)) return verdict("reject");
      id = reputationObservationId(observation);
    } catch {
      return verdict("reject");
    }
    const now = nowMs();
    if (
      observation.observer === host.account ||
      observation.timestamp_ms > now + REPUTATION_CLOCK_SKEW_MS ||
      observation.timestamp_ms < now - REPUTATION_GOSSIP_AGE_MAX_MS ||
      seen.has(id)
    )
      return verdict("ignore");
    remember(seen, id, true, REPUTATION_SEEN_MAX);
    try {
      return verdict(store.ingestObservation(observation).status === "accepted" ? "accept" : "ignore");
    } catch (error) {
      // Verified above, so this is the ledger's own policy (e.g. its freshness rule) or a closed ledger.
      log("reputation observation not stored", { err: (error as Error).message });
      return verdict("ignore");
    }
  }

  /** The accounts worth an observation this round, changed scores first. */
  function due(now: number): Array<{ subject: AccountId; score: number }> {
    const candidates = new Set<AccountId>(deps.counterparties(REPUTATION_COUNTERPARTY_SCAN_MAX));
    for (const account of [...noted.keys()].reverse()) candidates.add(account);
    candidates.delete(host.account);
    const changed: Array<{ subject: AccountId; score: number }> = [];
    const stale: Array<{ subject: AccountId; score: number }> = [];
    for (const subject of candidates) {
      let score: number;
      try {
        score = store.get(subject).score;
      } catch {
        continue;
      }
      if (!Number.isFinite(score) || score < 0 || score > 1) continue;
      const last = published.get(subject);
      if (last === undefined || last.score !== score) changed.push({ subject, score });
      else if (now - last.atMs >= REPUTATION_REPUBLISH_MS) stale.push({ subject, score });
      if (changed.length >= REPUTATION_PUBLISH_PER_ROUND_MAX) break;
    }
    return [...changed, ...stale].slice(0, REPUTATION_PUBLISH_PER_ROUND_MAX);
  }

  async function round(): Promise<number> {
    const now = nowMs();
    let sent = 0;
    for (const { subject, score } of due(now)) {
      const last = published.get(subject);
      const timestampMs = Math.max(now, (last?.timestampMs ?? 0) + 1);
      const observation = signReputationObservation(
        { observer: host.account, subject, score, timestamp_ms: timestampMs },
        deps.signer,
      );
      try {
        const { recipients } = await host.publish(TOPIC_REPUTATION, encodeMessage(observation));
        // One that reached nobody is tried again next round.
        if (recipients === 0) continue;
      } catch (error) {
        log("reputation publish failed", { err: (error as Error).message });
        continue;
      }
      remember(published, subject, { score, timestampMs, atMs: now }, REPUTATION_PUBLISHED_MAX);
      counters.observations_published += 1;
      sent += 1;
    }
    return sent;
  }

  /** One round at a time: a slow publish never overlaps the next tick. */
  function publishRound(): Promise<number> {
    publishing ??= round().finally(() => {
      publishing = undefined;
    });
    return publishing;
  }

  return {
    counters,
    validate,
    note(account) {
      if (account !== host.account) remember(noted, account, true, REPUTATION_NOTED_MAX);
    },
    publishRound,
    start() {
      if (unsubscribe !== undefined) return;
      unsubscribe = host.subscribe(TOPIC_REPUTATION, {
        validate: (bytes, from) => validate(bytes, from),
        onMessage() {
          // Stored in the validator, before forwarding.
        },
      });
      timer = setInterval(() => {
        void publishRound().catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}

/**
 * Wraps the ledger's reputation so every outcome this node records (a trade that went well, one that
 * failed, a consumer that never signed) also marks the account as one whose score this node publishes.
 */
export function notingPort(port: ReputationPort, note: (account: AccountId) => void): ReputationPort {
  return {
    recordSuccess(account) {
      note(account);
      return port.recordSuccess(account);
    },
    recordFailure(account, kind) {
      note(account);
      return port.recordFailure(account, kind);
    },
    mergedReputation: (account) => port.mergedReputation(account),
    get: (account) => port.get(account),
    ingestObservation: (observation) => port.ingestObservation(observation),
  };
}
