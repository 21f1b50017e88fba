/**
 * Read-only access to the live view from the browser console and the browser
 * tests (`window.__TASKMASTER_LIVE__.state`), so what the page holds can be
 * compared with the server's snapshot without scraping every field.
 */
import type { ChannelState } from "../../../protocol/index.ts";
import type { ActivityEntry, ConnectionStatus, TabRole } from "./live/index.ts";

export interface LiveHook {
  readonly channel: string;
  readonly state: ChannelState | null;
  readonly status: ConnectionStatus;
  /** The applied deltas, newest first (at most 200). */
  readonly activity: readonly ActivityEntry[];
  /** Whether this tab holds the shared socket (see live/shared-live-channel.ts). */
  readonly role: TabRole;
}

const HOOK_NAME = "__TASKMASTER_LIVE__";

export function exposeLiveHook(hook: LiveHook): () => void {
  const target = globalThis as Record<string, unknown>;
  target[HOOK_NAME] = hook;
  return () => {
    if (target[HOOK_NAME] === hook) delete target[HOOK_NAME];
  };
}
