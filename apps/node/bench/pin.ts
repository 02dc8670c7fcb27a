/**
 * CPU pinning for the benchmarks (Linux `taskset`): isolating a process on its own CPU tells a node's own
 * overhead apart from its competition with the client for a 2-core machine.
 * @module
 */
import { execFileSync } from "node:child_process";

/** Pins every thread of `pid` to `cpu`; false when that is not possible here. */
export function pin(pid: number | undefined, cpu: number): boolean {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
