import { Command } from "commander";
import type { CliDeps } from "../deps.js";
export function demoCommand(_deps: CliDeps): Command {
  return new Command("demo");
}
