/**
 * Test only: a small BOLT11 encoder and signer, so tests pay real invoice strings. It writes the
 * human-readable part (`ln` + network prefix + amount in pico-bitcoin), the 35-bit timestamp, the tagged
 * fields `p` (payment hash), `s` (payment secret), `d` (description), `x` (expiry) and `c` (min final CLTV
 * delta), and a secp256k1 recoverable signature over sha256(hrp ‖ data) (BOLT 11 "Signature"), all
 * bech32-encoded (BIP 173, without its 90-character limit, as BOLT 11 says).
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8 } from "@tirami/core";
import { type BitcoinNetwork, networkInfo } from "../network.js";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if (((top >>> i) & 1) === 1) chk ^= GENERATOR[i] as number;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >>> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

function bech32Encode(hrp: string, words: number[]): string {
  const mod = polymod([...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return hrp + "1" + [...words, ...checksum].map((w) => CHARSET[w]).join("");
}

/** 8-bit bytes to 5-bit words, zero-padded at the end. */
function toWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >>> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

/** 5-bit words back to bytes (the trailing partial byte, if any, is zero-padded). */
function wordsToBytes(words: number[]): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}

function intWords(value: number, length: number): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < length; i++) {
    out.unshift(v % 32);
    v = Math.floor(v / 32);
  }
  return out;
}

/** The smallest number of 5-bit words holding `value`. */
function minimalIntWords(value: number): number[] {
  const words: number[] = [];
  let v = value;
  do {
    words.unshift(v % 32);
    v = Math.floor(v / 32);
  } while (v > 0);
  return words;
}

function tagged(code: number, data: number[]): number[] {
  return [code, ...intWords(data.length, 2), ...data];
}

/** What to put in a test invoice. */
export interface TestInvoiceFields {
  network: BitcoinNetwork;
  amountMsat: number;
  paymentHash: Uint8Array;
  paymentSecret: Uint8Array;
  description: string;
  timestampS: number;
  expiryS: number;
  /** The payee node's secp256k1 secret key (32 bytes). */
  nodeSecretKey: Uint8Array;
}

/** Encodes and signs a BOLT11 invoice. */
export function encodeTestInvoice(f: TestInvoiceFields): string {
  const hrp = `ln${networkInfo(f.network).bolt11Prefix}${f.amountMsat * 10}p`;
  const data = [
    ...intWords(f.timestampS, 7),
    ...tagged(1, toWords(f.paymentHash)),
    ...tagged(16, toWords(f.paymentSecret)),
    ...tagged(13, toWords(utf8(f.description))),
    ...tagged(6, minimalIntWords(f.expiryS)),
    ...tagged(24, minimalIntWords(18)),
  ];
  const digest = sha256(concatBytes(utf8(hrp), wordsToBytes(data)));
  const recovered = secp256k1.sign(digest, f.nodeSecretKey, { prehash: false, format: "recovered" });
  // noble puts the recovery id first; BOLT 11 wants r ‖ s ‖ recovery id.
  const signature = concatBytes(recovered.subarray(1), recovered.subarray(0, 1));
  return bech32Encode(hrp, [...data, ...toWords(signature)]);
}

/** Recovers the payee key of a test invoice's signature (33-byte compressed), to check the encoder. */
export function recoverTestInvoiceKey(hrp: string, dataWords: number[], signature65: Uint8Array): Uint8Array {
  const digest = sha256(concatBytes(utf8(hrp), wordsToBytes(dataWords)));
  const recovered = concatBytes(signature65.subarray(64), signature65.subarray(0, 64));
  return secp256k1.recoverPublicKey(recovered, digest, { prehash: false });
}
