/**
 * Proves `tirami start` is first-run friendly: in a home that does not exist yet it creates the node key
 * and the operator token (both mode 0600), joins the mesh on a free port, prints the node id, API URL,
 * token path and multiaddrs, stops cleanly on SIGINT, and keeps the same identity on the next start.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { isAccountId } from "@tirami/core";
import { expect, it } from "vitest";
import { assertBuilt, BIN, cleanEnv, tempDir } from "../test/e2e-harness.js";

interface Banner {
  node_id: string;
  api_url: string;
  token_path: string;
  multiaddrs: string[];
  model: string | null;
}

/** Runs `tirami start --json` until its banner, then SIGINT; resolves with the banner and the exit code. */
function startOnce(home: string): Promise<{ banner: Banner; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, "start", "--json", "--home", home, "--port", "0"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let banner: Banner | undefined;
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
    if (banner === undefined && stdout.includes("\n")) {
      banner = JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as Banner;
      child.kill("SIGINT");
    }
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      if (banner === undefined) reject(new Error(`no banner (exit ${String(code)}):\n${stderr}`));
      else resolve({ banner, code, stderr });
    }),
  );
}

it("creates the home, key and token, prints where everything is, and keeps its identity", async () => {
  assertBuilt();
  const home = join(tempDir(), "fresh-home");
  const first = await startOnce(home);
  expect(first.code, first.stderr).toBe(0);
  expect(first.banner.node_id).toSatisfy(isAccountId);
  expect(first.banner.api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(first.banner.token_path).toBe(join(home, "api.token"));
  expect(first.banner.multiaddrs[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/);
  expect(first.banner.model).toBeNull();
  for (const file of ["node.key", "api.token"])
    expect((statSync(join(home, file)).mode & 0o777).toString(8)).toBe("600");
  expect(first.stderr).toContain("node stopped");

  const second = await startOnce(home);
  expect(second.code).toBe(0);
  expect(second.banner.node_id).toBe(first.banner.node_id);
});
