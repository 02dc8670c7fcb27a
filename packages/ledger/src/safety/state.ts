/**
 * The gate's read-only overview for `GET /v1/tirami/safety`: kill switch, breakers, policies, pending
 * approvals, and the hourly / lifetime / last-minute spend of every recently active spender.
 * @module
 */
import { BREAKER_RESET_MS, VELOCITY_WINDOW_MS } from "./constants.js";
import type { Policies } from "./policy-store.js";
import type { SafetyStore } from "./store.js";
import type { BreakerState, KillSwitchState, SafetyState, SpenderSpend } from "./types.js";

/** Rows of each list `state()` shows at most. */
const STATE_ROWS_MAX = 1_000;

/** What one spender has used, as seen at `nowMs`. */
function spenderSpend(store: SafetyStore, spender: string, nowMs: number): SpenderSpend {
  return {
    spender,
    hourly_spend_trm: store.hourlyUsed(spender, nowMs),
    lifetime_spend_trm: store.lifetimeUsed(spender, nowMs),
    spends_last_minute: store.velocityCountReadOnly(spender, nowMs),
  };
}

/** Assembles `SafetyState` at `nowMs` from the parts the gate already has. */
export function readSafetyState(deps: {
  store: SafetyStore;
  nowMs: number;
  killSwitch: () => KillSwitchState;
  breakers: (nowMs: number, limit: number) => BreakerState[];
  policies: Pick<Policies, "defaults" | "list">;
}): SafetyState {
  const { store, nowMs } = deps;
  const defaults = deps.policies.defaults();
  const spenders = store.activeSpenders(nowMs, STATE_ROWS_MAX);
  return {
    kill_switch: deps.killSwitch(),
    breakers: deps.breakers(nowMs, STATE_ROWS_MAX),
    default_policy: defaults.agent,
    operator_default_policy: defaults.operator,
    policies: deps.policies.list(STATE_ROWS_MAX),
    pending_approvals: store.pendingApprovalsTotal(),
    spend: spenders.map((spender) => spenderSpend(store, spender, nowMs)),
    limits: { velocity_window_ms: VELOCITY_WINDOW_MS, breaker_reset_ms: BREAKER_RESET_MS },
  };
}
