/**
 * Proves the node key file is created once with mode 0600 inside a 0700 home, survives reloads, and is
 * refused — never replaced — when its permissions are too wide or its size is wrong.
 */
import { chmodSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tirami/test-kit";
import { beforeEach, describe, expect, it } from "vitest";
import { toHex } from "./bytes.js";
import { loadOrCreateNodeKey, readNodeKey } from "./key-file.js";
import { resolveHome } from "./home.js";

let base: string;
beforeEach(() => {
  base = tempDir("tirami-core-key-");
});

describe("node key file", () => {
  it("creates home and key with owner-only permissions, then reloads the same key", () => {
    const home = join(base, "home");
    const first = loadOrCreateNodeKey(home);
    expect(first.created).toBe(true);
    expect(statSync(join(home, "node.key")).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(first.path).size).toBe(32);
    const second = loadOrCreateNodeKey(home);
    expect(second.created).toBe(false);
    expect(toHex(second.seed)).toBe(toHex(first.seed));
    expect(second.signer.accountId).toBe(first.signer.accountId);
    // No temporary files are left behind.
    expect(readdirSync(home)).toEqual(["node.key"]);
  });

  it("refuses a key readable by group or others, and does not replace it", () => {
    const home = join(base, "home");
    const { path, seed } = loadOrCreateNodeKey(home);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateNodeKey(home)).toThrow(
      expect.objectContaining({ code: "KEY_FILE_PERMISSIONS" }),
    );
    chmodSync(path, 0o600);
    expect(toHex(readNodeKey(path).seed)).toBe(toHex(seed));
  });

  it.each([0, 31, 33, 64])("refuses a %i-byte key file as corrupt", (size) => {
    const home = join(base, "home");
    loadOrCreateNodeKey(home);
    const path = join(home, "node.key");
    writeFileSync(path, new Uint8Array(size), { mode: 0o600 });
    expect(() => loadOrCreateNodeKey(home)).toThrow(expect.objectContaining({ code: "KEY_FILE_CORRUPT" }));
    expect(statSync(path).size).toBe(size);
  });

  it("resolves home from an explicit path, then TIRAMI_HOME, then ~/.tirami", () => {
    expect(resolveHome({ home: base, env: { TIRAMI_HOME: "/elsewhere" } })).toBe(base);
    expect(resolveHome({ env: { TIRAMI_HOME: base } })).toBe(base);
    expect(resolveHome({ env: {} })).toMatch(/\.tirami$/);
  });
});
