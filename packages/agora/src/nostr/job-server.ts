/**
 * Serving NIP-90 text-generation jobs addressed to this node (opt-in, docs/agora.md): it subscribes on each
 * relay to kind-5050 requests whose `p` tag is this node's Nostr key, created from its start on, and answers
 * each with a kind-6050 result — the output of the node's model and, in `amount_trm` and `tokens`, the
 * price at this node's rate. Only jobs that verify (nostr-tools), name a model this node serves and bid
 * (`max_trm`) at least the worst case at its price are run; one job at a time, at most `JOB_QUEUE_MAX`
 * waiting, `JOB_PER_CUSTOMER_PER_HOUR_MAX` per customer key and `JOB_PER_HOUR_MAX` in all an hour. NIP-90 settles payment outside the
 * event flow: the result states the price; a TRM payment is an A2A task's (its card is in the profile).
 * @module
 */
import { type Event, verifyEvent } from "nostr-tools";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { costTrm } from "@tirami/core";
import { jobResultEvent, NOSTR_KIND_JOB_REQUEST, parseJobRequest } from "./events.js";
import { NOSTR_RELAY_TIMEOUT_MS_DEFAULT, NOSTR_RELAYS_MAX } from "./relays.js";

useWebSocketImplementation(WebSocket);

/** Jobs waiting to run at once; more are dropped. */
export const JOB_QUEUE_MAX = 16;
/** Jobs served per customer key per hour. */
export const JOB_PER_CUSTOMER_PER_HOUR_MAX = 30;
/** Jobs served per hour in all (Nostr keys cost nothing, so the per-customer bound alone is not one). */
export const JOB_PER_HOUR_MAX = 120;
/** Largest `max_tokens` served. */
export const JOB_MAX_TOKENS_MAX = 1_024;
/** Request ids remembered against duplicates (the same job from several relays). */
const SEEN_MAX = 4_096;

export interface JobServerDeps {
  relays: readonly string[];
  secretKey: Uint8Array;
  pubkey: string;
  nowMs(): number;
  /** This node's price per completion token for `model`, undefined when it does not serve it. */
  priceTrmPerToken(model: string): number | undefined;
  generate(job: {
    model: string;
    prompt: string;
    maxTokens: number;
  }): Promise<{ text: string; completionTokens: number }>;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
}

/** Counters for tests and logs. */
export interface JobServerCounters {
  served: number;
  refused: number;
  failed: number;
}

/** A running job server. */
export interface JobServer {
  readonly counters: JobServerCounters;
  stop(): void;
}

/** Connects to the relays and serves jobs until `stop`. */
export async function startJobServer(deps: JobServerDeps): Promise<JobServer> {
  const counters: JobServerCounters = { served: 0, refused: 0, failed: 0 };
  const log = deps.log ?? (() => undefined);
  const relays: Relay[] = [];
  const seen = new Set<string>();
  const perCustomer = new Map<string, number[]>();
  let servedAtMs: number[] = [];
  const queue: Event[] = [];
  let running = false;
  let stopped = false;

  function admitted(event: Event): { model: string; prompt: string; maxTokens: number } | undefined {
    if (seen.has(event.id) || !verifyEvent(event)) return undefined;
    seen.add(event.id);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value as string);
    let job;
    try {
      job = parseJobRequest(event);
    } catch {
      return undefined;
    }
    const price = deps.priceTrmPerToken(job.model);
    const hourAgo = deps.nowMs() - 3_600_000;
    const recent = (perCustomer.get(event.pubkey) ?? []).filter((at) => at > hourAgo);
    servedAtMs = servedAtMs.filter((at) => at > hourAgo);
    if (
      servedAtMs.length >= JOB_PER_HOUR_MAX ||
      price === undefined ||
      job.maxTokens > JOB_MAX_TOKENS_MAX ||
      job.maxTrm === undefined ||
      job.maxTrm < costTrm(job.maxTokens, price) ||
      recent.length >= JOB_PER_CUSTOMER_PER_HOUR_MAX
    )
      return undefined;
    perCustomer.set(event.pubkey, [...recent, deps.nowMs()]);
    servedAtMs.push(deps.nowMs());
    if (perCustomer.size > SEEN_MAX) perCustomer.delete(perCustomer.keys().next().value as string);
    return { model: job.model, prompt: job.prompt, maxTokens: job.maxTokens };
  }

  async function serve(event: Event): Promise<void> {
    const job = admitted(event);
    if (job === undefined) {
      counters.refused += 1;
      return;
    }
    try {
      const price = deps.priceTrmPerToken(job.model) ?? 0;
      const output = await deps.generate(job);
      const tokens = Math.min(output.completionTokens, job.maxTokens);
      const result = jobResultEvent(
        event,
        { output: output.text, tokens, amountTrm: costTrm(tokens, price) },
        { secretKey: deps.secretKey, nowMs: deps.nowMs() },
      );
      await Promise.allSettled(relays.map((relay) => relay.publish(result)));
      counters.served += 1;
    } catch (error) {
      counters.failed += 1;
      log("NIP-90 job failed", { err: (error as Error).message });
    }
  }

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      for (let event = queue.shift(); event !== undefined && !stopped; event = queue.shift())
        await serve(event);
    } finally {
      running = false;
    }
  }

  const since = Math.floor(deps.nowMs() / 1_000);
  for (const url of deps.relays.slice(0, NOSTR_RELAYS_MAX)) {
    try {
      const relay = await Relay.connect(url, { timeout: NOSTR_RELAY_TIMEOUT_MS_DEFAULT });
      relay.publishTimeout = NOSTR_RELAY_TIMEOUT_MS_DEFAULT;
      relay.subscribe([{ kinds: [NOSTR_KIND_JOB_REQUEST], "#p": [deps.pubkey], since }], {
        onevent: (event) => {
          if (stopped) return;
          if (queue.length >= JOB_QUEUE_MAX) {
            counters.refused += 1;
            return;
          }
          queue.push(event);
          void drain();
        },
      });
      relays.push(relay);
    } catch (error) {
      log("NIP-90 relay unreachable", { relay: url, err: (error as Error).message });
    }
  }
  return {
    counters,
    stop() {
      stopped = true;
      queue.length = 0;
      for (const relay of relays.splice(0)) relay.close();
    },
  };
}
