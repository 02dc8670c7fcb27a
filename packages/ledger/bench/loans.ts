/**
 * Loan events verified and applied per second, against the Ed25519 verify rate measured in the same run.
 * A loan carries two signatures and a repayment one, so the ceiling for "verify + apply" is the verify
 * rate ÷ 2 per loan (and ÷ 1 per repayment); the printed ratio is events/s ÷ (verify rate ÷ 2), as the
 * trade ingest bench reports it. Each loan and each repayment is one IMMEDIATE transaction on a real
 * SQLite file (WAL, synchronous NORMAL), exactly as gossip applies them.
 * Run: `pnpm run bench:loans` (env BENCH_LOANS, default 2,000; BENCH_REPEATS, default 3).
 */
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { createManualClock, fromHex, verifySignature } from "@tirami/core";
import { loanCanonicalBytes, type LoanRepayment, type SignedLoan } from "@tirami/proto";
import { createTempDir } from "@tirami/test-kit";
import { repaymentOf, signedLoan, signerFor } from "@tirami/test-trades";
import { openLedger } from "../src/index.js";

const COUNT = Number(process.env.BENCH_LOANS ?? 2_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const T0 = 1_800_000_000_000;
const lenders = Array.from({ length: 8 }, (_, i) => signerFor(`bench-lender-${i}`));
const borrowers = Array.from({ length: 8 }, (_, i) => signerFor(`bench-borrower-${i}`));

function make(): { loans: SignedLoan[]; repayments: LoanRepayment[] } {
  const loans: SignedLoan[] = [];
  const repayments: LoanRepayment[] = [];
  for (let i = 0; i < COUNT; i++) {
    const loan = signedLoan({
      lender: lenders[i % lenders.length]!,
      borrower: borrowers[(i * 3) % borrowers.length]!,
      principalTrm: 3,
      collateralTrm: 1,
      termHours: 24,
      interestPpmPerHour: 1_000,
      createdMs: T0 + i,
      nonce: i.toString(16).padStart(32, "0"),
    });
    loans.push(loan);
    repayments.push(repaymentOf(loan, borrowers[(i * 3) % borrowers.length]!, T0 + i + 1));
  }
  return { loans, repayments };
}

function perSecond(count: number, start: bigint): number {
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

function verifyRate(loans: SignedLoan[]): number {
  const start = process.hrtime.bigint();
  let n = 0;
  for (const loan of loans) {
    const bytes = loanCanonicalBytes(loan.loan);
    if (verifySignature(loan.loan.lender, bytes, fromHex(loan.lender_signature))) n += 1;
    if (verifySignature(loan.loan.borrower, bytes, fromHex(loan.borrower_signature))) n += 1;
  }
  return perSecond(n, start);
}

function applyRate(loans: SignedLoan[], repayments: LoanRepayment[]): { loans: number; repayments: number } {
  const dir = createTempDir("tirami-bench-loans");
  const ledger = openLedger({ path: join(dir.path, "ledger.db"), clock: createManualClock(T0) });
  try {
    let start = process.hrtime.bigint();
    for (const loan of loans) ledger.loans.applySignedLoan(loan);
    const loanRate = perSecond(loans.length, start);
    start = process.hrtime.bigint();
    for (const repayment of repayments) ledger.loans.applyRepayment(repayment);
    const repaymentRate = perSecond(repayments.length, start);
    if (!ledger.verify().ok) throw new Error("the ledger does not verify after the bench");
    return { loans: loanRate, repayments: repaymentRate };
  } finally {
    ledger.close();
    dir.remove();
  }
}

const { loans, repayments } = make();
console.log(
  `loans bench: ${COUNT} loans + ${COUNT} repayments, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
);
for (let round = 1; round <= REPEATS; round++) {
  const verify = verifyRate(loans);
  const applied = applyRate(loans, repayments);
  const ceiling = verify / 2;
  console.log(
    `round ${round}: Ed25519 verify ${verify.toFixed(0)}/s → ceiling ${ceiling.toFixed(0)}/s; ` +
      `loans applied ${applied.loans.toFixed(0)}/s (ratio ${(applied.loans / ceiling).toFixed(2)}); ` +
      `repayments applied ${applied.repayments.toFixed(0)}/s (ratio ${(applied.repayments / verify).toFixed(2)} of verify ÷ 1)`,
  );
}
