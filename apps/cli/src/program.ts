/**
 * `createProgram(deps)`: the whole `tirami` command tree, built on injected dependencies so tests and
 * embedders can run it in-process (vitest `createCLI`). `main.ts` only parses argv and exits.
 * @module
 */
import { Command, Option } from "commander";
import { type ConfigOption, envName } from "@tirami/core";
import type { CliDeps } from "./deps.js";
import { GLOBAL_FLAGS, GLOBAL_OPTION_TABLE } from "./options.js";
import { agentCommand } from "./commands/agent.js";
import { approvalsCommand } from "./commands/approvals.js";
import { loanCommand } from "./commands/loan.js";
import { mcpCommand } from "./commands/mcp.js";
import { mindCommand } from "./commands/mind.js";
import { bankCommand } from "./commands/bank.js";
import { agoraCommand } from "./commands/agora.js";
import { balanceCommand } from "./commands/balance.js";
import { chatCommand } from "./commands/chat.js";
import { demoCommand } from "./commands/demo.js";
import { killCommand, resumeCommand } from "./commands/kill.js";
import { ledgerCommand } from "./commands/ledger.js";
import { modelsCommand } from "./commands/models.js";
import { nodeCommand, seedCommand, startCommand } from "./commands/node.js";
import { peersCommand, providersCommand } from "./commands/peers.js";
import { policyCommand } from "./commands/policy.js";
import { pricingCommand } from "./commands/pricing.js";
import { proofCommand } from "./commands/proof.js";
import { settleCommand } from "./commands/settle.js";
import { statusCommand } from "./commands/status.js";
import { topologyCommand } from "./commands/topology.js";
import { tradesCommand } from "./commands/trades.js";
import { workerCommand } from "./commands/worker.js";
import { walletCommand } from "./commands/wallet.js";
import { anchorCommand } from "./commands/anchor.js";

/** The CLI's version, printed by `tirami --version`. */
export const VERSION = "0.1.0";

/**
 * Builds the program. Errors are thrown (commander's `exitOverride`), never `process.exit`ed, so the
 * caller maps them to exit codes.
 * @example
 * const program = createProgram(createRealDeps());
 * await program.parseAsync(["balance", "--json"], { from: "user" });
 */
export function createProgram(deps: CliDeps): Command {
  const program = new Command("tirami")
    .description(
      "Tirami: distributed LLM inference where compute is money. Run a node, chat, watch TRM move, verify the ledger.",
    )
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => void deps.stdout.write(text),
      writeErr: (text) => void deps.stderr.write(text),
    });
  for (const [key, flag] of Object.entries(GLOBAL_FLAGS)) {
    const spec: ConfigOption = GLOBAL_OPTION_TABLE[key as keyof typeof GLOBAL_OPTION_TABLE];
    const env = `env ${envName(key)}`;
    const shown =
      key === "color" || key === "json" || spec.default === undefined
        ? env
        : `${env}, default ${String(spec.default)}`;
    program.addOption(new Option(flag, `${spec.doc} (${shown})`));
  }
  const commands = [
    nodeCommand(deps),
    startCommand(deps),
    seedCommand(deps),
    workerCommand(deps),
    chatCommand(deps),
    modelsCommand(deps),
    statusCommand(deps),
    balanceCommand(deps),
    tradesCommand(deps),
    pricingCommand(deps),
    peersCommand(deps),
    providersCommand(deps),
    topologyCommand(deps),
    settleCommand(deps),
    walletCommand(deps),
    anchorCommand(deps),
    killCommand(deps),
    resumeCommand(deps),
    policyCommand(deps),
    approvalsCommand(deps),
    loanCommand(deps),
    mindCommand(deps),
    bankCommand(deps),
    agoraCommand(deps),
    agentCommand(deps),
    ledgerCommand(deps),
    proofCommand(deps),
    mcpCommand(deps),
    demoCommand(deps),
  ];
  for (const command of commands) program.addCommand(command);
  applyRecursively(program, (command) => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => void deps.stdout.write(text),
      writeErr: (text) => void deps.stderr.write(text),
    });
  });
  return program;
}

function applyRecursively(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const sub of command.commands) applyRecursively(sub, apply);
}
