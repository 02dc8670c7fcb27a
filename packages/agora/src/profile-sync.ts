/**
 * Profile catch-up (`/tirami/agora-sync/1.0.0`): gossip reaches only the nodes online when a profile is
 * published, so a node that connects asks the peer for the live profiles it holds, as trades are caught up
 * by sync (docs/architecture.md §7). The answer is one `agent_profile` frame per profile, at most
 * `PROFILE_SYNC_MAX`; each is judged by exactly the gossip validator's rules (`profile-gossip.ts`: decoded,
 * signature verified, fresh, newer) and stored, never forwarded. A peer that sends a forged or malformed
 * profile has the stream aborted: nothing after it is read.
 * @module
 */
import type { AccountId } from "@tirami/core";
import type { MeshHost } from "@tirami/net";
import { encodeMessage } from "@tirami/proto";
import type { ProfileGossip } from "./profile-gossip.js";
import type { ProfileRegistry } from "./registry.js";

/** The catch-up protocol id. */
export const AGORA_SYNC_PROTOCOL_ID = "/tirami/agora-sync/1.0.0";
/** Profiles one answer carries at most. */
export const PROFILE_SYNC_MAX = 1_024;
/** Bound on one catch-up exchange, ms. */
export const PROFILE_SYNC_TIMEOUT_MS = 10_000;

export interface ProfileSyncDeps {
  host: Pick<MeshHost, "handle" | "unhandle" | "request">;
  registry: ProfileRegistry;
  /** The gossip validator: the same rules for caught-up profiles. */
  gossip: Pick<ProfileGossip, "validate">;
}

/** Serves catch-up requests and asks peers for theirs. */
export function createProfileSync(deps: ProfileSyncDeps) {
  return {
    async start(): Promise<void> {
      await deps.host.handle(AGORA_SYNC_PROTOCOL_ID, async (stream) => {
        for (const profile of deps.registry.list().slice(-PROFILE_SYNC_MAX))
          await stream.send(encodeMessage(profile));
        await stream.close();
      });
    },
    async stop(): Promise<void> {
      await deps.host.unhandle(AGORA_SYNC_PROTOCOL_ID).catch(() => undefined);
    },
    /** Reads `peer`'s profiles into the registry; resolves to how many were stored (0 on any failure). */
    async catchUp(peer: AccountId): Promise<number> {
      let stored = 0;
      try {
        const stream = await deps.host.request(peer, AGORA_SYNC_PROTOCOL_ID, {
          timeoutMs: PROFILE_SYNC_TIMEOUT_MS,
        });
        await stream.close();
        let read = 0;
        for await (const frame of stream) {
          read += 1;
          const verdict = deps.gossip.validate(frame, peer);
          if (verdict === "reject" || read > PROFILE_SYNC_MAX) {
            stream.abort();
            break;
          }
          if (verdict === "accept") stored += 1;
        }
      } catch {
        // the peer does not speak it, went away or timed out: gossip and refreshes still bring profiles
      }
      return stored;
    },
  };
}
