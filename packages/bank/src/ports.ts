/**
 * The calls the bank makes on the ledger and on the market's lending — exactly those, so a reader sees
 * every path by which the bank can move money: lend offers, loans and repayments through
 * `@tirami/market`'s lending, each checked by the ledger's lending gate and safety gate.
 * @module
 */
import type { Ledger } from "@tirami/ledger";
import type { Lending } from "@tirami/market";

/** The ledger the bank reads (and whose connection holds its decisions and settings). */
export type BankLedger = Pick<Ledger, "balance" | "loans" | "insurance" | "futures" | "safety" | "sqlite">;

/** The lending the bank acts through. */
export type BankLending = Pick<Lending, "pool" | "offer" | "ownTerms" | "borrow" | "repay">;
