/**
 * What the client knows about one route of the node: method, path, a one-line summary (also the MCP tool's
 * description), who may call it, the schema of its input (path parameters, query and body flattened into
 * one object, as an agent or a program naturally writes it), the type of its answer, and the name of the
 * MCP tool that exposes it. The table of all of them is `endpoints.ts`; the client's methods, the MCP
 * server's tools and the coverage test that compares them with the node's routes all read that one table.
 * @module
 */
import type { z } from "zod";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** Who may call a route: anyone (probes), any token (operator or agent), or the operator only. */
export type Access = "public" | "token" | "operator";

/** How a route answers: one JSON body, plain text, or a stream of server-sent events. */
export type ResponseKind = "json" | "text" | "events";

/**
 * One route of the node. `O` is the type of its JSON answer, or of each event of a stream (phantom: never
 * set at run time).
 */
export interface Endpoint<S extends z.ZodType | undefined = z.ZodType | undefined, O = unknown> {
  readonly method: HttpMethod;
  /** Hono-style path, e.g. `/v1/tirami/trades/:trade_id`. */
  readonly path: string;
  /** One line an agent can act on. */
  readonly summary: string;
  readonly access: Access;
  /** Schema of the flattened input; undefined when the route takes none. */
  readonly input: S;
  /** `text` for non-JSON answers (Prometheus metrics), `events` for a stream (the client's method yields). */
  readonly response: ResponseKind;
  /** True when calling it moves money or stops the node's spending (MCP `destructiveHint`). */
  readonly destructive: boolean;
  /** The MCP tool's name, or false when the route is deliberately not a tool (see `MCP_EXCLUDED`). */
  readonly mcp: string | false;
  /** Phantom field carrying the answer's type. */
  readonly output?: O;
}

/** Declares an endpoint whose JSON answer has type `O`. */
export function endpoint<O>() {
  return <S extends z.ZodType | undefined = undefined>(spec: {
    method: HttpMethod;
    path: string;
    summary: string;
    access: Access;
    input?: S;
    response?: ResponseKind;
    destructive?: boolean;
    mcp: string | false;
  }): Endpoint<S, O> => ({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    access: spec.access,
    input: spec.input as S,
    response: spec.response ?? "json",
    destructive: spec.destructive ?? false,
    mcp: spec.mcp,
  });
}

/** Marks the answer type of a stream: `endpoint<StreamOf<Event>>()` yields `Event`s. */
export interface StreamOf<T> {
  readonly streamOf: T;
}

/** The input type of an endpoint (what its client method takes). */
export type InputOf<E> =
  E extends Endpoint<infer S, unknown> ? (S extends z.ZodType ? z.input<S> : undefined) : never;
/** The answer type of an endpoint. */
export type OutputOf<E> = E extends Endpoint<z.ZodType | undefined, infer O> ? O : never;

/** The names of a path's parameters: `/a/:x/b/:y` → ["x", "y"]. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([a-z_]+)/g)].map((match) => match[1] as string);
}
