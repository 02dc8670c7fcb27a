/**
 * TRM amounts: non-negative safe integers, always (docs/architecture.md §3). Floats never carry money; a price
 * may be fractional, but every cost is rounded up to a whole TRM with `costTrm` before it moves.
 * @module
 */
import { CoreErrorCode, TiramiError } from "./errors.js";

/** An integer amount of TRM, 0 ≤ n ≤ Number.MAX_SAFE_INTEGER. */
export type AmountTrm = number;

/** Thrown when a value is not a valid TRM amount (negative, fractional, unsafe, or not a number). */
export class InvalidAmountError extends TiramiError {
  override name = "InvalidAmountError";
  constructor(field: string, received: unknown) {
    super(
      CoreErrorCode.INVALID_AMOUNT,
      `"${field}" expected a non-negative safe integer TRM amount, got ${describe(received)}`,
      {
        details: { field },
      },
    );
  }
}

/** Thrown when arithmetic on amounts would leave the safe-integer range or go below zero. */
export class AmountOverflowError extends TiramiError {
  override name = "AmountOverflowError";
  constructor(operation: string, a: number, b: number) {
    super(CoreErrorCode.AMOUNT_OVERFLOW, `TRM ${operation} out of range: ${a} and ${b}`, {
      details: { operation },
    });
  }
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "bigint") return `bigint ${value}`;
  return value === null ? "null" : typeof value;
}

/** True when `value` is a valid TRM amount. */
export function isAmountTrm(value: unknown): value is AmountTrm {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Validates an amount at a boundary. Throws `InvalidAmountError` (code `INVALID_AMOUNT`) naming `field`
 * for negatives, fractions, NaN, infinities, unsafe integers and non-numbers (strings included: the
 * caller parses, this function never coerces).
 */
export function assertAmountTrm(value: unknown, field = "amount_trm"): asserts value is AmountTrm {
  if (isAmountTrm(value)) return;
  throw new InvalidAmountError(field, value);
}

/** `a + b`, throwing `AmountOverflowError` past Number.MAX_SAFE_INTEGER. */
export function addTrm(a: AmountTrm, b: AmountTrm): AmountTrm {
  assertAmountTrm(a, "a");
  assertAmountTrm(b, "b");
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new AmountOverflowError("addition", a, b);
  return sum;
}

/** `a - b`, throwing `AmountOverflowError` when the result would be negative. */
export function subTrm(a: AmountTrm, b: AmountTrm): AmountTrm {
  assertAmountTrm(a, "a");
  assertAmountTrm(b, "b");
  if (b > a) throw new AmountOverflowError("subtraction", a, b);
  return a - b;
}

/**
 * Cost of `tokens` at `priceTrmPerToken`, rounded up to a whole TRM: `ceil(tokens × price)`
 * (docs/architecture.md §4). The product is computed in micro-TRM with BigInt so no float error can
 * round a cost down; prices are honoured to 1e-6 TRM per token.
 */
export function costTrm(tokens: number, priceTrmPerToken: number): AmountTrm {
  if (!Number.isSafeInteger(tokens) || tokens < 0)
    throw new RangeError(`"tokens" expected a non-negative safe integer, got ${tokens}`);
  if (!Number.isFinite(priceTrmPerToken) || priceTrmPerToken < 0) {
    throw new RangeError(`"priceTrmPerToken" expected a finite non-negative number, got ${priceTrmPerToken}`);
  }
  const priceMicro = BigInt(Math.ceil(Math.round(priceTrmPerToken * 1e9) / 1e3));
  const costMicro = BigInt(tokens) * priceMicro;
  const cost = (costMicro + 999_999n) / 1_000_000n;
  if (cost > BigInt(Number.MAX_SAFE_INTEGER)) throw new AmountOverflowError("cost", tokens, priceTrmPerToken);
  return Number(cost);
}
