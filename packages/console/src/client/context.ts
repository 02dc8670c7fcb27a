/**
 * What every view is given (the signed-in API, who signed in, the live trade feed) and the helpers they
 * share: polling that stops with the view, and rendering an error as an alert.
 * @module
 */
import { type Api, ApiError } from "./api.js";
import { h } from "./dom.js";
import type { TradeFeed } from "./sse.js";
import type { Principal } from "./types.js";

/** The signed-in session a view works in. */
export interface Ctx {
  api: Api;
  principal: Principal;
  /** This node's ledger account. */
  account: string;
  feed: TradeFeed;
  /** Says `message` to screen readers (a polite live region). */
  announce(message: string): void;
}

/** One view of the console. */
export interface View {
  id: string;
  title: string;
  /** Hidden from agents (the API refuses them these actions anyway). */
  operatorOnly?: boolean;
  /** Renders into `root`; returns the clean-up (timers, listeners). */
  mount(root: HTMLElement, ctx: Ctx): () => void;
}

/** Runs `task` now and every `intervalMs` until the returned stop is called; a failing run waits its turn. */
export function poll(task: () => Promise<void>, intervalMs: number): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    try {
      await task();
    } finally {
      if (!stopped) timer = setTimeout(run, intervalMs);
    }
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** An alert describing `error` (the node's code and message when it refused). */
export function errorBox(error: unknown): HTMLElement {
  const message =
    error instanceof ApiError
      ? `${error.message} (${error.status === 0 ? "" : `${error.status} `}${error.code})`
      : String(error);
  return h("div", { class: "alert", role: "alert" }, message);
}

/** The code of an API failure, or undefined. */
export function codeOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.code : undefined;
}
