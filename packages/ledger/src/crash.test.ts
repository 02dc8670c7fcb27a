/**
 * Crash safety (docs/architecture.md §10): a child process applies trades to a ledger file and prints each
 * acknowledged trade_id; the test kills it with SIGKILL at a random point (four seeds, all on the same
 * file, so each round reopens a database that was killed before), then reopens the file and checks that
 * every acknowledged trade is stored, nothing is half-applied, and verify() passes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createManualClock } from "@tirami/core";
import { isTradeId } from "@tirami/proto";
import { seededRandom, suiteTempDir } from "@tirami/test-kit";
import { openLedger } from "./ledger.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const T0 = 1_800_000_000_000;
// Removed after the children are killed: afterAll hooks run last-registered first.
const dir = suiteTempDir("ledger-crash-");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Deterministic pseudo-random kill point per seed: 5 to 154 acknowledged trades. */
function killAfter(seed: number): number {
  return 5 + Math.floor(seededRandom(seed)() * 150);
}

/** Runs the child until it acknowledged `acks` trades (plus whatever it manages before the signal lands). */
function runAndKill(path: string, firstSeq: number, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/crash-child.ts", path, String(firstSeq), String(T0)],
      {
        cwd: packageDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    const acknowledged: string[] = [];
    let buffer = "";
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) if (isTradeId(line)) acknowledged.push(line);
      if (acknowledged.length >= acks && child.signalCode === null) child.kill("SIGKILL");
    });
    child.on("error", reject);
    // "close", not "exit": acknowledgements still in the pipe must be read before counting.
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited ${code} ${signal}: ${stderr}`));
      else resolve(acknowledged);
    });
  });
}

describe("crash safety", () => {
  it("every acknowledged trade survives kill -9 and the ledger verifies", async () => {
    const path = join(dir, "ledger.db");
    const all: string[] = [];
    for (const [round, seed] of [11, 23, 37, 41].entries()) {
      const acks = killAfter(seed);
      const acknowledged = await runAndKill(path, round * 10_000, acks);
      expect(acknowledged.length).toBeGreaterThanOrEqual(acks);
      all.push(...acknowledged);
      const ledger = openLedger({ path, clock: createManualClock(T0) });
      try {
        for (const id of all) expect(ledger.getTrade(id), `acknowledged trade ${id} lost`).toBeDefined();
        const report = ledger.verify();
        expect(report.issues).toEqual([]);
        expect(report.ok).toBe(true);
        // The last trade may have committed without its acknowledgement reaching us, never more.
        expect(report.counts.trades - all.length).toBeGreaterThanOrEqual(0);
        expect(report.counts.trades - all.length).toBeLessThanOrEqual(round + 1);
        expect(report.root).toBe(ledger.merkleRoot());
      } finally {
        ledger.close();
      }
    }
  }, 60_000);
});
