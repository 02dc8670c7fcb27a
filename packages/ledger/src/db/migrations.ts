/**
 * The ordered list of migrations the ledger applies at open. Append only: never edit or reorder a
 * released entry; add a new one.
 * @module
 */
import { CORE_SCHEMA_SQL } from "./core-schema.js";
import type { Migration } from "./migration.js";

export const LEDGER_MIGRATIONS: readonly Migration[] = [{ id: "001_core", sql: CORE_SCHEMA_SQL }];
