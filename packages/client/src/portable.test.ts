/**
 * Keeps the client usable in browsers: its source imports nothing but zod and its own modules (no
 * `node:` built-ins, no workspace package with native code), and reads the environment only through a
 * guarded `globalThis.process`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const here = import.meta.dirname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("portability", () => {
  it("imports only zod and its own modules", () => {
    const foreign: string[] = [];
    for (const file of sources(here)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\bfrom\s+"([^"]+)"/g)) {
        const specifier = match[1] as string;
        if (specifier !== "zod" && !specifier.startsWith("."))
          foreign.push(`${relative(here, file)}: ${specifier}`);
      }
      if (/\bprocess\.[a-z]/.test(text)) foreign.push(`${relative(here, file)}: process`);
    }
    expect(foreign).toEqual([]);
  });
});
