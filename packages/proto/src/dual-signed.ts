/**
 * The plumbing every dual-signed contract shares (loans, insurance policies, compute futures;
 * docs/canonical-encoding.md): the id is `hex(sha256(canonical bytes))`, each party signs the canonical
 * bytes with its own key, and a signed contract is `{ <id>, <body>, <first>_signature, <second>_signature }`.
 * `checkDualSigned` verifies one completely and names what failed (`malformed`, `<id>_mismatch`, or the
 * signature field that does not verify); `assembleDualSigned` builds one and throws `INVALID_MESSAGE` with
 * that failure. Each contract module declares its layout once (`DualSignedSpec`) and keeps its own names.
 * @module
 */
import { type AccountId, fromHex, isSignatureHex, sha256, toHex, verifySignature } from "@tirami/core";
import { ProtoError, ProtoErrorCode } from "./errors.js";

/** How one contract is laid out and checked. */
export interface DualSignedSpec<
  T,
  Id extends string,
  Body extends string,
  A extends string,
  B extends string,
> {
  /** The error kind, e.g. `signed_loan`. */
  readonly kind: string;
  /** The id field, e.g. `loan_id`. */
  readonly id: Id;
  /** The body field, e.g. `loan`. */
  readonly body: Body;
  /** Parses and checks the body's fields and rules; throws on anything invalid. */
  parse(value: unknown): T;
  canonical(value: T): Uint8Array;
  /** The two signature fields, in order, with the account whose key must have made each. */
  readonly signers: readonly [
    { readonly field: A; account(value: T): AccountId },
    { readonly field: B; account(value: T): AccountId },
  ];
}

/** What can fail in a signed contract. */
export type DualSignedFailure<Id extends string, A extends string, B extends string> =
  "malformed" | `${Id}_mismatch` | A | B;

/** A signed contract of a spec. */
export type DualSigned<T, Id extends string, Body extends string, A extends string, B extends string> = {
  [K in Id]: string;
} & { [K in Body]: T } & { [K in A | B]: string };

/** Checks a signed contract completely (fields, rules, id, both signatures). Returns the failure or null. */
export function checkDualSigned<
  T,
  Id extends string,
  Body extends string,
  A extends string,
  B extends string,
>(spec: DualSignedSpec<T, Id, Body, A, B>, signed: unknown): DualSignedFailure<Id, A, B> | null {
  let body: T;
  let s: Record<string, unknown>;
  try {
    if (signed === null || typeof signed !== "object") return "malformed";
    s = signed as Record<string, unknown>;
    body = spec.parse(s[spec.body]);
  } catch {
    return "malformed";
  }
  const [first, second] = spec.signers;
  const firstSignature = s[first.field];
  const secondSignature = s[second.field];
  if (typeof s[spec.id] !== "string" || !isSignatureHex(firstSignature) || !isSignatureHex(secondSignature))
    return "malformed";
  const bytes = spec.canonical(body);
  if (toHex(sha256(bytes)) !== s[spec.id]) return `${spec.id}_mismatch`;
  if (!verifySignature(first.account(body), bytes, fromHex(firstSignature))) return first.field;
  if (!verifySignature(second.account(body), bytes, fromHex(secondSignature))) return second.field;
  return null;
}

/** Puts a body and both signatures together with its id and checks them. `ProtoError` `INVALID_MESSAGE`. */
export function assembleDualSigned<
  T,
  Id extends string,
  Body extends string,
  A extends string,
  B extends string,
>(
  spec: DualSignedSpec<T, Id, Body, A, B>,
  body: T,
  firstSignature: string,
  secondSignature: string,
): DualSigned<T, Id, Body, A, B> {
  const clean = spec.parse(body);
  const signed = {
    [spec.id]: toHex(sha256(spec.canonical(clean))),
    [spec.body]: clean,
    [spec.signers[0].field]: firstSignature,
    [spec.signers[1].field]: secondSignature,
  } as DualSigned<T, Id, Body, A, B>;
  const failure = checkDualSigned(spec, signed);
  if (failure !== null)
    throw new ProtoError(
      ProtoErrorCode.INVALID_MESSAGE,
      `${spec.kind}: ${failure.replace(/_/g, " ")} does not verify`,
      { details: { kind: spec.kind, field: failure === "malformed" ? spec.kind : failure, failure } },
    );
  return signed;
}
