/**
 * `tirami chat [prompt]`: one answer, or a REPL when no prompt is given. Answers stream token by token
 * through the node's OpenAI endpoint; after each, the cost in TRM, the balance, the tokens and the generation
 * speed (tokens per second, from the first streamed token), the provider and the trade are
 * printed (from the response's `x_tirami`). With `--json` the full, non-streamed response is printed.
 * The REPL also reads piped lines (one question per line), which is how scripts and tests drive it.
 * @module
 */
import { createInterface } from "node:readline";
import { Command } from "commander";
import { type AnswerReceipt, ask, type ChatSettings, type Message, printReceipt } from "../ask.js";
import { defineAction } from "../command-kit.js";
import { CHAT_HISTORY_MAX, CHAT_MAX_TOKENS_DEFAULT } from "../constants.js";
import type { CommandContext } from "../context.js";
import type { CliDeps } from "../deps.js";
import { ExitCode, toCliError } from "../errors.js";
import { integerArg, numberArg } from "../values.js";

export type { AnswerReceipt, ChatSettings, Message };

/** Adds the generation flags shared by `chat` and `worker`. */
export function addChatFlags(command: Command): Command {
  return command
    .option("-m, --model <id>", "model id to ask for (default: whatever the node serves or routes to)")
    .option(
      "-n, --max-tokens <n>",
      "most tokens per answer",
      integerArg("--max-tokens", 1, 131_072),
      CHAT_MAX_TOKENS_DEFAULT,
    )
    .option("--temperature <t>", "sampling temperature, 0–2", numberArg("--temperature", 0, 2))
    .option("--system <text>", "a system message before the conversation")
    .option("--route <preference>", "mesh routing: cost, quality or balanced")
    .option("--provider <account>", "buy from this provider (64 hex account id)")
    .option(
      "--wait-approval",
      "when a spend needs a human, wait for `tirami approvals approve <id>` and retry",
    );
}

export function chatSettings(options: Record<string, unknown>): ChatSettings {
  return {
    model: options["model"] as string | undefined,
    maxTokens: options["maxTokens"] as number,
    temperature: options["temperature"] as number | undefined,
    route: options["route"] as string | undefined,
    provider: options["provider"] as string | undefined,
    waitApproval: options["waitApproval"] === true,
  };
}

export async function repl(
  ctx: CommandContext,
  settings: ChatSettings,
  system: string | undefined,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<void> {
  const interactive = input.isTTY === true;
  const lines = createInterface({ input, terminal: false });
  const history: Message[] = [];
  if (interactive) ctx.out.note(ctx.out.color.dim("type a question; `exit` or Ctrl-D to leave"));
  const prompt = () => interactive && ctx.deps.stderr.write(ctx.out.color.cyan("you> "));
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === "exit" || line === "quit") break;
    if (line === "") {
      prompt();
      continue;
    }
    history.push({ role: "user", content: line });
    while (history.length > CHAT_HISTORY_MAX) history.shift();
    try {
      const receipt = await ask(
        ctx,
        [...(system === undefined ? [] : [{ role: "system" as const, content: system }]), ...history],
        settings,
      );
      history.push({ role: "assistant", content: receipt.text });
      // One compact JSON document per answer (NDJSON), so a script can read the conversation line by line.
      if (ctx.out.json) ctx.out.raw(`${JSON.stringify(receipt.raw)}\n`);
      else await printReceipt(ctx, receipt);
    } catch (error) {
      const cliError = toCliError(error);
      history.pop();
      // A denied or failed answer does not end the conversation; an unreachable node does.
      if (cliError.exitCode === ExitCode.UNREACHABLE || cliError.exitCode === ExitCode.AUTH) throw cliError;
      ctx.out.note(
        `${ctx.out.color.red("error:")} ${cliError.message}${cliError.hint === undefined ? "" : `\n  hint: ${cliError.hint}`}`,
      );
    }
    prompt();
  }
  lines.close();
}

export function chatCommand(deps: CliDeps): Command {
  return addChatFlags(new Command("chat"))
    .description("ask the node a question (REPL when no prompt is given); prints cost and balance")
    .argument("[prompt...]", "the question; omit for a conversation")
    .action(
      defineAction(deps, async (ctx, args, options) => {
        const settings = chatSettings(options);
        const system = options["system"] as string | undefined;
        const words = (args[0] as string[] | undefined) ?? [];
        if (words.length === 0) return repl(ctx, settings, system, deps.stdin);
        const messages: Message[] = [
          ...(system === undefined ? [] : [{ role: "system" as const, content: system }]),
          { role: "user", content: words.join(" ") },
        ];
        const receipt = await ask(ctx, messages, settings);
        if (ctx.out.json) ctx.out.result(receipt.raw, () => undefined);
        else await printReceipt(ctx, receipt);
      }),
    );
}
