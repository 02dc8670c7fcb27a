/**
 * Child process for the crash-safety test: applies dual-signed trades to a ledger file (some settling a
 * hold, with a grant now and then) and prints each acknowledged trade_id on stdout only after
 * `applySignedTrade` returned. The parent kills it with SIGKILL at a random point.
 * Usage: node --import tsx test/crash-child.ts <db path> <first seq> <clock ms>
 */
import { createManualClock } from "@tirami/core";
import { signedTrade, signerFor } from "@tirami/test-trades";
import { openLedger } from "../src/index.js";

const [path, firstSeqText, clockText] = process.argv.slice(2);
if (path === undefined || firstSeqText === undefined || clockText === undefined)
  throw new Error("usage: crash-child <db> <seq> <ms>");
const clock = createManualClock(Number(clockText));
const ledger = openLedger({ path, clock });
const signers = ["c0", "c1", "c2", "c3", "c4", "c5"].map(signerFor);
const TRADES_MAX = 100_000;

function write(line: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(line + "\n", () => resolve()));
}

await write("ready");
for (let seq = Number(firstSeqText); seq < Number(firstSeqText) + TRADES_MAX; seq++) {
  const provider = signers[seq % 6]!;
  const consumer = signers[(seq * 5 + 1) % 6 === seq % 6 ? (seq + 1) % 6 : (seq * 5 + 1) % 6]!;
  const signed = signedTrade({
    provider,
    consumer,
    completionTokens: 1 + (seq % 4),
    timestampMs: clock.nowMs(),
    seq,
  });
  if (seq % 17 === 0) ledger.grant({ account: consumer.accountId, amountTrm: 10, reason: "crash test" });
  if (seq % 5 === 0) {
    const holdId = ledger.reserve({ account: consumer.accountId, amountTrm: 8, reason: "crash test" });
    ledger.applySignedTrade(signed, { holdId });
  } else {
    ledger.applySignedTrade(signed);
  }
  await write(signed.trade_id);
}
ledger.close();
