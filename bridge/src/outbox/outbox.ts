/**
 * The outbox: events waiting for a 2xx from the hub, oldest first. An event
 * is appended before it is sent and removed only after the hub acknowledged
 * it, so a crash at any point loses nothing (it may resend, which the hub
 * de-duplicates by id). Two implementations: on disk (the bridge) and in
 * memory (the demo feed, unit tests).
 */
import type { HubEvent } from "../../../protocol/index.ts";

export interface Outbox {
  /** Events waiting. */
  readonly size: number;
  /** Queues events after those already queued; skips ids already queued (keeping the first copy). Returns how many were added. */
  append(events: readonly HubEvent[]): Promise<number>;
  /** The oldest events, at most `maxEvents` and about `maxBytes` of JSON (always at least one if any). */
  peek(maxEvents: number, maxBytes: number): HubEvent[];
  /** Forgets these events (acknowledged, or moved to the dead letters). */
  remove(ids: ReadonlySet<string>): Promise<void>;
}

/** Where events the hub refused for good go, so they never block the queue. */
export interface DeadLetters {
  add(event: unknown, reason: string): Promise<void>;
}

/** Picks the oldest events that fit a batch. Shared by both outboxes. */
export function takeBatch(events: Iterable<HubEvent>, maxEvents: number, maxBytes: number): HubEvent[] {
  const out: HubEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    if (out.length >= maxEvents) break;
    const size = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (out.length > 0 && bytes + size > maxBytes) break;
    out.push(event);
    bytes += size;
  }
  return out;
}
