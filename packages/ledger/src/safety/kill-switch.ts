/**
 * The kill switch (step 1): one persisted flag that halts every spend until an operator resumes. It
 * comes before everything else because it describes the node's health, not the spend.
 * @module
 */
import { ACTOR_CHARS_MAX, REASON_CHARS_MAX } from "./constants.js";
import { SafetyErrorCode } from "./errors.js";
import { deny, type Outcome } from "./outcome.js";
import type { KillSwitchRow, SafetyStore } from "./store.js";
import type { KillSwitchState } from "./types.js";
import { checkText } from "./validate.js";

export interface KillSwitch {
  state(): KillSwitchState;
  activate(reason: string, by: string): KillSwitchState;
  resume(by: string): KillSwitchState;
  /** Step 1: a denial while the switch is active, else null. */
  check(): Outcome | null;
}

/** The public view of the stored row; no row means never activated. */
export function killSwitchState(row: KillSwitchRow | undefined): KillSwitchState {
  return {
    active: row?.active === 1,
    reason: row?.reason ?? null,
    activated_at_ms: row?.activated_at_ms ?? null,
    activated_by: row?.activated_by ?? null,
    resumed_at_ms: row?.resumed_at_ms ?? null,
    resumed_by: row?.resumed_by ?? null,
  };
}

export function createKillSwitch(deps: { store: SafetyStore; now: () => number }): KillSwitch {
  const { store, now } = deps;
  const state = (): KillSwitchState => killSwitchState(store.killSwitch());
  return {
    state,
    activate(reason, by) {
      store.activateKill(
        checkText(reason, "reason", REASON_CHARS_MAX),
        now(),
        checkText(by, "by", ACTOR_CHARS_MAX),
      );
      return state();
    },
    resume(by) {
      store.resumeKill(now(), checkText(by, "by", ACTOR_CHARS_MAX));
      return state();
    },
    check() {
      const kill = state();
      if (!kill.active) return null;
      return deny(
        SafetyErrorCode.KILL_SWITCH_ACTIVE,
        `kill switch active: ${kill.reason ?? "emergency halt"}`,
      );
    },
  };
}
