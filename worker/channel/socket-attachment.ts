/** What each hibernatable socket carries across evictions (serializeAttachment). */
export interface SocketAttachment {
  readonly v: 1;
  readonly id: string;
  readonly channel: string;
  readonly connectedAtMs: number;
  /** Ticket expiry, unix seconds. */
  readonly ticketExp: number;
  /** The epoch shown in hello: kept, so a channel created after an eviction keeps it (nothing persisted it yet). */
  readonly epoch?: string;
  /** When the last `resync` was answered, so the resync interval survives hibernation. */
  readonly lastResyncAtMs?: number;
}

/** Attachments come back from storage: decode defensively, never throw. */
export function readAttachment(raw: unknown): SocketAttachment | null {
  if (typeof raw !== "object" || raw === null) return null;
  const a = raw as Record<string, unknown>;
  if (a.v !== 1 || typeof a.id !== "string" || typeof a.channel !== "string" || typeof a.connectedAtMs !== "number" || typeof a.ticketExp !== "number") {
    return null;
  }
  if ((a.epoch !== undefined && typeof a.epoch !== "string") || (a.lastResyncAtMs !== undefined && typeof a.lastResyncAtMs !== "number")) return null;
  return a as unknown as SocketAttachment;
}
