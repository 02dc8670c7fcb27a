/**
 * The real dependencies: this process's streams, environment and signals, nodes from @tirami/node,
 * the ledger audit and inclusion check from @tirami/ledger, and the model catalog, resolver and progress
 * bar from @tirami/infer. The only file that wires the libraries in. They are imported on first use:
 * loading the node (and with it llama.cpp bindings) takes seconds, which `tirami balance` should not pay.
 * @module
 */
import { join } from "node:path";
import { HomeInUseError, readHomeLock, resolveHome } from "@tirami/core";
import type { SignedTrade } from "@tirami/proto";
import type {
  CliDeps,
  LedgerTools,
  ModelTools,
  NodeLauncher,
  NodeStartOptions,
  RunningNode,
} from "./deps.js";

type NodeModule = typeof import("@tirami/node");

/** Commands that start a node in this process and so need @tirami/node (and its option table) up front. */
const NODE_COMMANDS = new Set(["node", "start", "seed", "worker", "demo"]);

/** True when `argv` runs a command that starts a node. */
export function startsNode(argv: readonly string[]): boolean {
  return argv.some((arg) => NODE_COMMANDS.has(arg));
}

/** Starts nodes in this process with @tirami/node's `createNode`. */
export function createNodeLauncher(module: NodeModule | undefined): NodeLauncher {
  const configOf = async ({ flags, env, flagNames }: NodeStartOptions) => {
    const loaded = module ?? (await import("@tirami/node"));
    const home = resolveHome({ home: flags["home"] as string | undefined, env });
    const file = join(home, "config.json");
    return { loaded, home, config: loaded.readNodeConfig({ file, env, flags, flagNames }) };
  };
  return {
    configTable: module?.NODE_CONFIG_TABLE ?? {},
    async check(options) {
      const { home } = await configOf(options);
      // Read-only: createNode takes the lock itself; this only fails early, naming the holder.
      const holder = readHomeLock(home);
      if (holder !== undefined) throw new HomeInUseError(home, holder);
    },
    async start(options): Promise<RunningNode> {
      const { loaded, home, config } = await configOf(options);
      const node = await loaded.createNode({ config: { ...config, home }, env: options.env });
      let address: { url: string };
      try {
        address = await node.start();
      } catch (error) {
        await node.stop();
        throw error;
      }
      return {
        nodeId: node.account,
        apiUrl: address.url,
        tokenPath: node.operatorToken.path ?? "(given with --api-token / TIRAMI_API_TOKEN, not stored)",
        token: node.operatorToken.token,
        multiaddrs: node.mesh?.host.multiaddrs() ?? [],
        model: node.engine?.manifest.id,
        stop: () => node.stop(),
      };
    },
  };
}

/** The ledger audit on a database file, and the standalone inclusion check. */
export function createLedgerTools(): LedgerTools {
  return {
    async verifyFile(path) {
      const { openLedger } = await import("@tirami/ledger");
      // Not exclusive: an audit must not keep a node from starting on this file meanwhile.
      const ledger = openLedger({ path, exclusive: false });
      try {
        return ledger.verify();
      } finally {
        ledger.close();
      }
    },
    async tradeLeaf(signed) {
      const [{ checkSignedTrade, tradeCanonicalBytes }, { leafHash }] = await Promise.all([
        import("@tirami/proto"),
        import("@tirami/ledger"),
      ]);
      const failure = checkSignedTrade(signed);
      if (failure !== null) return { ok: false, failure };
      return { ok: true, leafHash: leafHash(tradeCanonicalBytes((signed as SignedTrade).trade)) };
    },
    async verifyInclusion(check) {
      const { verifyInclusion } = await import("@tirami/ledger");
      return verifyInclusion(check);
    },
  };
}

/** The model catalog and resolver. */
export function createModelTools(stderr: NodeJS.WriteStream = process.stderr): ModelTools {
  return {
    async catalog() {
      const { DEFAULT_MODEL, MODEL_CATALOG } = await import("@tirami/infer");
      return { models: MODEL_CATALOG, defaultModel: DEFAULT_MODEL };
    },
    async resolve(input, { modelsDir, progress }) {
      const { resolveModel } = await import("@tirami/infer");
      const resolved = await resolveModel(input, {
        modelsDir,
        ...(progress === undefined ? {} : { onProgress: (p) => progress.onProgress(p) }),
      });
      return { path: resolved.path, source: resolved.source };
    },
    async progressBar(label) {
      const { createProgressBar } = await import("@tirami/infer");
      return createProgressBar(label, stderr);
    },
  };
}

/** Everything from the real process; loads @tirami/node now only when `argv` starts a node. */
export async function createRealDeps(argv: readonly string[]): Promise<CliDeps> {
  const nodeModule = startsNode(argv) ? await import("@tirami/node") : undefined;
  return {
    argv,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    nodes: createNodeLauncher(nodeModule),
    ledger: createLedgerTools(),
    models: createModelTools(),
    onShutdownSignal(handler) {
      const listener = (signal: NodeJS.Signals) => handler(signal);
      process.once("SIGINT", listener);
      process.once("SIGTERM", listener);
      return () => {
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
      };
    },
  };
}
