/**
 * Proves `tirami node` cannot drift from the node's configuration: every option of the real
 * `NODE_CONFIG_TABLE` is a flag (or a global option), and each flag parsed by commander comes back under
 * its config key with the value given, ready for the node's own loader.
 */
import { NODE_CONFIG_TABLE, readNodeConfig } from "@tirami/node";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addNodeFlags, attributeOf, nodeFlagSpellings, nodeFlagValues } from "./node-flags.js";

describe("node flags", () => {
  it("cover every node option except the global ones", () => {
    const spellings = nodeFlagSpellings(NODE_CONFIG_TABLE);
    for (const key of Object.keys(NODE_CONFIG_TABLE)) {
      if (key === "home" || key === "api_token") expect(spellings.has(key)).toBe(false);
      else expect(spellings.get(key), key).toMatch(/--[a-z0-9-]+/);
    }
    expect(spellings.get("api_port")).toBe("-p, --port <port>");
    expect(spellings.get("model")).toBe("-m, --model <model>");
  });

  it("parse back to config keys the node's loader accepts", () => {
    const command = addNodeFlags(new Command("node").exitOverride(), NODE_CONFIG_TABLE);
    command.parse(
      [
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        "-m",
        "tiny.gguf",
        "--threads",
        "2",
        "--p2p-port",
        "0",
        "--bootstrap",
        "/ip4/127.0.0.1/tcp/1/p2p/x",
        "/ip4/127.0.0.1/tcp/2/p2p/y",
      ],
      { from: "user" },
    );
    const flags = nodeFlagValues(NODE_CONFIG_TABLE, command.opts(), { home: "/tmp/h", api_token: undefined });
    expect(flags).toEqual({
      api_port: "0",
      api_bind: "127.0.0.1",
      model: "tiny.gguf",
      threads: "2",
      p2p_port: "0",
      bootstrap: ["/ip4/127.0.0.1/tcp/1/p2p/x", "/ip4/127.0.0.1/tcp/2/p2p/y"],
      home: "/tmp/h",
    });
    const config = readNodeConfig({ env: {}, flags });
    expect(config).toMatchObject({ api_port: 0, threads: 2, p2p_port: 0, model: "tiny.gguf" });
    expect(attributeOf("-p, --port <port>")).toBe("port");
  });
});
