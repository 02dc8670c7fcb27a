/**
 * kysely over the ledger's tables. Two uses: `createQueryBuilder()` compiles typed queries to SQL that
 * the ledger runs synchronously through better-sqlite3 (no async hop on read paths), and
 * `createKysely(db)` gives callers an async, typed, read-mostly view sharing the same connection.
 * Money-moving writes never go through kysely: its `transaction()` sends a plain BEGIN (STACK pitfall 7).
 * @module
 */
import type Database from "better-sqlite3";
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Generated,
} from "kysely";

export interface AccountsTable {
  account_id: string;
  balance_trm: number;
  free_tier_trm: number;
  granted_trm: number;
  contributed_trm: number;
  consumed_trm: number;
  reserved_trm: number;
  trade_count: number;
  first_seen_ms: number;
}

export interface JournalTable {
  entry_id: Generated<number>;
  account_id: string;
  kind:
    | "free_tier"
    | "grant"
    | "trade_credit"
    | "trade_debit"
    | "loan_credit"
    | "loan_debit"
    | "burn"
    | "insurance_credit"
    | "insurance_debit"
    | "futures_credit"
    | "futures_debit";
  amount_trm: number;
  trade_id: string | null;
  reason: string | null;
  created_ms: number;
  loan_id: string | null;
  policy_id: string | null;
  future_id: string | null;
}

export interface TradesTable {
  trade_id: string;
  provider: string;
  consumer: string;
  amount_trm: number;
  prompt_tokens: number;
  completion_tokens: number;
  model_id: string;
  price_trm_per_token: number;
  timestamp_ms: number;
  nonce: string;
  request_id: string;
  canonical: Uint8Array;
  provider_signature: Uint8Array;
  consumer_signature: Uint8Array;
  leaf_hash: Uint8Array;
  applied_ms: number;
}

export interface HoldsTable {
  hold_id: string;
  account_id: string;
  amount_trm: number;
  reason: string;
  created_ms: number;
  expires_ms: number;
  status: "active" | "settled" | "released" | "expired";
  settled_trm: number | null;
  trade_id: string | null;
  closed_ms: number | null;
  loan_id: string | null;
  policy_id: string | null;
  future_id: string | null;
}

export interface AdmissionsTable {
  provider: string;
  consumer: string;
  admitted_ms: number;
}

/** The ledger's own tables, for typed queries. */
export interface LedgerTables {
  accounts: AccountsTable;
  journal: JournalTable;
  trades: TradesTable;
  holds: HoldsTable;
  admissions: AdmissionsTable;
}

/** A kysely instance that only compiles queries (it has no connection). */
export function createQueryBuilder(): Kysely<LedgerTables> {
  return new Kysely<LedgerTables>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

/** An async kysely instance on the ledger's connection (reads; do not move money through it). */
export function createKysely(db: Database.Database): Kysely<LedgerTables> {
  return new Kysely<LedgerTables>({ dialect: new SqliteDialect({ database: db }) });
}
