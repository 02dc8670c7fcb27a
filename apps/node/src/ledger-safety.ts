/**
 * TEMPORARY bridge: the safety gate lives in @tirami/ledger (src/safety) but is not yet exported from the
 * package entry, and the ledger's migrations do not yet create its tables. Until both land, this opens the
 * gate from the built package on the ledger's own connection, applying its idempotent schema
 * (`CREATE TABLE IF NOT EXISTS`). Replace with the ledger's export once it exists.
 * @module
 */
import type { Clock } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import {
  createSafetyGate,
  SAFETY_SCHEMA_SQL,
  type SafetyGate,
} from "../../../packages/ledger/dist/safety/index.js";

/** The ledger's safety gate on the ledger's connection. */
export function openSafetyGate(ledger: Pick<Ledger, "sqlite">, clock: Clock): SafetyGate {
  ledger.sqlite.exec(SAFETY_SCHEMA_SQL);
  return createSafetyGate({ db: ledger.sqlite, clock });
}
