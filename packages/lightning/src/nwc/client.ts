/**
 * The Nostr Wallet Connect backend (NIP-47): each wallet call is one encrypted request event (kind
 * 23194, `p`-tagged to the wallet service) published to the connection's relay, answered by one encrypted
 * response event (kind 23195, `e`-tagged to the request) signed by the wallet service's key. Events are
 * built, signed and verified with nostr-tools (`finalizeEvent`, `verifyEvent`); the content is encrypted
 * with NIP-44 v2 when the wallet's info event (kind 13194) offers it, else NIP-04 (NIP-47's default).
 * Node 20 has no global WebSocket, so the relay connection uses `ws`. A response is accepted only from the
 * wallet's pubkey, for the request's id, within WALLET_CALL_TIMEOUT_MS, and at most
 * WALLET_RESPONSE_BYTES_MAX long.
 * @module
 */
import { finalizeEvent, getPublicKey, nip04, nip44, verifyEvent, type Event } from "nostr-tools";
import { AbstractRelay } from "nostr-tools/abstract-relay";
import WebSocket from "ws";
import { WALLET_CALL_TIMEOUT_MS, WALLET_RESPONSE_BYTES_MAX } from "../constants.js";
import { LightningError, LightningErrorCode } from "../errors.js";
import type { InvoiceStatus, LightningWallet } from "../wallet.js";
import { walletError } from "../wallet.js";
import type { NwcConnection } from "./uri.js";

/** NIP-47 event kinds. */
export const NWC_INFO_KIND = 13194;
export const NWC_REQUEST_KIND = 23194;
export const NWC_RESPONSE_KIND = 23195;

export type NwcEncryption = "nip44_v2" | "nip04";

/** Options of `connectNwcWallet`. */
export interface NwcWalletOptions {
  /** Per call, ms. Default WALLET_CALL_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Force an encryption instead of reading the wallet's info event. */
  encryption?: NwcEncryption;
}

interface NwcResponse {
  result_type?: unknown;
  error?: { code?: unknown; message?: unknown } | null;
  result?: Record<string, unknown> | null;
}

function timeout(method: string): LightningError {
  return new LightningError(
    LightningErrorCode.WALLET_TIMEOUT,
    `the NWC wallet did not answer ${method} in time`,
  );
}

/** Reads the wallet's info event and picks the encryption it offers (NIP-44 v2 preferred). */
async function readEncryption(
  relay: AbstractRelay,
  walletPubkey: string,
  timeoutMs: number,
): Promise<NwcEncryption> {
  const info = await new Promise<Event | undefined>((resolve) => {
    let found: Event | undefined;
    const timer = setTimeout(() => {
      sub.close();
      resolve(found);
    }, timeoutMs);
    const sub = relay.subscribe([{ kinds: [NWC_INFO_KIND], authors: [walletPubkey], limit: 1 }], {
      onevent: (event) => {
        found = event;
      },
      oneose: () => {
        clearTimeout(timer);
        sub.close();
        resolve(found);
      },
    });
  });
  const tag = info?.tags.find((t) => t[0] === "encryption")?.[1];
  return tag !== undefined && tag.split(" ").includes("nip44_v2") ? "nip44_v2" : "nip04";
}

