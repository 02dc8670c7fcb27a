/**
 * Keeps bootstrap peers connected: dials each address at start; after a failed dial or a disconnect,
 * re-dials with bounded, jittered exponential backoff (`backoff.ts`) until stopped. Addresses may carry
 * `/p2p/<id>`; otherwise the id is learnt from the first successful connection.
 * @module
 */
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { type BackoffOptions, backoffDelayMs } from "./backoff.js";

/** Re-dial attempts counted toward the exponent; the delay is capped by `maxMs` long before. */
const ATTEMPT_CAP = 30;

export interface BootstrapDialerOptions {
  addrs: readonly string[];
  backoff: BackoffOptions;
  selfPeerId: string;
  /** Dials `addr`; resolves with the remote peer id string. */
  dial(addr: Multiaddr): Promise<string>;
  /** True when a connection to `peerId` is open. */
  isConnected(peerId: string): boolean;
}

interface Entry {
  addr: Multiaddr;
  peerId: string | undefined;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  dialing: boolean;
}

/** The re-dial state machine of a host's bootstrap list. */
export class BootstrapDialer {
  readonly #options: BootstrapDialerOptions;
  readonly #entries: Entry[];
  #running = false;

  constructor(options: BootstrapDialerOptions) {
    this.#options = options;
    this.#entries = options.addrs.map((text) => {
      const addr = multiaddr(text);
      const peerId = addr.getComponents().find((c) => c.name === "p2p")?.value;
      return { addr, peerId, attempt: 0, timer: undefined, dialing: false };
    });
  }

  /** Dials every bootstrap address once (failures schedule re-dials); resolves when all tried. */
  async start(): Promise<void> {
    this.#running = true;
    await Promise.all(this.#entries.map((entry) => this.#dial(entry)));
  }

  stop(): void {
    this.#running = false;
    for (const entry of this.#entries) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
  }

  /** Call on every peer disconnect: a lost bootstrap peer is re-dialed after the first backoff step. */
  onDisconnect(peerId: string): void {
    for (const entry of this.#entries) {
      if (entry.peerId !== peerId) continue;
      entry.attempt = 0;
      this.#schedule(entry, backoffDelayMs(0, this.#options.backoff));
    }
  }

  #schedule(entry: Entry, delayMs: number): void {
    if (!this.#running || entry.timer !== undefined) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.#dial(entry);
    }, delayMs);
    entry.timer.unref();
  }

  async #dial(entry: Entry): Promise<void> {
    if (!this.#running || entry.dialing) return;
    const { peerId } = entry;
    if (peerId !== undefined && (peerId === this.#options.selfPeerId || this.#options.isConnected(peerId))) {
      entry.attempt = 0;
      return;
    }
    entry.dialing = true;
    try {
      entry.peerId = await this.#options.dial(entry.addr);
      entry.attempt = 0;
    } catch {
      const delay = backoffDelayMs(entry.attempt, this.#options.backoff);
      entry.attempt = Math.min(entry.attempt + 1, ATTEMPT_CAP);
      this.#schedule(entry, delay);
    } finally {
      entry.dialing = false;
    }
  }
}
