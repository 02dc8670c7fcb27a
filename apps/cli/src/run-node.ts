/**
 * Runs a node in this process until SIGINT/SIGTERM: checks its configuration and home, resolves the model
 * (with a download progress bar), starts the node through the injected launcher, prints who and where it is, then stops it
 * cleanly on the first signal (a second signal exits at once).
 * @module
 */
import { join } from "node:path";
import { resolveHome } from "@tirami/core";
import { STOP_TIMEOUT_MS } from "./constants.js";
import type { CommandContext } from "./context.js";
import type { RunningNode } from "./deps.js";

/** Resolves `flags.model` to a local file now, so a download shows progress before the node starts. */
export async function prepareModel(ctx: CommandContext, flags: Record<string, unknown>): Promise<void> {
  // The model may come from the flag or from $TIRAMI_MODEL (the node's config table reads both).
  const model = flags["model"] ?? ctx.deps.env["TIRAMI_MODEL"];
  if (typeof model !== "string" || model === "") return;
  const home = resolveHome({ home: flags["home"] as string | undefined, env: ctx.deps.env });
  const modelsDir =
    (flags["models_dir"] as string | undefined) ?? ctx.deps.env["TIRAMI_MODELS_DIR"] ?? join(home, "models");
  const progress = await ctx.deps.models.progressBar(`downloading ${model}`);
  try {
    const resolved = await ctx.deps.models.resolve(model, { modelsDir, progress });
    flags["model"] = resolved.path;
  } finally {
    progress.stop();
  }
}

/**
 * Starts a node with `flags` (config keys → values; `flagNames` = how the user typed them). The
 * configuration and the home are checked first, so a bad flag or a busy home fails before the model is
 * downloaded or anything is created.
 */
export async function launchNode(
  ctx: CommandContext,
  flags: Record<string, unknown>,
  flagNames: Record<string, string> = {},
): Promise<RunningNode> {
  const options = { flags, env: ctx.deps.env, flagNames };
  await ctx.deps.nodes.check(options);
  await prepareModel(ctx, flags);
  return ctx.deps.nodes.start(options);
}

/** What the node banner shows, also the `--json` line. */
export function nodeSummary(node: RunningNode): Record<string, unknown> {
  return {
    node_id: node.nodeId,
    api_url: node.apiUrl,
    token_path: node.tokenPath,
    multiaddrs: node.multiaddrs,
    model: node.model ?? null,
  };
}

/** Prints the banner of a started node. With `--json`, one JSON line on stdout. */
export function printNodeBanner(
  ctx: CommandContext,
  node: RunningNode,
  title: string,
  footer = "Ctrl-C stops the node",
): void {
  const summary = nodeSummary(node);
  if (ctx.out.json) {
    ctx.out.raw(`${JSON.stringify(summary)}\n`);
    return;
  }
  ctx.out.line(ctx.out.color.bold(title));
  ctx.out.fields([
    ["node id", node.nodeId],
    ["API", node.apiUrl],
    ["token", node.tokenPath],
    ["model", node.model ?? "(none: a consumer; asks the mesh)"],
    ["multiaddrs", node.multiaddrs.length === 0 ? "(mesh off)" : node.multiaddrs.join("\n            ")],
  ]);
  ctx.out.note(ctx.out.color.dim(footer));
}

/** Waits for SIGINT/SIGTERM, then stops `node` (bounded by STOP_TIMEOUT_MS). */
export async function runUntilSignal(ctx: CommandContext, node: RunningNode): Promise<void> {
  const signal = await new Promise<string>((resolve) => {
    const remove = ctx.deps.onShutdownSignal((name) => {
      remove();
      resolve(name);
    });
  });
  ctx.out.note(`${signal}: stopping the node…`);
  const second = ctx.deps.onShutdownSignal(() => process.exit(130));
  try {
    await stopWithin(node, STOP_TIMEOUT_MS);
  } finally {
    second();
  }
  ctx.out.note("node stopped");
}

/** Stops a node, giving up after `timeoutMs`. */
export async function stopWithin(node: RunningNode, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([node.stop(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
