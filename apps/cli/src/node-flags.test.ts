/**
 * Proves `tirami node` cannot drift from the node's configuration: every option of the real
 * `NODE_CONFIG_TABLE` is a flag (or a global option), and each flag parsed by commander comes back under
 * its config key with the value given, ready for the node's own loader — and is named, in the loader's
 * errors, as the user typed it (`-p`, `--port`), never by the config key's own spelling.
 */
import { NODE_CONFIG_TABLE, readNodeConfig } from "@tirami/node";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import {
  addNodeFlags,
  attributeOf,
  nodeFlagNames,
  nodeFlagSpellings,
  nodeFlagValues,
  typedFlag,
} from "./node-flags.js";

/** The peer id of an Ed25519 key (any real node's id has this form). */
const PEER = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

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
        `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`,
        "/ip4/127.0.0.1/tcp/2",
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
      bootstrap: [`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, "/ip4/127.0.0.1/tcp/2"],
      home: "/tmp/h",
    });
    const config = readNodeConfig({ env: {}, flags });
    expect(config).toMatchObject({ api_port: 0, threads: 2, p2p_port: 0, model: "tiny.gguf" });
    expect(attributeOf("-p, --port <port>")).toBe("port");
  });

  it("are named as the user typed them, so config errors never name a flag nobody typed", () => {
    const port = "-p, --port <port>";
    expect(typedFlag(["node", "--port", "abc"], port)).toBe("--port");
    expect(typedFlag(["node", "--port=abc"], port)).toBe("--port");
    expect(typedFlag(["node", "-p", "abc"], port)).toBe("-p");
    expect(typedFlag(["node", "-pabc"], port)).toBe("-p");
    expect(typedFlag(["node", "-p", "1", "--port", "2"], port)).toBe("--port"); // the last one counts
    expect(typedFlag(["node", "--", "-p"], port)).toBe("--port"); // after `--` nothing is a flag
    expect(typedFlag(["node"], port)).toBe("--port");
    const names = nodeFlagNames(NODE_CONFIG_TABLE, ["node", "-p", "abc", "--threads", "x"]);
    expect(names).toMatchObject({ api_port: "-p", threads: "--threads", home: "--home" });
    let message = "";
    try {
      readNodeConfig({ env: {}, flags: { api_port: "abc" }, flagNames: names });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('api_port = "abc" (from flag -p)');
    expect(message).not.toContain("--api-port");
  });
});
