/**
 * Node lifecycle: `tirami node` runs the daemon in this process (flags from the node's config table),
 * `tirami start` is the first-run friendly version (creates the home, key and token and says where they
 * are), and `tirami seed -m <model>` is the upstream alias for serving a model and earning TRM.
 * @module
 */
import { Command } from "commander";
import { fileExists, NODE_KEY_FILE } from "@tirami/core";
import { join } from "node:path";
import { defineAction } from "../command-kit.js";
import type { CommandContext } from "../context.js";
import type { CliDeps } from "../deps.js";
import { usageError } from "../errors.js";
import { addNodeFlags, nodeFlagNames, nodeFlagValues } from "../node-flags.js";
import { launchNode, printNodeBanner, runUntilSignal } from "../run-node.js";

function flagsOf(ctx: CommandContext, options: Record<string, unknown>): Record<string, unknown> {
  return nodeFlagValues(ctx.deps.nodes.configTable, options, {
    home: ctx.options.home,
    api_token: ctx.options.api_token,
  });
}

/** How the user typed each node flag, so the node's errors name `--port`, not `--api-port`. */
function typedNamesOf(ctx: CommandContext): Record<string, string> {
  return nodeFlagNames(ctx.deps.nodes.configTable, ctx.deps.argv);
}

export function nodeCommand(deps: CliDeps): Command {
  return addNodeFlags(new Command("node"), deps.nodes.configTable)
    .description("run a node in this process: HTTP API, ledger, optional local model (Ctrl-C stops it)")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const node = await launchNode(ctx, flagsOf(ctx, options), typedNamesOf(ctx));
        printNodeBanner(ctx, node, "tirami node running");
        await runUntilSignal(ctx, node);
      }),
    );
}

export function startCommand(deps: CliDeps): Command {
  return addNodeFlags(new Command("start"), deps.nodes.configTable)
    .description(
      "first run made easy: create ~/.tirami (key, token), start the node and say where everything is",
    )
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const flags = flagsOf(ctx, options);
        const fresh = !fileExists(join(ctx.home, NODE_KEY_FILE));
        // On a terminal the daemon's log is one readable line per entry (a line per answered request, with
        // its speed and cost), worth seeing; piped, it would be JSON lines: then only warnings (pass
        // --log-level info for them).
        if (
          flags["log_level"] === undefined &&
          ctx.deps.env["TIRAMI_LOG_LEVEL"] === undefined &&
          ctx.deps.stderr.isTTY !== true
        )
          flags["log_level"] = "warn";
        // First run joins the mesh too, so there are multiaddrs to share (any free port unless given).
        if (
          flags["p2p_port"] === undefined &&
          Object.hasOwn(deps.nodes.configTable, "p2p_port") &&
          ctx.deps.env["TIRAMI_P2P_PORT"] === undefined
        )
          flags["p2p_port"] = 0;
        const node = await launchNode(ctx, flags, typedNamesOf(ctx));
        printNodeBanner(ctx, node, fresh ? `created a new node in ${ctx.home}` : `node home ${ctx.home}`);
        if (!ctx.out.json) {
          ctx.out.line();
          ctx.out.line(
            `talk to it:  tirami chat "hello"${node.model === undefined ? "   (needs a model: --model <name>, see `tirami models`)" : ""}`,
          );
          ctx.out.line(
            `OpenAI API:  ${node.apiUrl}/v1  with  Authorization: Bearer $(cat ${node.tokenPath})`,
          );
        }
        await runUntilSignal(ctx, node);
      }),
    );
}

export function seedCommand(deps: CliDeps): Command {
  return addNodeFlags(new Command("seed"), deps.nodes.configTable)
    .description("serve a model to the mesh and earn TRM (upstream alias of `tirami node -m <model>`)")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        const flags = flagsOf(ctx, options);
        if (typeof flags["model"] !== "string")
          throw usageError("seed needs a model: tirami seed -m <model>", "see `tirami models` for names");
        const node = await launchNode(ctx, flags, typedNamesOf(ctx));
        printNodeBanner(ctx, node, "seeding");
        if (!ctx.out.json && node.multiaddrs.length > 0)
          ctx.out.line(`workers join with:  tirami worker --seed ${node.multiaddrs[0] ?? ""}`);
        await runUntilSignal(ctx, node);
      }),
    );
}
