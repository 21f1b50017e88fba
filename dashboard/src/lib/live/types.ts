/**
 * The public shapes of the live connection layer: what the UI reads, and the
 * small I/O seams (clock, frame scheduler) that tests replace with fakes.
 */
import type { Change, DeltaCause } from "../../../../protocol/index.ts";

export type Phase = "connecting" | "catching-up" | "live" | "reconnecting" | "polling" | "offline" | "denied";

export interface ConnectionStatus {
  readonly phase: Phase;
  /** The transport delivering deltas now; null while (re)connecting or stopped. */
  readonly transport: "websocket" | "polling" | null;
  /** Current reconnect attempt (0 when live). */
  readonly attempt: number;
  /** Date.now() time of the next retry (or of the next WebSocket probe while polling). */
  readonly nextRetryAt: number | null;
  /** Deltas still to apply while catching up. */
  readonly behind: number;
  /** Last applied seq. */
  readonly seq: number | null;
  readonly epoch: string | null;
  /** Last ping round trip. */
  readonly rttMs: number | null;
  /** Human-readable reason: denied ("access denied: …"), offline, last close. */
  readonly message: string | null;
  readonly closeCode: number | null;
}

export interface ActivityEntry {
  readonly seq: number;
  readonly at: string;
  readonly cause?: DeltaCause;
  readonly changes: readonly Change[];
}

export interface DebugLogEntry {
  readonly at: number;
  readonly text: string;
}

export interface DebugFrame {
  readonly dir: "in" | "out";
  readonly at: number;
  readonly text: string;
}

export interface ReplayStats {
  /** Connections whose hello said `recovered: true` (replay instead of snapshot). */
  recovered: number;
  /** Snapshots applied (WebSocket or polling). */
  snapshots: number;
  /** `resync` frames sent. */
  resyncs: number;
  /** Gaps detected (a delta with seq > applied + 1). */
  gaps: number;
}

export interface DebugInfo {
  /** Connection lifecycle, newest last, at most 200. */
  readonly log: readonly DebugLogEntry[];
  readonly framesInPerSec: number;
  readonly framesOutPerSec: number;
  /** At most 50, newest last. */
  readonly lastFrames: readonly DebugFrame[];
  readonly replays: ReplayStats;
}

/** Cancels a scheduled callback; calling it twice is harmless. */
export type Cancel = () => void;

/** Time and timers, injected so tests drive them by hand. */
export interface Clock {
  /** Milliseconds on the Date.now() scale. */
  now(): number;
  schedule(callback: () => void, delayMs: number): Cancel;
}

/** Runs a callback before the next paint (requestAnimationFrame in browsers). */
export type FrameScheduler = (callback: () => void) => void;
