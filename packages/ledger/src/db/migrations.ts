/**
 * The ordered list of migrations the ledger applies at open. Append only: never edit or reorder a
 * released entry; add a new one. 002–004 are the schemas of the safety gate, pricing and reputation
 * services that share the ledger's database (their SQL is idempotent: CREATE … IF NOT EXISTS); 005 adds
 * the safety gate's per-spender breaker settings; 006 adds loans (see `loans/schema.ts`); 007 the records of
 * @tirami/lightning (`lightning-schema.ts`); 008 the bank's decisions and settings (`bank/schema.ts`) and
 * the bank's contracts — insurance on loans and compute futures, with a journal rebuilt for their kinds
 * (`insurance/schema.ts`, `futures/schema.ts`).
 * @module
 */
import { PRICING_SCHEMA_SQL } from "../pricing/schema.js";
import { REPUTATION_SCHEMA_SQL } from "../reputation/schema.js";
import { SAFETY_BREAKER_POLICIES_SQL, SAFETY_TABLES_SQL } from "../safety/schema.js";
import { CORE_SCHEMA_SQL } from "./core-schema.js";
import { LOANS_SCHEMA_SQL } from "../loans/schema.js";
import { LIGHTNING_SCHEMA_SQL } from "./lightning-schema.js";
import { BANK_SCHEMA_SQL } from "../bank/schema.js";
import { INSURANCE_SCHEMA_SQL } from "../insurance/schema.js";
import { FUTURES_SCHEMA_SQL } from "../futures/schema.js";
import type { Migration } from "./migration.js";

export const LEDGER_MIGRATIONS: readonly Migration[] = [
  { id: "001_core", sql: CORE_SCHEMA_SQL },
  { id: "002_safety", sql: SAFETY_TABLES_SQL },
  { id: "003_pricing", sql: PRICING_SCHEMA_SQL },
  { id: "004_reputation", sql: REPUTATION_SCHEMA_SQL },
  { id: "005_safety_breaker_policies", sql: SAFETY_BREAKER_POLICIES_SQL },
  { id: "006_loans", sql: LOANS_SCHEMA_SQL },
  { id: "007_lightning", sql: LIGHTNING_SCHEMA_SQL },
  { id: "008_bank", sql: BANK_SCHEMA_SQL },
  { id: "008_bank_contracts", sql: INSURANCE_SCHEMA_SQL + FUTURES_SCHEMA_SQL },
];
