/**
 * Anchoring a settlement window on Bitcoin: an OP_RETURN output committing to the RFC 9162 Merkle root of
 * exactly that window's trades, in an unsigned PSBT (BIP 174, built with @scure/btc-signer) that the
 * operator funds, signs and broadcasts with their own wallet. Nothing here holds a key or broadcasts.
 *
 * Payload (56 bytes, big-endian integers): ASCII `FRGE` ‖ version `0x02` ‖ network flag (`0x00` mainnet,
 * `0x01` testnet, `0x02` signet, `0x03` regtest) ‖ `0x00 0x00` reserved ‖ merkle root (32) ‖
 * window_start_ms (u64) ‖ window_end_ms (u64). Upstream's version `0x01` payload (docs/upstream.md §4.12)
 * is the same up to the root, but its root covered the whole log, so an anchor said nothing about any
 * window; version 2 names the window the root is of. Script: `OP_RETURN` (0x6a) ‖ push-56 (0x38) ‖
 * payload: 58 bytes, within the 80-byte standard relay limit of OP_RETURN data.
 * @module
 */
import { Transaction } from "@scure/btc-signer";
import { concatBytes, fromHex, isLowerHex, toHex, utf8 } from "@tirami/core";
import { type BitcoinNetwork, BITCOIN_NETWORKS, networkInfo } from "./network.js";

/** The payload's magic, upstream's (docs/upstream.md §4.12). */
export const ANCHOR_MAGIC = "FRGE";
/** Version 2: the root is of one settlement window, named in the payload. */
export const ANCHOR_VERSION = 0x02;
/** Payload bytes: magic 4 + version 1 + network 1 + reserved 2 + root 32 + two u64 timestamps. */
export const ANCHOR_PAYLOAD_BYTES = 56;
const OP_RETURN = 0x6a;

/** What an anchor commits to. */
export interface AnchorCommitment {
  network: BitcoinNetwork;
  /** 64 lowercase hex: the window's RFC 9162 root. */
  merkleRoot: string;
  windowStartMs: number;
  windowEndMs: number;
}

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

function checkCommitment(c: AnchorCommitment): void {
  if (!isLowerHex(c.merkleRoot, 32)) throw new RangeError(`"merkleRoot" expected 64 lowercase hex`);
  if (!Number.isSafeInteger(c.windowStartMs) || c.windowStartMs < 0)
    throw new RangeError(`"windowStartMs" expected a non-negative integer`);
  if (!Number.isSafeInteger(c.windowEndMs) || c.windowEndMs < c.windowStartMs)
    throw new RangeError(`"windowEndMs" expected an integer ≥ windowStartMs`);
}

/** The 56-byte payload. Throws `RangeError` on a malformed commitment. */
export function anchorPayload(c: AnchorCommitment): Uint8Array {
  checkCommitment(c);
  return concatBytes(
    utf8(ANCHOR_MAGIC),
    Uint8Array.of(ANCHOR_VERSION, networkInfo(c.network).anchorFlag, 0, 0),
    fromHex(c.merkleRoot, "merkleRoot", 32),
    u64(c.windowStartMs),
    u64(c.windowEndMs),
  );
}

/** The output script: OP_RETURN, push of 56 bytes, the payload. */
export function anchorScript(c: AnchorCommitment): Uint8Array {
  return concatBytes(Uint8Array.of(OP_RETURN, ANCHOR_PAYLOAD_BYTES), anchorPayload(c));
}

/**
 * Reads a commitment back from an output script, or returns null when `script` is not a version-2
 * anchor (other OP_RETURN data, another magic or version, an unknown network flag).
 */
export function decodeAnchorScript(script: Uint8Array): AnchorCommitment | null {
  if (script.length !== 2 + ANCHOR_PAYLOAD_BYTES) return null;
  if (script[0] !== OP_RETURN || script[1] !== ANCHOR_PAYLOAD_BYTES) return null;
  const payload = script.subarray(2);
  if (new TextDecoder().decode(payload.subarray(0, 4)) !== ANCHOR_MAGIC) return null;
  if (payload[4] !== ANCHOR_VERSION || payload[6] !== 0 || payload[7] !== 0) return null;
  const network = BITCOIN_NETWORKS.find((n) => networkInfo(n).anchorFlag === payload[5]);
  if (network === undefined) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const start = view.getBigUint64(40);
  const end = view.getBigUint64(48);
  if (start > BigInt(Number.MAX_SAFE_INTEGER) || end > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    network,
    merkleRoot: toHex(payload.subarray(8, 40)),
    windowStartMs: Number(start),
    windowEndMs: Number(end),
  };
}

/** An anchor ready for the operator's wallet. */
export interface AnchorPsbt {
  network: BitcoinNetwork;
  merkle_root: string;
  window_start_ms: number;
  window_end_ms: number;
  payload_hex: string;
  script_hex: string;
  /** Unsigned PSBT (version 0), base64: one zero-value OP_RETURN output, no inputs (the wallet funds it). */
  psbt_base64: string;
}

/** Builds the unsigned PSBT of an anchor (transaction version 2, locktime 0). */
export function buildAnchorPsbt(c: AnchorCommitment): AnchorPsbt {
  const script = anchorScript(c);
  const tx = new Transaction({ version: 2, lockTime: 0, allowUnknownOutputs: true });
  tx.addOutput({ script, amount: 0n });
  return {
    network: c.network,
    merkle_root: c.merkleRoot,
    window_start_ms: c.windowStartMs,
    window_end_ms: c.windowEndMs,
    payload_hex: toHex(anchorPayload(c)),
    script_hex: toHex(script),
    psbt_base64: Buffer.from(tx.toPSBT(0)).toString("base64"),
  };
}

/** Reads the anchor back out of a PSBT (the first output that is one), or null. */
export function decodeAnchorPsbt(psbtBase64: string): AnchorCommitment | null {
  const tx = Transaction.fromPSBT(new Uint8Array(Buffer.from(psbtBase64, "base64")), {
    allowUnknownOutputs: true,
  });
  for (let i = 0; i < tx.outputsLength; i++) {
    const script = tx.getOutput(i).script;
    const found = script === undefined ? null : decodeAnchorScript(script);
    if (found !== null) return found;
  }
  return null;
}
