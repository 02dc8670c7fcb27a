/**
 * The real dependencies: this process's streams, environment and signals, nodes from @tirami/node,
 * the ledger audit and inclusion check from @tirami/ledger, and the model catalog, resolver and progress
 * bar from @tirami/infer. The only file that wires the libraries in.
 * @module
 */
import { join } from "node:path";
import { resolveHome } from "@tirami/core";
import { createProgressBar, DEFAULT_MODEL, MODEL_CATALOG, resolveModel } from "@tirami/infer";
import { openLedger, verifyInclusion } from "@tirami/ledger";
import { createNode, NODE_CONFIG_TABLE, readNodeConfig } from "@tirami/node";
import type { CliDeps, LedgerTools, ModelTools, NodeLauncher, RunningNode } from "./deps.js";

/** Starts nodes in this process with @tirami/node's `createNode`. */
export function createNodeLauncher(): NodeLauncher {
  return {
    configTable: NODE_CONFIG_TABLE,
    async start({ flags, env }): Promise<RunningNode> {
      const home = resolveHome({ home: flags["home"] as string | undefined, env });
      const config = readNodeConfig({ file: join(home, "config.json"), env, flags });
      const node = await createNode({ config: { ...config, home }, env });
      let address: { url: string };
      try {
        address = await node.start();
      } catch (error) {
        await node.stop();
        throw error;
      }
      const mesh = (node as unknown as { mesh?: { multiaddrs?: () => string[] } }).mesh;
      return {
        nodeId: node.account,
        apiUrl: address.url,
        tokenPath: node.operatorToken.path ?? "(given with --api-token / TIRAMI_API_TOKEN, not stored)",
        token: node.operatorToken.token,
        multiaddrs: mesh?.multiaddrs?.() ?? [],
        model: node.engine?.manifest.id,
        stop: () => node.stop(),
      };
    },
  };
}

/** The ledger audit on a database file, and the standalone inclusion check. */
export function createLedgerTools(): LedgerTools {
  return {
    verifyFile(path) {
      const ledger = openLedger({ path });
      try {
        return ledger.verify();
      } finally {
        ledger.close();
      }
    },
    verifyInclusion: (check) => verifyInclusion(check),
  };
}

/** The model catalog and resolver. */
export function createModelTools(stderr: NodeJS.WriteStream = process.stderr): ModelTools {
  return {
    catalog: MODEL_CATALOG,
    defaultModel: DEFAULT_MODEL,
    async resolve(input, { modelsDir, progress }) {
      const resolved = await resolveModel(input, {
        modelsDir,
        ...(progress === undefined ? {} : { onProgress: (p) => progress.onProgress(p) }),
      });
      return { path: resolved.path, source: resolved.source };
    },
    progressBar: (label) => createProgressBar(label, stderr),
  };
}

/** Everything from the real process. */
export function createRealDeps(): CliDeps {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    nodes: createNodeLauncher(),
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
