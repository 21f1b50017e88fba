/**
 * The last consistent state of each channel, kept across reloads so the page
 * paints at once and then asks only for the deltas it missed.
 */
import * as v from "valibot";
import { ServerFrameSchema, type ChannelState } from "../../../../protocol/index.ts";
import type { Cancel, Clock } from "./types.ts";

export interface CachedChannel {
  readonly epoch: string;
  readonly seq: number;
  readonly state: ChannelState;
}

export interface StateCache {
  load(channel: string): CachedChannel | null;
  save(channel: string, entry: CachedChannel): void;
}

export const STATE_CACHE_KEY_PREFIX = "taskmaster-live.state.v1.";

/** True when `value` has the shape of a snapshot (validated like a server frame: storage is not trusted). */
function isCachedChannel(value: unknown): value is CachedChannel {
  if (typeof value !== "object" || value === null) return false;
  return v.safeParse(ServerFrameSchema, { ...value, type: "snapshot" }).success;
}

/**
 * localStorage (or any Storage), one key per channel. Never throws: storage
 * may be disabled, full, or hold something corrupt; the dashboard then just
 * starts from a snapshot.
 */
export function browserStateCache(storage?: Storage): StateCache {
  const store = (): Storage | null => {
    try {
      return storage ?? globalThis.localStorage ?? null;
    } catch {
      // Accessing localStorage throws when it is disabled by policy.
      return null;
    }
  };
  return {
    load(channel) {
      const s = store();
      if (!s) return null;
      const key = STATE_CACHE_KEY_PREFIX + channel;
      try {
        const text = s.getItem(key);
        if (text === null) return null;
        const value: unknown = JSON.parse(text);
        if (isCachedChannel(value)) return { epoch: value.epoch, seq: value.seq, state: value.state };
        s.removeItem(key);
      } catch {
        // Corrupt JSON: forget it.
        tryRemove(s, key);
      }
      return null;
    },
    save(channel, entry) {
      const s = store();
      if (!s) return;
      const key = STATE_CACHE_KEY_PREFIX + channel;
      const text = JSON.stringify({ epoch: entry.epoch, seq: entry.seq, state: entry.state });
      try {
        s.setItem(key, text);
      } catch {
        // Quota: other channels' states are only a speed-up, drop them and try once more.
        for (const other of keysStartingWith(s, STATE_CACHE_KEY_PREFIX)) if (other !== key) tryRemove(s, other);
        try {
          s.setItem(key, text);
        } catch {
          // Still too big: an older entry (if any) stays; resuming from it is still exact.
        }
      }
    },
  };
}

/** In memory, for tests and for pages without storage. */
export function memoryStateCache(): StateCache & { readonly entries: Map<string, CachedChannel> } {
  const entries = new Map<string, CachedChannel>();
  return {
    entries,
    load: (channel) => entries.get(channel) ?? null,
    save: (channel, entry) => void entries.set(channel, structuredClone(entry)),
  };
}

/**
 * A cache that can be switched off for good: after revoke() it loads nothing
 * and saves nothing. Sign-out revokes it before clearing storage, because a
 * live view being torn down saves its state on stop() and would otherwise
 * write it straight back.
 */
export function revocableStateCache(inner: StateCache): StateCache & { revoke(): void } {
  let revoked = false;
  return {
    load: (channel) => (revoked ? null : inner.load(channel)),
    save: (channel, entry) => {
      if (!revoked) inner.save(channel, entry);
    },
    revoke: () => {
      revoked = true;
    },
  };
}

/** The keys of `s` that start with `prefix`, listed first: removing while walking by index would skip keys. */
export function keysStartingWith(s: Storage, prefix: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const key = s.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

function tryRemove(s: Storage, key: string): void {
  try {
    s.removeItem(key);
  } catch {
    // Nothing else to do.
  }
}

/** Writes a channel's state to a StateCache at most once per interval, and at once on demand (pagehide, stop). */
export class CacheWriter {
  readonly #cache: StateCache | null;
  readonly #channel: string;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #read: () => CachedChannel | null;
  #timer: Cancel | null = null;
  #lastSavedAtMs = -Infinity;
  #saved: string | null = null;

  /** `read` gives the state to save, or null when there is none worth saving (nothing yet, or diverged). */
  constructor(cache: StateCache | null, channel: string, clock: Clock, intervalMs: number, read: () => CachedChannel | null) {
    this.#cache = cache;
    this.#channel = channel;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#read = read;
  }

  /** The position just loaded from the cache: no need to write it back. */
  loaded(position: CachedChannel): void {
    this.#saved = keyOf(position);
  }

  /** Something changed: save within the interval. */
  schedule(): void {
    if (!this.#cache || this.#timer) return;
    const waitMs = Math.max(0, this.#lastSavedAtMs + this.#intervalMs - this.#clock.now());
    this.#timer = this.#clock.schedule(() => {
      this.#timer = null;
      this.saveNow();
    }, waitMs);
  }

  saveNow(): void {
    this.#timer?.();
    this.#timer = null;
    const position = this.#read();
    if (!this.#cache || !position) return;
    const key = keyOf(position);
    if (key === this.#saved) return;
    this.#cache.save(this.#channel, position);
    this.#saved = key;
    this.#lastSavedAtMs = this.#clock.now();
  }
}

function keyOf(position: CachedChannel): string {
  return `${position.epoch}:${position.seq}`;
}
