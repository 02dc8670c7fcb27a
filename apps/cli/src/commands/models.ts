/**
 * `tirami models`: the built-in catalog, what the node at `--url` serves, and what providers in its mesh
 * offer (when the node is reachable; otherwise the catalog alone, with a note). `tirami models pull
 * <name>` downloads a model into `<home>/models` with a progress bar (resumable, atomic).
 * @module
 */
import { join } from "node:path";
import { Command } from "commander";
import { defineAction } from "../command-kit.js";
import type { CliDeps } from "../deps.js";
import { toCliError } from "../errors.js";
import { short } from "../format.js";
import { list, pick } from "../values.js";
import { offeredModels } from "./peers.js";

export function modelsCommand(deps: CliDeps): Command {
  const models = new Command("models")
    .description("list the model catalog and the models the node and its mesh offer")
    .action(
      defineAction(deps, async (ctx) => {
        const { models: entries, defaultModel } = await deps.models.catalog();
        const catalog = entries.map((entry) => ({ ...entry, default: entry.name === defaultModel }));
        let served: Record<string, unknown>[] | null = null;
        let offered: Record<string, unknown>[] | null = null;
        let unreachable: string | undefined;
        try {
          const client = ctx.client();
          served = list(await client.api.models(), "data");
          offered = list(await client.api.providers().catch(() => ({})), "providers", "data");
        } catch (error) {
          unreachable = toCliError(error).message;
        }
        ctx.out.result(
          {
            catalog,
            node: served,
            providers: offered,
            ...(unreachable === undefined ? {} : { node_error: unreachable }),
          },
          () => {
            ctx.out.line(ctx.out.color.bold("catalog"));
            ctx.out.table(catalog, [
              { header: "name", value: (m) => `${m.name}${m.default ? " (default)" : ""}` },
              { header: "size MB", value: (m) => m.approx_size_mb, align: "right" },
              { header: "source", value: (m) => `${m.repo}/${m.file}` },
            ]);
            ctx.out.line();
            if (served === null) {
              ctx.out.note(ctx.out.color.dim(`node: ${unreachable ?? "unreachable"}`));
              return;
            }
            ctx.out.line(ctx.out.color.bold(`served by ${ctx.options.url}`));
            ctx.out.table(served, [
              { header: "id", value: (m) => pick(m, "id") },
              { header: "owned by", value: (m) => pick(m, "owned_by") },
            ]);
            if (offered !== null && offered.length > 0) {
              ctx.out.line();
              ctx.out.line(ctx.out.color.bold("offered in the mesh"));
              ctx.out.table(offered, [
                { header: "provider", value: (p) => short(pick(p, "account")) },
                { header: "models", value: (p) => offeredModels(p).join(", ") },
              ]);
            }
          },
        );
      }),
    );
  models
    .command("pull <model>")
    .description("download a model (catalog name, hf: URI or URL) into <home>/models, with progress")
    .option("--models-dir <dir>", "where to put it (default <home>/models)")
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const input = String(args[0]);
        const modelsDir = (options["modelsDir"] as string | undefined) ?? join(ctx.home, "models");
        const progress = await deps.models.progressBar(input);
        try {
          const resolved = await deps.models.resolve(input, { modelsDir, progress });
          progress.stop();
          ctx.out.result(resolved, () => ctx.out.line(`${input} → ${resolved.path} (${resolved.source})`));
        } finally {
          progress.stop();
        }
      }),
    );
  return models;
}
