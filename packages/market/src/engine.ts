/**
 * The local model as the market uses it: the calls a provider makes on an `@tirami/infer` engine (and the
 * manifest and free capacity its offer announces). `createEngine` from `@tirami/infer` satisfies it.
 * @module
 */
import type { Engine } from "@tirami/infer";

/** The engine calls the market makes. */
export type MarketEngine = Pick<Engine, "manifest" | "chat" | "generate" | "embed" | "stats">;
