/**
 * Proves the DNS-rebinding guard on a real node listening on 127.0.0.1: by default only loopback names
 * (`localhost`, `127.0.0.1`, `[::1]`, with any port, any case) reach any route — `/health` and `/metrics`
 * included — and any other `Host` gets an OpenAI-shaped 403 `HOST_NOT_ALLOWED`, with or without a token;
 * `allowed_hosts` adds an operator's names (`*` turns the check off); bad entries fail the config; a node
 * bound elsewhere checks only when the list is set.
 */
import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "@tirami/core";
import { createTestNode, type TestNode } from "../../test/fixture.js";
import { readNodeConfig } from "../config.js";
import { hostAllowList } from "./host-allow.js";

const nodes: TestNode[] = [];
afterAll(async () => {
  for (const t of nodes) await t.close();
});

async function started(flags: Record<string, unknown> = {}): Promise<{ t: TestNode; port: number }> {
  const t = await createTestNode({ flags });
  nodes.push(t);
  return { t, port: (await t.node.start()).port };
}

/** GET `path` on 127.0.0.1:`port` with `Host: host` (fetch may not set Host; node:http does). */
function get(port: number, path: string, host: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { ...headers, host } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Host allow-list", () => {
  it("a loopback node answers loopback names only; any other Host is 403 on every route", async () => {
    const { t, port } = await started();
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST", "127.0.0.2"])
      expect([host, (await get(port, "/health", host)).status]).toEqual([host, 200]);
    expect((await get(port, "/v1/models", `localhost:${port}`, t.auth())).status).toBe(200);
    for (const [path, headers] of [
      ["/health", {}],
      ["/metrics", {}],
      ["/v1/models", t.auth()],
      ["/v1/tirami/balance", t.auth()],
    ] as const) {
      for (const host of [
        `evil.example.com:${port}`,
        "evil.example.com",
        "localhost.evil.example.com",
        "10.0.0.1",
      ]) {
        const response = await get(port, path, host, headers);
        expect([path, host, response.status]).toEqual([path, host, 403]);
        expect(JSON.parse(response.body).error).toMatchObject({
          type: "permission_error",
          code: "HOST_NOT_ALLOWED",
        });
      }
    }
  });

  it("allowed_hosts adds an operator's names; * accepts any Host", async () => {
    const proxied = await started({ allowed_hosts: ["tirami.example.com", "[fd00::1]"] });
    expect((await get(proxied.port, "/health", "tirami.example.com:8443")).status).toBe(200);
    expect((await get(proxied.port, "/health", "[fd00::1]:80")).status).toBe(200);
    expect((await get(proxied.port, "/health", `localhost:${proxied.port}`)).status).toBe(200);
    expect((await get(proxied.port, "/health", "evil.example.com")).status).toBe(403);
    const open = await started({ allowed_hosts: ["*"] });
    expect((await get(open.port, "/metrics", "evil.example.com")).status).toBe(200);
  });

  it("refuses unusable entries in the config, and checks a non-loopback bind only when the list is set", () => {
    for (const entry of ["Evil.com", "evil.com:80", "::1", "http://x", ""]) {
      expect(() => readNodeConfig({ flags: { allowed_hosts: [entry] } })).toThrow(ConfigError);
    }
    expect(readNodeConfig({ flags: { allowed_hosts: "a.example,b.example" } }).allowed_hosts).toEqual([
      "a.example",
      "b.example",
    ]);
    expect(hostAllowList("0.0.0.0", [])).toBeUndefined();
    expect(hostAllowList("0.0.0.0", ["node.example"])).toEqual(new Set(["node.example"]));
    expect(hostAllowList("127.0.0.1", [])).toEqual(new Set());
    expect(hostAllowList("127.0.0.1", ["*", "x.example"])).toBeUndefined();
  });
});
