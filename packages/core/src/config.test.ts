/**
 * Proves layered config precedence (default < file < env < flag), parsing of env/flag strings, and that
 * every bad value and unknown file key is reported at once with its origin — a flag named as it was
 * typed, a list item named with what its check found wrong.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tirami/test-kit";
import { beforeEach, describe, expect, it } from "vitest";
import { type ConfigTable, loadConfig } from "./config.js";

const table = {
  api_port: { kind: "integer", min: 0, max: 65_535, default: 3000, doc: "HTTP port" },
  api_bind: { kind: "string", default: "127.0.0.1", doc: "HTTP bind address" },
  mdns: { kind: "boolean", default: false, doc: "LAN discovery" },
  bootstrap: { kind: "list", itemsMax: 4, default: [], doc: "bootstrap multiaddrs" },
  route: {
    kind: "enum",
    values: ["cost", "quality", "balanced"],
    default: "balanced",
    doc: "routing preference",
  },
  model: { kind: "string", doc: "model path or name" },
  price: { kind: "number", min: 0, max: 100, doc: "price in TRM per token" },
} as const satisfies ConfigTable;

let dir: string;
beforeEach(() => {
  dir = tempDir("tirami-config-");
});

describe("loadConfig", () => {
  it("uses defaults when nothing is given, and leaves optional options undefined", () => {
    const { values, origins } = loadConfig(table, { file: join(dir, "missing.json") });
    expect(values).toEqual({
      api_port: 3000,
      api_bind: "127.0.0.1",
      mdns: false,
      bootstrap: [],
      route: "balanced",
    });
    expect(values.model).toBeUndefined();
    expect(origins.api_port).toBe("default");
  });

  it("applies file < env < flag precedence and parses strings", () => {
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ api_port: 4000, mdns: true, model: "a.gguf", price: 0.5 }));
    const { values, origins } = loadConfig(table, {
      file,
      env: {
        TIRAMI_API_PORT: "5000",
        TIRAMI_BOOTSTRAP: "/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2",
        TIRAMI_MDNS: "",
      },
      flags: { api_port: "6000", route: "cost", model: undefined },
    });
    expect(values.api_port).toBe(6000);
    expect(origins.api_port).toBe("flag");
    expect(values.mdns).toBe(true);
    expect(origins.mdns).toBe("file");
    expect(values.bootstrap).toEqual(["/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"]);
    expect(values.route).toBe("cost");
    expect(values.model).toBe("a.gguf");
    expect(values.price).toBe(0.5);
  });

  it("reports every invalid value with its origin, and unknown file keys", () => {
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ api_prot: 1, mdns: "yes" }));
    let issues: string[] = [];
    try {
      loadConfig(table, { file, env: { TIRAMI_API_PORT: "70000" }, flags: { route: "fast", price: "1e9" } });
    } catch (error) {
      expect(error).toMatchObject({ code: "CONFIG_INVALID" });
      issues = (error as { details: { issues: string[] } }).details.issues;
    }
    expect(issues).toEqual([
      `unknown key "api_prot" in ${file}`,
      'api_port = "70000" (from env TIRAMI_API_PORT): expected an integer from 0 to 65535',
      `mdns = "yes" (from file ${file}): expected true or false`,
      'route = "fast" (from flag --route): expected one of cost, quality, balanced',
      'price = "1e9" (from flag --price): expected a number from 0 to 100',
    ]);
  });

  it("names a flag as it was typed, and reports a list item its check rejects from any source", () => {
    const checked = {
      api_port: table.api_port,
      bootstrap: {
        kind: "list",
        itemsMax: 4,
        default: [],
        doc: "bootstrap addresses",
        itemCheck: (item: string) => (item.startsWith("/") ? undefined : `"${item}" does not start with /`),
      },
    } as const satisfies ConfigTable;
    const issuesOf = (sources: Parameters<typeof loadConfig>[1]): string[] => {
      try {
        loadConfig(checked, sources);
      } catch (error) {
        return (error as { details: { issues: string[] } }).details.issues;
      }
      return [];
    };
    expect(
      issuesOf({ flags: { api_port: "abc", bootstrap: ["/ok", "bad"] }, flagNames: { api_port: "-p" } }),
    ).toEqual([
      'api_port = "abc" (from flag -p): expected an integer from 0 to 65535',
      'bootstrap = ["/ok","bad"] (from flag --bootstrap): "bad" does not start with /',
    ]);
    expect(issuesOf({ env: { TIRAMI_BOOTSTRAP: "x,/ok,y" } })).toEqual([
      'bootstrap = "x,/ok,y" (from env TIRAMI_BOOTSTRAP): "x" does not start with /; "y" does not start with /',
    ]);
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ bootstrap: ["nope"] }));
    expect(issuesOf({ file })).toEqual([
      `bootstrap = ["nope"] (from file ${file}): "nope" does not start with /`,
    ]);
    expect(loadConfig(checked, { flags: { bootstrap: ["/a", "/b"] } }).values.bootstrap).toEqual([
      "/a",
      "/b",
    ]);
  });

  it("rejects a file that is not a JSON object, and a required file that is missing", () => {
    const file = join(dir, "config.json");
    writeFileSync(file, "[1,2]");
    expect(() => loadConfig(table, { file })).toThrow(/must hold a JSON object/);
    writeFileSync(file, "{nope");
    expect(() => loadConfig(table, { file })).toThrow(/not valid JSON/);
    expect(() => loadConfig(table, { file: join(dir, "absent.json"), fileRequired: true })).toThrow(
      /cannot read/,
    );
  });
});
