/**
 * One node of the remote bench (`remote.ts`), run as its own process so the provider's generation, the
 * consumer's relaying and the HTTP client each have their own event loop, as on separate machines. The
 * parent forks it with a `RemoteNodeSpec` (JSON in argv[2]); it creates the node in a temporary home
 * (`createNode`, 127.0.0.1, port 0), starts it, creates `agents` agent tokens (the safety gate limits
 * each spender to 30 spends a minute, so the bench rotates through many), waits — for a consumer — until
 * the provider's offer for `waitForModel` is in its book, and reports a `RemoteNodeReady` over IPC.
 * The message "cpu" is answered with the process's CPU time so far (`RemoteNodeCpu`: every thread, the
 * model's included); "stop" stops the node, removes its home and exits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { readNodeConfig } from "../src/config.js";
import { createNode } from "../src/node.js";

/** What the parent asks for. */
export interface RemoteNodeSpec {
  /** Config flags (`home`, `api_port`, `p2p_port` and `log_level` are set here). */
  flags: Record<string, unknown>;
  agents: number;
  /** A consumer waits until some other node offers this model. */
  waitForModel?: string | undefined;
  waitTimeoutMs: number;
}

/** What the child reports once it is serving. */
export interface RemoteNodeReady {
  url: string;
  account: string;
  multiaddrs: string[];
  modelId: string | undefined;
  tokens: string[];
}

/** The CPU time this process has used, user and system, in ms. */
export interface RemoteNodeCpu {
  cpuMs: number;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as RemoteNodeSpec;
const home = mkdtempSync(join(tmpdir(), "tirami-bench-remote-"));
// Errors (e.g. a stream that failed after it started) go to stderr; BENCH_LOG_LEVEL shows more.
const logLevel = process.env["BENCH_LOG_LEVEL"] ?? "error";
const config = readNodeConfig({
  flags: { ...spec.flags, home, api_port: 0, p2p_port: 0, log_level: logLevel },
});
const node = await createNode({ config, logger: pino({ level: logLevel }, pino.destination(2)) });
const { url } = await node.start();
const tokens = Array.from({ length: spec.agents }, (_, index) => node.agents.create(`bench-${index}`).token);
const model = spec.waitForModel;
if (model !== undefined) {
  const deadline = Date.now() + spec.waitTimeoutMs;
  while (node.mesh?.servesRemotely(model) !== true) {
    if (Date.now() > deadline) throw new Error(`no offer for ${model} after ${spec.waitTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const ready: RemoteNodeReady = {
  url,
  account: node.account,
  multiaddrs: node.mesh?.host.multiaddrs() ?? [],
  modelId: node.engine?.manifest.id,
  tokens,
};
process.send?.(ready);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void node.stop().finally(() => {
    rmSync(home, { recursive: true, force: true });
    process.exit(0); // also writes the --cpu-prof profile, when asked for
  });
};
process.on("message", (message) => {
  if (message === "stop") stop();
  if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMs: (user + system) / 1_000 } satisfies RemoteNodeCpu);
  }
});
process.on("disconnect", stop);
