/**
 * Proves the daemon entry point as a real child process: configured only by `TIRAMI_*` environment, it
 * creates its home (key and token 0600), listens on an ephemeral port, serves /health and an authenticated
 * route, exits 0 on SIGTERM after a graceful stop, and refuses a non-loopback bind without a token (exit 1).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
const homes: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function startDaemon(env: Record<string, string>): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const home = mkdtempSync(join(tmpdir(), "tirami-main-"));
  homes.push(home);
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "main.ts")], {
    env: { ...process.env, TIRAMI_HOME: home, TIRAMI_API_PORT: "0", TIRAMI_LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

describe("main", () => {
  it("starts from the environment, serves, and exits 0 on SIGTERM", async () => {
    const daemon = startDaemon({});
    await expect
      .poll(() => /listening on (http:\/\/\S+)/.exec(daemon.stderr())?.[1], { timeout: 20_000 })
      .toBeDefined();
    const url = /listening on (http:\/\/\S+)/.exec(daemon.stderr())?.[1] as string;
    const home = homes[0] as string;
    expect(statSync(join(home, "api.token")).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "node.key")).mode & 0o777).toBe(0o600);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok", model_loaded: false });
    const token = readFileSync(join(home, "api.token"), "utf8").trim();
    expect(
      (await fetch(`${url}/v1/tirami/balance`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    expect((await fetch(`${url}/v1/tirami/balance`)).status).toBe(401);
    daemon.child.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
    expect(daemon.stderr()).toContain("SIGTERM: shutting down");
  });

  it("refuses to bind a non-loopback address without an explicit token", async () => {
    const daemon = startDaemon({ TIRAMI_API_BIND: "0.0.0.0" });
    expect(await daemon.exited).toBe(1);
    expect(daemon.stderr()).toContain("refusing to bind 0.0.0.0");
  });
});
