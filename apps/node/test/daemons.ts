/**
 * Test helper (not part of the build): real `tirami` node daemons in separate OS processes (`node
 * dist/main.js`, each with its own home, ledger file and libp2p host on 127.0.0.1), for tests that kill
 * them (SIGKILL) and restart them from the same home. A pool stops (SIGKILL) every process it started
 * and removes their homes.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
/** How long a daemon may take to print its listening line. */
const START_TIMEOUT_MS = 30_000;

/** One running daemon process. */
export interface Daemon {
  name: string;
  home: string;
  child: ChildProcess;
  url: string;
  token: string;
  account: string;
  /** The environment it was started with (a restart reuses it). */
  env: Record<string, string>;
  exited: Promise<number | null>;
}

/** A free TCP port on 127.0.0.1 (for a mesh port a restart must keep). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolvePort(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** GET `path` with the daemon's operator token; the JSON body. */
export async function getJson(d: Daemon, path: string): Promise<Record<string, unknown>> {
  return (await (
    await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${d.token}` } })
  ).json()) as Record<string, unknown>;
}

/** The official OpenAI client at the daemon (no retries). */
export function openaiClient(d: Daemon): OpenAI {
  return new OpenAI({ apiKey: d.token, baseURL: `${d.url}/v1`, maxRetries: 0 });
}

/** True while the process runs. */
export function isRunning(d: Daemon): boolean {
  return d.child.exitCode === null && d.child.signalCode === null;
}

/** Starts daemons and cleans up after them. */
export function createDaemonPool() {
  const started: Daemon[] = [];
  const homes = new Set<string>();

  /** Starts a daemon (in a new home, or `reuseHome` to restart one) and waits until it listens. */
  async function start(name: string, env: Record<string, string>, reuseHome?: string): Promise<Daemon> {
    const home = reuseHome ?? mkdtempSync(join(tmpdir(), `tirami-proc-${name}-`));
    homes.add(home);
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? "",
        TIRAMI_HOME: home,
        TIRAMI_API_PORT: "0",
        TIRAMI_THREADS: "1",
        TIRAMI_CONTEXT_SIZE: "2048",
        TIRAMI_LOG_LEVEL: "warn",
        TIRAMI_OFFER_INTERVAL_MS: "1000",
        TIRAMI_SHUTDOWN_GRACE_MS: "0",
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((resolveExit) =>
      child.once("exit", (code) => resolveExit(code)),
    );
    const daemon: Daemon = { name, home, child, env, exited, url: "", token: "", account: "" };
    started.push(daemon);
    let stderr = "";
    const line = await new Promise<RegExpMatchArray>((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), START_TIMEOUT_MS);
      child.stderr?.on("data", (data: Buffer) => {
        stderr += data.toString();
        const match = /tirami node ([0-9a-f]{64}) listening on (\S+)/.exec(stderr);
        if (match !== null) {
          clearTimeout(timer);
          resolveLine(match);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}: ${stderr}`));
      });
    });
    Object.assign(daemon, {
      url: line[2] as string,
      account: line[1] as string,
      token: readFileSync(join(home, "api.token"), "utf8").trim(),
    });
    return daemon;
  }

  return {
    start,
    /** SIGKILLs `d` and waits for its exit. */
    async kill(d: Daemon): Promise<void> {
      if (isRunning(d)) d.child.kill("SIGKILL");
      await d.exited;
    },
    /** Kills `d` (SIGKILL) and starts it again from its home with the same environment. */
    async restart(d: Daemon): Promise<Daemon> {
      if (isRunning(d)) d.child.kill("SIGKILL");
      await d.exited;
      return start(d.name, d.env, d.home);
    },
    /** Stops `d` gracefully (SIGTERM) and waits for its exit. */
    async stop(d: Daemon): Promise<void> {
      if (isRunning(d)) d.child.kill("SIGTERM");
      await d.exited;
    },
    /** Kills every process started and removes every home. */
    async close(): Promise<void> {
      for (const d of started) {
        if (isRunning(d)) d.child.kill("SIGKILL");
        await d.exited;
      }
      for (const home of homes) rmSync(home, { recursive: true, force: true });
    },
  };
}

export type DaemonPool = ReturnType<typeof createDaemonPool>;
