/**
 * Insurance on loans on the ledger (docs/bank.md): the book, its facade and their types.
 * @module
 */
export { type ApplyPolicyResult, createInsuranceBook, EXPIRY_SWEEP_BATCH_MAX } from "./book.js";
export { createInsurance, type Insurance, type InsuranceExposure, POLICY_PAGE_MAX } from "./insurance.js";
export { type PolicyEventKind, type PolicyStatus, type StoredPolicy } from "./rows.js";
