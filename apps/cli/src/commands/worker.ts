/**
 * `tirami worker --seed <multiaddr>` (upstream alias): an interactive consumer. It runs a model-less node
 * in this process, bootstrapped to the seed, and chats through that node's own OpenAI endpoint — so every
 * answer is bought from a provider in the mesh and paid in TRM (cost and balance after each answer).
 * Its identity lives in `<home>/worker` unless `--home` is given, so it never collides with a local seed.
 * @module
 */
import { join } from "node:path";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { CliError, ExitCode } from "../errors.js";
import { hasMesh, typedFlag } from "../node-flags.js";
import { launchNode, printNodeBanner, stopWithin } from "../run-node.js";
import { STOP_TIMEOUT_MS } from "../constants.js";
import { addChatFlags, chatSettings, repl } from "./chat.js";
import type { CommandContext } from "../context.js";
import { list } from "../values.js";

/** How long the worker waits for a provider's offer to reach it (ms); offers are gossiped every few seconds. */
const OFFER_WAIT_MS = 60_000;
const OFFER_POLL_MS = 250;
const SEED_FLAG = "-s, --seed <multiaddr...>";
const PORT_FLAG = "-p, --port <port>";

/** Waits until the local node's offer book has `wanted` (or any model); returns the model id. */
async function waitForOffer(ctx: CommandContext, wanted: string | undefined): Promise<string> {
  const deadline = Date.now() + OFFER_WAIT_MS;
  const client = ctx.client();
  ctx.out.note("waiting for a provider's offer…");
  for (;;) {
    const models = list(await client.api.providers().catch(() => ({})), "models")
      .map((m) => m["model_id"])
      .filter((id): id is string => typeof id === "string");
    const found = wanted === undefined ? models[0] : models.find((id) => id === wanted);
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new CliError(
        "MODEL_NOT_FOUND",
        ExitCode.NOT_FOUND,
        `no provider in the mesh offered ${wanted ?? "a model"} within ${OFFER_WAIT_MS} ms`,
        {
          hint: "is the seed running with a model, and is its multiaddr reachable from here?",
        },
      );
    await new Promise((resolve) => setTimeout(resolve, OFFER_POLL_MS));
  }
}

export function workerCommand(deps: CliDeps): Command {
  return addChatFlags(new Command("worker"))
    .description("chat with the mesh through a model-less local node that pays per answer")
    .requiredOption(SEED_FLAG, "multiaddr(s) of a seed node to join")
    .option(PORT_FLAG, "HTTP port of the local node (0 = any free port)", "0")
    .action(
      defineAction(deps, async (ctx, _args, options) => {
        if (!hasMesh(deps.nodes.configTable))
          throw new CliError(
            "MESH_UNAVAILABLE",
            ExitCode.FAILURE,
            "this build of the node has no mesh (no `bootstrap` option), so a worker cannot join a seed",
            {
              hint: "chat with a node directly: `tirami chat --url <node url>`",
            },
          );
        const flags: Record<string, unknown> = {
          home: ctx.options.home ?? join(ctx.home, "worker"),
          api_port: options["port"],
          p2p_port: 0,
          bootstrap: options["seed"],
          log_level: "warn",
        };
        const node = await launchNode(ctx, flags, {
          home: "--home",
          api_port: typedFlag(ctx.deps.argv, PORT_FLAG),
          bootstrap: typedFlag(ctx.deps.argv, SEED_FLAG),
        });
        try {
          printNodeBanner(
            ctx,
            node,
            "worker node joined the mesh",
            "type questions; `exit` or Ctrl-D leaves and stops the node",
          );
          const remove = deps.onShutdownSignal(() =>
            (deps.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.(),
          );
          const local = ctx.retarget(node.apiUrl, { value: node.token, filePath: node.tokenPath });
          try {
            const model = await waitForOffer(local, options["model"] as string | undefined);
            ctx.out.note(`the mesh offers ${model}; each answer is bought from a provider and paid in TRM`);
            await repl(
              local,
              { ...chatSettings(options), model },
              options["system"] as string | undefined,
              deps.stdin,
            );
          } finally {
            remove();
          }
        } finally {
          await stopWithin(node, STOP_TIMEOUT_MS);
        }
      }),
    );
}
