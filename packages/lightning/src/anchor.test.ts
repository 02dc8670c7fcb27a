/**
 * Proves the anchor format against published vectors (vectors/anchor.json): for a known root and window on
 * each network, the payload is magic ‖ version ‖ network flag ‖ reserved ‖ root ‖ window, the OP_RETURN
 * script and the unsigned PSBT are byte-identical to the vector, and both decode back to the commitment.
 */
import { readFileSync } from "node:fs";
import { Transaction } from "@scure/btc-signer";
import { toHex } from "@tirami/core";
import { describe, expect, it } from "vitest";
import { anchorScript, buildAnchorPsbt, decodeAnchorPsbt, decodeAnchorScript } from "./anchor.js";
import { parseNetwork } from "./network.js";

interface Vector {
  network: string;
  merkle_root: string;
  window_start_ms: number;
  window_end_ms: number;
  payload_hex: string;
  script_hex: string;
  psbt_base64: string;
}
const { vectors } = JSON.parse(readFileSync(new URL("../vectors/anchor.json", import.meta.url), "utf8")) as {
  vectors: Vector[];
};

const u64 = (n: number) => n.toString(16).padStart(16, "0");
const FLAGS: Record<string, string> = { mainnet: "00", testnet: "01", signet: "02", regtest: "03" };

describe("anchor vectors", () => {
  it("covers every network", () => {
    expect(vectors.map((v) => v.network)).toEqual(["mainnet", "testnet", "signet", "regtest"]);
  });

  for (const v of vectors) {
    it(`${v.network}: payload, script and PSBT match and decode back`, () => {
      const commitment = {
        network: parseNetwork(v.network),
        merkleRoot: v.merkle_root,
        windowStartMs: v.window_start_ms,
        windowEndMs: v.window_end_ms,
      };
      const layout =
        "46524745" +
        "02" +
        FLAGS[v.network] +
        "0000" +
        v.merkle_root +
        u64(v.window_start_ms) +
        u64(v.window_end_ms);
      expect(v.payload_hex).toBe(layout);
      expect(v.script_hex).toBe("6a38" + layout);
      const built = buildAnchorPsbt(commitment);
      expect(built.payload_hex).toBe(v.payload_hex);
      expect(built.script_hex).toBe(v.script_hex);
      expect(toHex(anchorScript(commitment))).toBe(v.script_hex);
      expect(built.psbt_base64).toBe(v.psbt_base64);
      expect(decodeAnchorScript(Buffer.from(v.script_hex, "hex"))).toEqual(commitment);
      expect(decodeAnchorPsbt(v.psbt_base64)).toEqual(commitment);
      const tx = Transaction.fromPSBT(Buffer.from(v.psbt_base64, "base64"), { allowUnknownOutputs: true });
      expect(tx.outputsLength).toBe(1);
      expect(tx.inputsLength).toBe(0);
      expect(tx.getOutput(0).amount).toBe(0n);
    });
  }

  it("reads nothing from other OP_RETURN data and refuses malformed commitments", () => {
    const script = Buffer.from(vectors[0]!.script_hex, "hex");
    expect(decodeAnchorScript(script.subarray(0, 40))).toBeNull();
    const wrongVersion = Buffer.from(script);
    wrongVersion[6] = 0x01;
    expect(decodeAnchorScript(wrongVersion)).toBeNull();
    const wrongFlag = Buffer.from(script);
    wrongFlag[7] = 0x09;
    expect(decodeAnchorScript(wrongFlag)).toBeNull();
    const base = {
      network: "mainnet" as const,
      merkleRoot: "ab".repeat(32),
      windowStartMs: 5,
      windowEndMs: 4,
    };
    expect(() => buildAnchorPsbt(base)).toThrow(RangeError);
    expect(() => buildAnchorPsbt({ ...base, windowEndMs: 6, merkleRoot: "AB".repeat(32) })).toThrow(
      RangeError,
    );
    expect(() => parseNetwork("liquid")).toThrow(/unknown network/);
    expect(parseNetwork("Bitcoin")).toBe("mainnet");
  });
});
