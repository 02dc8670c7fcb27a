/**
 * Proves the id and hex guards accept exactly their forms: lowercase hex of the exact byte length (not
 * uppercase, not one character more or less, no prefix or spaces), and text ids of 1 to lengthMax printable
 * ASCII characters without spaces (not empty, not one past the limit, no space, control or non-ASCII
 * character), with fixed vectors and a property test against a character-by-character reference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAccountId, PUBLIC_KEY_BYTES } from "./account.js";
import { isLowerHex, toHex } from "./bytes.js";
import { sha256, SHA256_BYTES } from "./hash.js";
import { isHex32, isSignatureHex, isTextId, TEXT_ID_CHAR_CODE_MAX, TEXT_ID_CHAR_CODE_MIN } from "./ids.js";
import { createSigner, SIGNATURE_BYTES } from "./keys.js";

const signer = createSigner(new Uint8Array(32).fill(7));
const digest = toHex(sha256(new Uint8Array([1, 2, 3])));
const signature = toHex(signer.sign(new Uint8Array([1])));

/** Inputs every hex guard must refuse, built from a valid value of `hexLength` characters. */
function hexRejects(valid: string): [string, unknown][] {
  return [
    ["uppercase", valid.toUpperCase()],
    ["one uppercase letter", `A${valid.slice(1)}`],
    ["one character short", valid.slice(1)],
    ["one character long", `${valid}0`],
    ["two characters long", `${valid}00`],
    ["a 0x prefix", `0x${valid.slice(2)}`],
    ["a space", ` ${valid.slice(1)}`],
    ["a trailing newline", `${valid.slice(1)}\n`],
    ["a non-hex letter", `g${valid.slice(1)}`],
    ["a non-ASCII digit", `٣${valid.slice(1)}`],
    ["empty", ""],
    ["bytes", new Uint8Array(valid.length / 2)],
    ["a number", 0],
    ["null", null],
    ["undefined", undefined],
  ];
}

describe("isLowerHex", () => {
  it("accepts exactly byteLength bytes of lowercase hex", () => {
    expect(isLowerHex("00ff", 2)).toBe(true);
    expect(isLowerHex("0123456789abcdef", 8)).toBe(true);
    expect(isLowerHex("", 0)).toBe(true);
    expect(isLowerHex("00ff", 1)).toBe(false);
    expect(isLowerHex("00ff", 3)).toBe(false);
    expect(isLowerHex("0", 0)).toBe(false);
  });

  it.each(hexRejects("00112233445566778899aabbccddeeff"))("rejects %s", (_label, value) => {
    expect(isLowerHex(value, 16)).toBe(false);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("throws RangeError for byteLength %s", (n) => {
    expect(() => isLowerHex("00", n)).toThrow(RangeError);
  });
});

describe("isHex32", () => {
  it("accepts a SHA-256 digest and the all-zero start cursor", () => {
    expect(SHA256_BYTES).toBe(32);
    expect(isHex32(digest)).toBe(true);
    expect(isHex32("0".repeat(64))).toBe(true);
  });

  it.each(hexRejects(digest))("rejects %s", (_label, value) => {
    expect(isHex32(value)).toBe(false);
  });

  it("rejects a signature (128 characters) and agrees with isAccountId on 32-byte keys", () => {
    expect(isHex32(signature)).toBe(false);
    expect(PUBLIC_KEY_BYTES).toBe(SHA256_BYTES);
    expect(isHex32(signer.accountId)).toBe(true);
    expect(isAccountId(signer.accountId)).toBe(true);
    for (const [, value] of hexRejects(signer.accountId)) expect(isAccountId(value)).toBe(false);
  });
});

describe("isSignatureHex", () => {
  it("accepts an Ed25519 signature as 128 lowercase hex characters", () => {
    expect(signature).toHaveLength(SIGNATURE_BYTES * 2);
    expect(isSignatureHex(signature)).toBe(true);
  });

  it.each(hexRejects(signature))("rejects %s", (_label, value) => {
    expect(isSignatureHex(value)).toBe(false);
  });

  it("rejects a 32-byte digest", () => {
    expect(isSignatureHex(digest)).toBe(false);
  });
});

describe("isTextId", () => {
  it.each([
    ["one character", "x"],
    ["every printable character but space", "!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"],
    ["a model id", "qwen2.5-0.5b-instruct-q4_k_m"],
    ["a multiaddr", "/ip4/127.0.0.1/tcp/7700"],
    ["exactly lengthMax characters", "r".repeat(128)],
  ])("accepts %s", (_label, value) => {
    expect(isTextId(value, 128)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["one past lengthMax", "r".repeat(129)],
    ["a space", "req 1"],
    ["a leading space", " req"],
    ["a tab", "req\t1"],
    ["a newline", "req\n"],
    ["NUL", "req\u0000"],
    ["DEL", "req\u007f"],
    ["a Latin-1 letter", "café"],
    ["an emoji", "req-👋"],
    ["a full-width letter", "ｒｅｑ"],
    ["a number", 5],
    ["bytes", new Uint8Array([0x61])],
    ["null", null],
    ["undefined", undefined],
  ])("rejects %s", (_label, value) => {
    expect(isTextId(value, 128)).toBe(false);
  });

  it("bounds by the lengthMax it is given", () => {
    expect(isTextId("abc", 3)).toBe(true);
    expect(isTextId("abcd", 3)).toBe(false);
    expect(isTextId("a", 1)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])("throws RangeError for lengthMax %s", (n) => {
    expect(() => isTextId("a", n)).toThrow(RangeError);
  });

  it("agrees with a character-by-character reference on arbitrary strings", () => {
    const reference = (value: string, lengthMax: number): boolean =>
      value.length >= 1 &&
      value.length <= lengthMax &&
      [...value].every((char) => {
        const code = char.codePointAt(0) as number;
        return code >= TEXT_ID_CHAR_CODE_MIN && code <= TEXT_ID_CHAR_CODE_MAX;
      });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 12 }),
          fc.string({ unit: fc.integer({ min: 0x1f, max: 0x80 }).map((c) => String.fromCharCode(c)) }),
        ),
        fc.integer({ min: 1, max: 12 }),
        (value, lengthMax) => isTextId(value, lengthMax) === reference(value, lengthMax),
      ),
    );
  });
});
