/**
 * The Bitcoin networks a node can settle and anchor on: their BOLT11 prefixes (BOLT 11 "Human-Readable
 * Part": `lnbc`, `lntb`, `lntbs`, `lnbcrt`), their flag byte in the anchor payload (docs/upstream.md
 * §4.12) and their @scure/btc-signer parameters.
 * @module
 */
import { NETWORK, TEST_NETWORK } from "@scure/btc-signer";
import { LightningError, LightningErrorCode } from "./errors.js";

/** Networks by name. `bitcoin` is accepted as an alias of `mainnet` (upstream's spelling). */
export const BITCOIN_NETWORKS = ["mainnet", "testnet", "signet", "regtest"] as const;
export type BitcoinNetwork = (typeof BITCOIN_NETWORKS)[number];

interface NetworkInfo {
  /** BOLT11 currency prefix after `ln`. */
  bolt11Prefix: string;
  /** Flag byte of the anchor payload. */
  anchorFlag: number;
  /** Address parameters for @scure/btc-signer. */
  btc: typeof NETWORK;
}

const INFO: Record<BitcoinNetwork, NetworkInfo> = {
  mainnet: { bolt11Prefix: "bc", anchorFlag: 0x00, btc: NETWORK },
  testnet: { bolt11Prefix: "tb", anchorFlag: 0x01, btc: TEST_NETWORK },
  signet: { bolt11Prefix: "tbs", anchorFlag: 0x02, btc: TEST_NETWORK },
  regtest: { bolt11Prefix: "bcrt", anchorFlag: 0x03, btc: { ...TEST_NETWORK, bech32: "bcrt" } },
};

/** The facts of one network. */
export function networkInfo(network: BitcoinNetwork): NetworkInfo {
  return INFO[network];
}

/**
 * Parses a network name (case-insensitive; `bitcoin` = `mainnet`).
 * @throws {LightningError} NETWORK_UNKNOWN
 */
export function parseNetwork(name: string): BitcoinNetwork {
  const lower = name.toLowerCase();
  const network = lower === "bitcoin" ? "mainnet" : lower;
  if (!(BITCOIN_NETWORKS as readonly string[]).includes(network)) {
    throw new LightningError(LightningErrorCode.NETWORK_UNKNOWN, `unknown network: ${name.slice(0, 32)}`, {
      details: { networks: [...BITCOIN_NETWORKS] },
    });
  }
  return network as BitcoinNetwork;
}

/** The network whose BOLT11 prefix is `prefix`, or undefined. */
export function networkOfBolt11Prefix(prefix: string): BitcoinNetwork | undefined {
  return BITCOIN_NETWORKS.find((n) => INFO[n].bolt11Prefix === prefix);
}
