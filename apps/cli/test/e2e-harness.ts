/**
 * Test support for the end-to-end suites (not shipped: excluded from the build with the tests): spawns
 * the real `bin/tirami.mjs` as a user would, and runs a real node through `tirami node` on 127.0.0.1 port 0
 * in a temporary home with the tiny model.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type AddressInfo, createServer } from "node:net";
import { suiteTempDirs, TEST_MODELS_DIR_ENV, testModelPath } from "@tirami/test-kit";

const here = dirname(fileURLToPath(import.meta.url));
/** The committed shim, as `npm i -g` would link it. */
export const BIN = resolve(here, "../bin/tirami.mjs");

/** Fails early, with the fix, when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(resolve(here, "../dist/main.js")))
    throw new Error("apps/cli is not built: run `pnpm run build` in apps/cli first");
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment with no token or home from the developer's shell, and no colours. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env))
    if (key.startsWith("TIRAMI_") && key !== TEST_MODELS_DIR_ENV) delete env[key];
  return { ...env, ...extra };
}

/** Runs `tirami <args>` to completion. `input` is written to stdin, then stdin is closed. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env ?? cleanEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Runs `tirami <args>` into a stdout reader that goes away early, as `| head -1` does: stdout is closed
 * at once (`closeAt: "start"`) or after its first chunk, and only then are `inputAfterClose` lines
 * written to stdin (which is then closed), so the command is sure to write into the closed pipe.
 */
export function runCliIntoClosedReader(
  args: readonly string[],
  options: { closeAt: "start" | "first-chunk"; input?: string; inputAfterClose?: string },
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    // The child may exit before reading all its input; that is not this helper's failure.
    child.stdin.on("error", () => undefined);
    const closeReader = (): void => {
      child.stdout.destroy();
      child.stdin.end(options.inputAfterClose ?? "");
    };
    if (options.input !== undefined) child.stdin.write(options.input);
    if (options.closeAt === "start") closeReader();
    else
      child.stdout.setEncoding("utf8").once("data", (text: string) => {
        stdout = text;
        closeReader();
      });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A node run by `tirami node` in a child process. */
export interface NodeUnderTest {
  home: string;
  url: string;
  nodeId: string;
  tokenPath: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * A fresh temporary directory (homes, statements), usable in tests and hooks alike. Each test file that
 * imports this module gets its own set, removed after the file's last test — after the file's `afterAll`
 * stopped the nodes living in them (the removal hook is registered first, at import, so it runs last).
 */
export const tempDir = suiteTempDirs("tirami-cli-");

/** Starts `tirami node --json --port 0` with the tiny model and waits for its banner line. */
export function startNode(
  options: { home?: string; model?: boolean; extra?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<NodeUnderTest> {
  const home = options.home ?? tempDir();
  const args = [
    "node",
    "--json",
    "--home",
    home,
    "--port",
    "0",
    "--threads",
    "1",
    "--log-level",
    "warn",
    ...(options.model === false ? [] : ["--model", testModelPath()]),
    ...(options.extra ?? []),
  ];
  const child = spawn(process.execPath, [BIN, ...args], {
    env: options.env ?? cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolveExit) => child.on("close", (code) => resolveExit(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tirami node did not start within 60 s; stderr:\n${stderr}`));
    }, 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tirami node exited with ${String(code)} before starting; stderr:\n${stderr}`));
    });
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      const newline = stdout.indexOf("\n");
      if (newline === -1) return;
      clearTimeout(timer);
      const banner = JSON.parse(stdout.slice(0, newline)) as {
        node_id: string;
        api_url: string;
        token_path: string;
      };
      resolvePromise({
        home,
        url: banner.api_url,
        nodeId: banner.node_id,
        tokenPath: banner.token_path,
        child,
        stderr: () => stderr,
        async stop(timeoutMs = 20_000) {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill("SIGTERM");
          const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound once, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

/** Parses stdout as JSON, with the run in the message when it is not. */
export function json<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${String(run.code)}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
