/**
 * What the debug panel shows: lifecycle log, frame rates, the last frames,
 * replay counters. Texts are recorded with credentials redacted (a renewal
 * frame carries a ticket), before truncation so a cut never leaves half a
 * ticket unrecognised.
 */
import { redactCredentials } from "./redact.ts";
import { MAX_DEBUG_FRAMES, MAX_DEBUG_FRAME_CHARS, MAX_LOG_ENTRIES } from "./tuning.ts";
import type { DebugFrame, DebugInfo, DebugLogEntry, ReplayStats } from "./types.ts";

const RATE_WINDOW_MS = 1_000;

/** Events in the last second; timestamps kept in a queue with a moving head. */
export class RateMeter {
  #times: number[] = [];
  #head = 0;

  mark(nowMs: number): void {
    this.#times.push(nowMs);
  }

  perSecond(now: number): number {
    const from = now - RATE_WINDOW_MS;
    while (this.#head < this.#times.length && this.#times[this.#head]! <= from) this.#head++;
    if (this.#head > 1024) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
    return this.#times.length - this.#head;
  }
}

export class DebugRecorder {
  readonly #log: DebugLogEntry[] = [];
  readonly #frames: DebugFrame[] = [];
  readonly #in = new RateMeter();
  readonly #out = new RateMeter();
  readonly replays: ReplayStats = { recovered: 0, snapshots: 0, resyncs: 0, gaps: 0 };
  #snapshot: { log: readonly DebugLogEntry[]; lastFrames: readonly DebugFrame[] } | null = null;

  log(atMs: number, text: string): void {
    pushCapped(this.#log, { atMs, text: redactCredentials(text) }, MAX_LOG_ENTRIES);
    this.#snapshot = null;
  }

  frame(dir: "in" | "out", atMs: number, raw: string): void {
    (dir === "in" ? this.#in : this.#out).mark(atMs);
    const text = redactCredentials(raw);
    const shown = text.length > MAX_DEBUG_FRAME_CHARS ? `${text.slice(0, MAX_DEBUG_FRAME_CHARS)}… (${text.length} chars)` : text;
    pushCapped(this.#frames, { dir, atMs, text: shown }, MAX_DEBUG_FRAMES);
    this.#snapshot = null;
  }

  /** Fresh arrays only when something changed, so a reactive UI can compare by identity. */
  info(now: number): DebugInfo {
    this.#snapshot ??= { log: [...this.#log], lastFrames: [...this.#frames] };
    return {
      log: this.#snapshot.log,
      lastFrames: this.#snapshot.lastFrames,
      framesInPerSec: this.#in.perSecond(now),
      framesOutPerSec: this.#out.perSecond(now),
      replays: { ...this.replays },
    };
  }
}

function pushCapped<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
