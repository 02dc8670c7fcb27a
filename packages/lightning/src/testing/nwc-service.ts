/**
 * Test only: a Nostr Wallet Connect wallet service (NIP-47) in front of a simulated wallet. It connects to
 * a relay, publishes its info event (kind 13194: the methods it serves, `encryption` nip44_v2 and
 * nip04), answers request events (kind 23194) of its one authorised client with encrypted response events
 * (kind 23195) — make_invoice, pay_invoice, lookup_invoice, get_balance — in the encryption the request
 * used, and hands out the `nostr+walletconnect://` string a user would paste.
 * @module
 */
import {
  finalizeEvent,
  generateSecretKey,
  getPublicKey,
  nip04,
  nip44,
  verifyEvent,
  type Event,
} from "nostr-tools";
import { AbstractRelay } from "nostr-tools/abstract-relay";
import WebSocket from "ws";
import { toHex } from "@tirami/core";
import { SimPaymentError, type SimWallet } from "./sim-network.js";

/** A running wallet service. */
export interface NwcWalletService {
  /** What the user pastes into `tirami wallet connect`. */
  readonly connectionUri: string;
  /** Requests answered, by method. */
  readonly served: Record<string, number>;
  close(): Promise<void>;
}

/** Starts a service for `wallet` on the relay at `relayUrl`. */
export async function startNwcWalletService(options: {
  relayUrl: string;
  wallet: SimWallet;
  /** Encryptions listed in the info event (default both). */
  encryptions?: string;
}): Promise<NwcWalletService> {
  const serviceKey = generateSecretKey();
  const servicePubkey = getPublicKey(serviceKey);
  const clientKey = generateSecretKey();
  const clientPubkey = getPublicKey(clientKey);
  const relay = new AbstractRelay(options.relayUrl, {
    verifyEvent,
    websocketImplementation: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  await relay.connect({ timeout: 5_000 });
  const served: Record<string, number> = {};
  const now = () => Math.floor(Date.now() / 1_000);
  await relay.publish(
    finalizeEvent(
      {
        kind: 13194,
        created_at: now(),
        tags: [["encryption", options.encryptions ?? "nip44_v2 nip04"]],
        content: "make_invoice pay_invoice lookup_invoice get_balance",
      },
      serviceKey,
    ),
  );
  const conversationKey = nip44.getConversationKey(serviceKey, clientPubkey);

  function handle(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const w = options.wallet;
    switch (method) {
      case "make_invoice": {
        const inv = w.makeInvoice({
          amountMsat: params.amount as number,
          description: (params.description as string | undefined) ?? "",
          expiryS: (params.expiry as number | undefined) ?? 3_600,
        });
        return {
          type: "incoming",
          invoice: inv.bolt11,
          payment_hash: inv.payment_hash,
          amount: inv.amount_msat,
          created_at: inv.created_at_s,
          expires_at: inv.expires_at_s,
        };
      }
      case "pay_invoice":
        return (({ preimage, fees_paid_msat }) => ({ preimage, fees_paid: fees_paid_msat }))(
          w.payInvoice(params.invoice as string),
        );
      case "lookup_invoice": {
        const inv = w.lookupInvoice(params.payment_hash as string);
        if (inv === undefined) throw new SimPaymentError("NOT_FOUND", "no such invoice");
        return {
          type: "incoming",
          invoice: inv.bolt11,
          payment_hash: inv.payment_hash,
          amount: inv.amount_msat,
          created_at: inv.created_at_s,
          expires_at: inv.expires_at_s,
          ...(inv.settled_at_s === null ? {} : { settled_at: inv.settled_at_s, preimage: inv.preimage }),
        };
      }
      case "get_balance":
        return { balance: w.balanceMsat };
      default:
        throw new SimPaymentError("NOT_IMPLEMENTED", `unknown method ${method}`);
    }
  }

  async function answer(request: Event): Promise<void> {
    if (request.pubkey !== clientPubkey) return; // only the authorised connection
    const nip44Used = request.tags.some((t) => t[0] === "encryption" && t[1] === "nip44_v2");
    const decrypt = (c: string) =>
      nip44Used ? nip44.decrypt(c, conversationKey) : nip04.decrypt(serviceKey, clientPubkey, c);
    const encrypt = (c: string) =>
      nip44Used ? nip44.encrypt(c, conversationKey) : nip04.encrypt(serviceKey, clientPubkey, c);
    const { method, params } = JSON.parse(decrypt(request.content)) as {
      method: string;
      params: Record<string, unknown>;
    };
    let body: Record<string, unknown>;
    try {
      body = { result_type: method, error: null, result: handle(method, params ?? {}) };
    } catch (error) {
      const code = error instanceof SimPaymentError ? error.code : "INTERNAL";
      body = { result_type: method, error: { code, message: (error as Error).message }, result: null };
    }
    served[method] = (served[method] ?? 0) + 1;
    await relay.publish(
      finalizeEvent(
        {
          kind: 23195,
          created_at: now(),
          tags: [
            ["p", clientPubkey],
            ["e", request.id],
          ],
          content: encrypt(JSON.stringify(body)),
        },
        serviceKey,
      ),
    );
  }

  const sub = relay.subscribe([{ kinds: [23194], "#p": [servicePubkey], since: now() - 5 }], {
    onevent: (event) => {
      answer(event).catch(() => undefined);
    },
  });
  return {
    connectionUri: `nostr+walletconnect://${servicePubkey}?relay=${encodeURIComponent(options.relayUrl)}&secret=${toHex(clientKey)}`,
    served,
    async close() {
      sub.close();
      relay.close();
    },
  };
}
