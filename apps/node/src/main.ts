#!/usr/bin/env node
/**
 * The daemon entry point: reads the configuration (defaults < `$TIRAMI_HOME/config.json` < `TIRAMI_*`
 * environment), creates the node, listens, and shuts down gracefully on SIGINT/SIGTERM. Nothing else.
 * @module
 */
import { join } from "node:path";
import { resolveHome } from "@tirami/core";
import { readNodeConfig } from "./config.js";
import { createNode } from "./node.js";

async function main(): Promise<void> {
  const home = resolveHome({ env: process.env });
  const config = readNodeConfig({ file: join(home, "config.json"), env: process.env });
  const node = await createNode({ config: { ...config, home: config.home ?? home } });
  const { url } = await node.start();
  process.stderr.write(`tirami node ${node.account} listening on ${url}\n`);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C does not wait for the grace period
    process.stderr.write(`${signal}: shutting down\n`);
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
