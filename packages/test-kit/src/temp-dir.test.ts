/**
 * Proves each kind of temporary directory lives exactly as long as promised: `tempDir` until its test
 * finishes (also when made in `beforeEach`, and also when the test fails), `suiteTempDir` and the dirs of a
 * `suiteTempDirs` maker (made in hooks and tests alike) across the tests of their block and gone after it,
 * also after the block's own `afterAll` ran; `createTempDir` until removed (twice is harmless); and that a prefix
 * cannot point outside the OS temp dir, and that outside a test `tempDir` throws without making one. Later
 * tests check what earlier ones left, so the file relies on vitest's in-order run of one file.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, suiteTempDir, suiteTempDirs, tempDir } from "./temp-dir.js";

describe("tempDir", () => {
  let fromHook = "";
  const seen: string[] = [];
  beforeEach(() => {
    fromHook = tempDir("kit-hook-");
  });

  it("is a fresh directory under the OS temp dir, usable during the test", () => {
    const dir = tempDir("kit-test-");
    expect(dirname(dir)).toBe(tmpdir());
    expect(basename(dir)).toMatch(/^kit-test-/);
    writeFileSync(join(dir, "ledger.db"), "x");
    expect(existsSync(join(dir, "ledger.db"))).toBe(true);
    expect(existsSync(fromHook)).toBe(true);
    seen.push(dir, fromHook);
  });

  it("was removed when the previous test finished, with the one its beforeEach made", () => {
    expect(seen).toHaveLength(2);
    for (const dir of seen) expect(existsSync(dir)).toBe(false);
    expect(existsSync(fromHook)).toBe(true);
    seen.splice(0);
  });

  it.fails("is removed after a failing test too (this test fails on purpose)", () => {
    seen.push(tempDir("kit-fail-"));
    throw new Error("deliberate failure");
  });

  it("…as the next test sees", () => {
    expect(seen).toHaveLength(1);
    expect(existsSync(seen[0] as string)).toBe(false);
  });
});

describe("tempDir outside a test", () => {
  let error: unknown;
  try {
    tempDir("kit-outside-");
  } catch (caught) {
    error = caught;
  }

  it("throws, and leaves no directory behind", () => {
    expect(error).toBeInstanceOf(Error);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith("kit-outside-"))).toEqual([]);
  });
});

describe("suiteTempDir", () => {
  const dir = suiteTempDir("kit-suite-");
  let inner = "";

  describe("inner block", () => {
    inner = suiteTempDir("kit-inner-");
    it("exists for the tests of its block", () => {
      writeFileSync(join(dir, "shared.db"), "x");
      expect(existsSync(inner)).toBe(true);
    });
  });

  it("outlives one test but not its block", () => {
    expect(existsSync(join(dir, "shared.db"))).toBe(true);
    expect(existsSync(inner)).toBe(false);
  });
});

describe("suiteTempDirs", () => {
  const made: string[] = [];
  let stillThereInOwnAfterAll = false;

  describe("inner block", () => {
    const makeDir = suiteTempDirs("kit-many-");
    beforeAll(() => {
      made.push(makeDir());
    });
    afterAll(() => {
      // Registered after suiteTempDirs, so it runs before the removal.
      stillThereInOwnAfterAll = made.every((dir) => existsSync(dir));
    });

    it("makes a fresh directory on each call, in hooks and in tests", () => {
      made.push(makeDir(), makeDir("kit-other-"));
      expect(new Set(made).size).toBe(3);
      expect(basename(made[2] as string)).toMatch(/^kit-other-/);
      for (const dir of made) expect(existsSync(dir)).toBe(true);
    });

    it("keeps them for the next test of the block", () => {
      for (const dir of made) expect(existsSync(dir)).toBe(true);
    });
  });

  it("removes them after the block, once the block's own afterAll has run", () => {
    expect(made).toHaveLength(3);
    expect(stillThereInOwnAfterAll).toBe(true);
    for (const dir of made) expect(existsSync(dir)).toBe(false);
  });
});

describe("createTempDir", () => {
  it("exists until removed; removing twice is harmless", () => {
    const dir = createTempDir("kit-manual-");
    try {
      expect(existsSync(dir.path)).toBe(true);
    } finally {
      dir.remove();
    }
    expect(existsSync(dir.path)).toBe(false);
    expect(() => dir.remove()).not.toThrow();
  });

  it.each(["", "../escape-", "a/b", "x".repeat(65), "spaced name"])("refuses the prefix %j", (prefix) => {
    expect(() => createTempDir(prefix)).toThrow(TypeError);
  });
});
