/**
 * What the tabs of one channel tell each other over their BroadcastChannel.
 * The leader (the tab holding the Web Lock, and the only one with a socket)
 * relays exactly what it applied, in order; followers ask for the whole state
 * when they join or see a gap, and hand retry() and send() to the leader.
 */
import type { DeltaFrame } from "../../../../protocol/index.ts";
import type { StoredPosition } from "./channel-store.ts";
import type { ActivityEntry, ConnectionStatus } from "./types.ts";

export type TabMessageBody =
  /** A follower joined, or saw a gap: the leader answers with "state". */
  | { readonly type: "want-state" }
  /** The leader's whole position (null before its first snapshot), feed (newest first) and status. */
  | { readonly type: "state"; readonly position: StoredPosition | null; readonly activity: readonly ActivityEntry[]; readonly status: ConnectionStatus }
  /** The leader applied a snapshot. */
  | { readonly type: "snapshot"; readonly position: StoredPosition }
  /** The leader applied these deltas, in this order. */
  | { readonly type: "deltas"; readonly deltas: readonly DeltaFrame[] }
  | { readonly type: "status"; readonly status: ConnectionStatus }
  /** The leader stops (its view closed); another tab takes the lock. */
  | { readonly type: "leaving" }
  /** A follower's retry() or send(), done by the leader. */
  | { readonly type: "retry" }
  | { readonly type: "send"; readonly text: string };

/** `from`: the sending tab's id. */
export type TabMessage = TabMessageBody & { readonly from: string };

const TYPES = new Set<string>(["want-state", "state", "snapshot", "deltas", "status", "leaving", "retry", "send"]);

/**
 * The message, or null for anything else on the channel. Only tabs of this
 * origin can post here, so the envelope is checked, not every state field.
 */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (!isObject(data)) return null;
  const message = data as { type?: unknown; from?: unknown; deltas?: unknown; text?: unknown; position?: unknown; status?: unknown };
  if (typeof message.type !== "string" || !TYPES.has(message.type) || typeof message.from !== "string") return null;
  const ok = data as TabMessage;
  switch (message.type) {
    case "deltas":
      return Array.isArray(message.deltas) ? ok : null;
    case "send":
      return typeof message.text === "string" ? ok : null;
    case "snapshot":
      return isObject(message.position) ? ok : null;
    case "state":
    case "status":
      return isObject(message.status) ? ok : null;
    default:
      return ok;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}