/** Connects to the first relay of `connection` that answers and returns the wallet. */
export async function connectNwcWallet(
  connection: NwcConnection,
  options: NwcWalletOptions = {},
): Promise<LightningWallet> {
  const timeoutMs = options.timeoutMs ?? WALLET_CALL_TIMEOUT_MS;
  let relay: AbstractRelay | undefined;
  let lastError: unknown;
  for (const url of connection.relays) {
    const candidate = new AbstractRelay(url, {
      verifyEvent,
      websocketImplementation: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      await candidate.connect({ timeout: timeoutMs });
      relay = candidate;
      break;
    } catch (error) {
      lastError = error;
      candidate.close();
    }
  }
  if (relay === undefined)
    throw walletError(`no NWC relay answered: ${(lastError as Error | undefined)?.message ?? "unknown"}`);
  const live = relay;
  const { walletPubkey, secretKey } = connection;
  const clientPubkey = getPublicKey(secretKey);
  const encryption =
    options.encryption ?? (await readEncryption(live, walletPubkey, Math.min(timeoutMs, 5_000)));
  const conversationKey = nip44.getConversationKey(secretKey, walletPubkey);
  const encrypt = (text: string) =>
    encryption === "nip44_v2"
      ? nip44.encrypt(text, conversationKey)
      : nip04.encrypt(secretKey, walletPubkey, text);
  const decrypt = (text: string) =>
    encryption === "nip44_v2"
      ? nip44.decrypt(text, conversationKey)
      : nip04.decrypt(secretKey, walletPubkey, text);

  async function call(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const tags = [["p", walletPubkey]];
    if (encryption === "nip44_v2") tags.push(["encryption", "nip44_v2"]);
    const request = finalizeEvent(
      {
        kind: NWC_REQUEST_KIND,
        created_at: Math.floor(Date.now() / 1_000),
        tags,
        content: encrypt(JSON.stringify({ method, params })),
      },
      secretKey,
    );
    const response = await new Promise<NwcResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.close();
        reject(timeout(method));
      }, timeoutMs);
      const sub = live.subscribe(
        [{ kinds: [NWC_RESPONSE_KIND], authors: [walletPubkey], "#e": [request.id], "#p": [clientPubkey] }],
        {
          onevent: (event) => {
            if (event.pubkey !== walletPubkey || !event.tags.some((t) => t[0] === "e" && t[1] === request.id))
              return;
            clearTimeout(timer);
            sub.close();
            try {
              if (event.content.length > WALLET_RESPONSE_BYTES_MAX)
                throw walletError("NWC response too large");
              resolve(JSON.parse(decrypt(event.content)) as NwcResponse);
            } catch (error) {
              reject(
                error instanceof LightningError
                  ? error
                  : walletError("NWC response does not decrypt or parse"),
              );
            }
          },
        },
      );
      // Subscribed before publishing, so the (ephemeral) answer cannot arrive unseen.
      live.publish(request).catch((error: unknown) => {
        clearTimeout(timer);
        sub.close();
        reject(walletError(`the relay refused the NWC request: ${(error as Error).message}`));
      });
    });
    if (response.error !== undefined && response.error !== null) {
      const code = typeof response.error.code === "string" ? response.error.code : "OTHER";
      const message = typeof response.error.message === "string" ? response.error.message.slice(0, 200) : "";
      const ourCode =
        method === "pay_invoice" ? LightningErrorCode.PAYMENT_FAILED : LightningErrorCode.WALLET_ERROR;
      throw new LightningError(ourCode, `NWC ${method} failed: ${code} ${message}`.trim(), {
        details: { nwc_code: code },
      });
    }
    if (response.result_type !== method || response.result === null || typeof response.result !== "object")
      throw walletError(`NWC answered ${String(response.result_type)} to ${method}`);
    return response.result;
  }

  const str = (value: unknown, field: string): string => {
    if (typeof value !== "string") throw walletError(`NWC result lacks ${field}`);
    return value;
  };
  const int = (value: unknown, field: string): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      throw walletError(`NWC result lacks ${field}`);
    return value;
  };

  return {
    kind: "nwc",
    async createInvoice(request) {
      const result = await call("make_invoice", {
        amount: request.amountMsat,
        description: request.description,
        expiry: request.expiryS,
      });
      return {
        bolt11: str(result.invoice, "invoice"),
        payment_hash: str(result.payment_hash, "payment_hash"),
        amount_msat: int(result.amount, "amount"),
        expires_at_s: int(result.expires_at, "expires_at"),
      };
    },
    async payInvoice(bolt11) {
      const result = await call("pay_invoice", { invoice: bolt11 });
      return {
        preimage: str(result.preimage, "preimage"),
        fees_paid_msat: result.fees_paid === undefined ? 0 : int(result.fees_paid, "fees_paid"),
      };
    },
    async lookupInvoice(paymentHash) {
      const result = await call("lookup_invoice", { payment_hash: paymentHash });
      const preimage = typeof result.preimage === "string" && result.preimage !== "" ? result.preimage : null;
      let state: InvoiceStatus["state"];
      if (
        result.state === "settled" ||
        result.state === "pending" ||
        result.state === "expired" ||
        result.state === "failed"
      )
        state = result.state;
      else if (typeof result.settled_at === "number") state = "settled";
      else if (typeof result.expires_at === "number" && result.expires_at * 1_000 < Date.now())
        state = "expired";
      else state = "pending";
      return {
        payment_hash: str(result.payment_hash, "payment_hash"),
        state,
        amount_msat: int(result.amount, "amount"),
        preimage,
      };
    },
    async balanceMsat() {
      const result = await call("get_balance", {});
      return int(result.balance, "balance");
    },
    async close() {
      live.close();
    },
  };
}
