/**
 * Conflation of high-frequency updates (`task.progress`, `health.sample`,
 * `agent.heartbeat`). Per entity, an update goes out at once if the entity's
 * last one went out at least `windowMs` ago; otherwise it is held, and the
 * updates held for the entity are merged and go out once, when its window
 * ends: at most one delta per entity per window. Latest value wins; health
 * samples are appended (every sample of the window is kept).
 *
 * Pure: time comes from the caller. Only the held updates need to survive an
 * eviction (ChannelCore persists `pending()` with the events they merge); the
 * send times are a rate hint, so losing them costs at most one early delta.
 */
import type { Change, DeltaCause, HubEvent } from "../../protocol/index.ts";

/** Held updates (one per entity) waiting for their window to end. Plain data: it is persisted as JSON. */
export interface PendingUpdate {
  /** The entity key (entity-keys.ts). */
  readonly key: string;
  readonly dueAtMs: number;
  readonly changes: readonly Change[];
  /** The newest merged event. */
  readonly cause: DeltaCause;
  /** The ids of the merged events, oldest first. */
  readonly ids: readonly string[];
}

const CONFLATED_TYPES: ReadonlySet<HubEvent["type"]> = new Set(["task.progress", "health.sample", "agent.heartbeat"]);

/** The fields a held patch may carry: anything else (a status, a link, a new entity) is never delayed. */
const MERGEABLE_FIELDS: Readonly<Record<"task" | "agent", ReadonlySet<string>>> = {
  task: new Set(["progress", "updatedAt"]),
  agent: new Set(["lastSeenAt", "updatedAt"]),
};

/** True if an event's changes may be held: a high-frequency type that changes no status, link or entity set. */
export function isConflatable(type: HubEvent["type"], changes: readonly Change[]): boolean {
  if (!CONFLATED_TYPES.has(type) || changes.length === 0) return false;
  return changes.every((change) => {
    if (change.kind === "health") return true;
    if ((change.kind !== "task" && change.kind !== "agent") || change.op !== "patch") return false;
    if (change.kind === "task" && change.unset !== undefined) return false;
    const allowed = MERGEABLE_FIELDS[change.kind];
    return Object.keys(change.value).every((field) => allowed.has(field));
  });
}

/** `held` then `next` as one list: patches of the same entity merge (latest field wins), appends accumulate. */
export function mergeChanges(held: readonly Change[], next: readonly Change[]): Change[] {
  const merged = [...held];
  for (const change of next) {
    const i = change.op === "patch" ? merged.findIndex((c) => samePatchTarget(c, change)) : -1;
    const prev = merged[i];
    if (prev === undefined || prev.op !== "patch" || change.op !== "patch") merged.push(change);
    else merged[i] = { ...prev, value: { ...prev.value, ...change.value } } as Change;
  }
  return merged;
}

function samePatchTarget(a: Change, b: Change): boolean {
  if (a.op !== "patch" || a.kind !== b.kind) return false;
  if (a.kind === "task" && b.kind === "task") return a.tag === b.tag && a.key === b.key;
  if (a.kind === "agent" && b.kind === "agent") return a.key === b.key;
  return false;
}

export class Coalescer {
  readonly #windowMs: number;
  /** When each entity's last update went out. */
  readonly #sentAtMs = new Map<string, number>();
  /** In arrival order of each entity's first held update. */
  readonly #pending = new Map<string, PendingUpdate>();

  constructor(windowMs: number, pending: readonly PendingUpdate[] = []) {
    this.#windowMs = windowMs;
    for (const update of pending) this.#pending.set(update.key, update);
  }

  /** A conflatable update of `key`: "send" (it goes out now; the window starts) or "held" (merged into the pending update). */
  offer(key: string, nowMs: number, changes: readonly Change[], cause: DeltaCause & { readonly id: string }): "send" | "held" {
    const held = this.#pending.get(key);
    if (held) {
      this.#pending.set(key, { ...held, changes: mergeChanges(held.changes, changes), cause, ids: [...held.ids, cause.id] });
      return "held";
    }
    const sentAtMs = this.#sentAtMs.get(key);
    if (sentAtMs === undefined || nowMs - sentAtMs >= this.#windowMs) {
      this.#sent(key, nowMs);
      return "send";
    }
    this.#pending.set(key, { key, dueAtMs: sentAtMs + this.#windowMs, changes: [...changes], cause, ids: [cause.id] });
    return "held";
  }

  #sent(key: string, nowMs: number): void {
    this.#sentAtMs.delete(key);
    this.#sentAtMs.set(key, nowMs);
    // Oldest first: entities quiet for a whole window need no memory.
    for (const [k, atMs] of this.#sentAtMs) {
      if (nowMs - atMs < this.#windowMs) break;
      this.#sentAtMs.delete(k);
    }
  }

  /** Removes and returns the updates whose window ended by `nowMs`, in arrival order; each counts as sent now. */
  takeDue(nowMs: number): PendingUpdate[] {
    return this.#take((update) => update.dueAtMs <= nowMs, nowMs);
  }

  /** Removes and returns every held update (before a status change or a snapshot, so order is kept). */
  takeAll(nowMs: number): PendingUpdate[] {
    return this.#take(() => true, nowMs);
  }

  #take(due: (update: PendingUpdate) => boolean, nowMs: number): PendingUpdate[] {
    const taken = [...this.#pending.values()].filter(due);
    for (const update of taken) {
      this.#pending.delete(update.key);
      this.#sent(update.key, nowMs);
    }
    return taken;
  }

  get hasPending(): boolean {
    return this.#pending.size > 0;
  }

  pending(): PendingUpdate[] {
    return [...this.#pending.values()];
  }

  nextDueAtMs(): number | null {
    let next: number | null = null;
    for (const { dueAtMs } of this.#pending.values()) if (next === null || dueAtMs < next) next = dueAtMs;
    return next;
  }
}
