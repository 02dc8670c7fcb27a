/**
 * @tirami/ledger (L1) — the node's money: accounts with the implicit free tier, an append-only journal,
 * holds, dual-signed trades applied exactly once, an RFC 9162 Merkle log with inclusion proofs,
 * settlement statements and a full verify, on one SQLite file (WAL, IMMEDIATE transactions).
 * @packageDocumentation
 */

/** The ledger. */
export {
  type BatchTradeResult,
  type GrantRequest,
  type HoldSettlement,
  type Ledger,
  type LedgerConfig,
  openLedger,
} from "./ledger.js";
export type { OpenLedgerOptions } from "./config.js";
export type { AccountBalance } from "./accounts.js";
export type { Admission, AdmissionDenial } from "./admission.js";
export type { JournalEntry, JournalKind } from "./journal.js";
export type { Hold, HoldStatus, ReserveRequest } from "./holds.js";
export type { ApplyTradeOptions, ApplyTradeResult } from "./trades.js";
export type { StoredTrade } from "./trade-rows.js";
export type { IngestOptions, IngestResult, TradeIngest } from "./ingest.js";
export type { ListTradesRequest, TradesAfterRequest } from "./trade-queries.js";
export type { TradeProof } from "./merkle-log.js";
export type { SettlementAccount, SettlementRequest, SettlementStatement } from "./settlement.js";
export type { VerifyIssue, VerifyIssueKind, VerifyReport } from "./verify.js";

/** Errors. */
export { LedgerError, LedgerErrorCode } from "./errors.js";

/** Storage. */
export type { Migration } from "./db/migration.js";
export { LEDGER_MIGRATIONS } from "./db/migrations.js";
export type { LedgerTables } from "./db/kysely.js";
export type { SynchronousMode } from "./db/open.js";

/** Merkle tree (pure, standalone). */
export {
  EMPTY_ROOT,
  inclusionProof,
  type InclusionCheck,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyInclusion,
} from "./merkle/index.js";

/** Limits and defaults. */
export * from "./constants.js";

/** Services sharing the ledger's database (exposed as `ledger.safety`, `ledger.pricing`, `ledger.reputation`). */
export * from "./safety/index.js";
export * from "./pricing/index.js";
export * from "./reputation/index.js";

/** The spend path: every purchase through the one safety gate, a hold and a dual-signed trade. */
export * from "./spend/index.js";

/** Lending: loans, repayments, defaults, credit and the lending gate (`ledger.loans`). */
export * from "./loans/index.js";
export * from "./insurance/index.js";
export * from "./futures/index.js";
