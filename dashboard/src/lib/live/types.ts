/**
 * The public shapes of the live connection layer: what the UI reads, and the
 * small I/O seams (clock, frame scheduler, socket connector) that tests
 * replace with fakes.
 */
import type { Change, DeltaCause } from "../../../../protocol/index.ts";
import type { SyncRelay, SyncSeed } from "./channel-sync.ts";
import type { StateCache } from "./state-cache.ts";
import type { TicketProvider } from "./tickets.ts";
import type { LiveTuning } from "./tuning.ts";

/** What a LiveChannel is built from. */
export interface LiveChannelOptions {
  /** The hub's origin, e.g. location.origin. */
  baseUrl: string;
  channel: string;
  /** A TicketSource (or any TicketProvider). */
  tickets: TicketProvider;
  cache?: StateCache;
  // Injectables; the defaults are the browser's.
  /** Default: partysocket to `${baseUrl → ws(s)}/ws/<channel>`. */
  connector?: SocketConnector;
  /** For the polling fallback and the reachability check. Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** Default: Date.now + setTimeout. */
  clock?: Clock;
  /** Default: requestAnimationFrame, or setTimeout(16). */
  scheduleFrame?: FrameScheduler;
  /** Jitter source in [0, 1). Default: Math.random. */
  random?: () => number;
  /** Default: window pagehide / visibilitychange / online. */
  page?: PageEvents;
  tuning?: Partial<LiveTuning>;
  /** Told every snapshot and batch of deltas applied, in order (a leader tab relaying them to the other tabs). */
  relay?: SyncRelay;
  /** Start from this state and feed instead of the cache's (a tab taking over as leader): the first connect resumes from its seq. */
  seed?: SyncSeed;
}

export type Phase = "connecting" | "catching-up" | "live" | "reconnecting" | "polling" | "offline" | "denied";

export interface ConnectionStatus {
  readonly phase: Phase;
  /** The transport delivering deltas now; null while (re)connecting or stopped. */
  readonly transport: "websocket" | "polling" | null;
  /** Current reconnect attempt (0 when live). */
  readonly attempt: number;
  /** Date.now() time of the next retry (or of the next WebSocket probe while polling). */
  readonly nextRetryAtMs: number | null;
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
  /** When the hub committed the delta (the delta's `at`). */
  readonly atIso: string;
  readonly cause?: DeltaCause;
  readonly changes: readonly Change[];
}

export interface DebugLogEntry {
  readonly atMs: number;
  readonly text: string;
}

export interface DebugFrame {
  readonly dir: "in" | "out";
  readonly atMs: number;
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

/** Page lifecycle signals LiveChannel reacts to. */
export interface PageEvents {
  /** The page is hidden or unloading (pagehide, visibilitychange → hidden): the last safe moment to save. */
  onHide(callback: () => void): Cancel;
  /** The browser reports the network is back: retry now instead of waiting for the backoff. */
  onOnline(callback: () => void): Cancel;
}

// The seam between LiveChannel and a WebSocket library: one connect() per
// attempt. LiveChannel decides when to (re)connect; the connector never
// retries on its own. In browsers it is partysocket (partysocket-connector.ts);
// in unit tests a fake.

/** Query parameters of one attempt; undefined values are left out of the URL. */
export type SocketQuery = Record<string, string | undefined>;

/** Never called synchronously from connect(): only from later events. */
export interface SocketListeners {
  open(): void;
  /** A text frame (binary frames are not part of the protocol and are dropped). */
  message(text: string): void;
  /**
   * Exactly once per attempt, when it ends by itself: a close from the server,
   * a failed upgrade, a connect timeout, or a `query` that threw. Never called
   * after the handle's own close().
   */
  close(code: number, reason: string): void;
}

export interface SocketHandle {
  /** Sends when open; returns false (and drops the text) otherwise. */
  send(text: string): boolean;
  /** Ends the attempt; no listener is called after this. */
  close(code?: number, reason?: string): void;
}

export interface SocketConnector {
  /**
   * Starts one attempt. `query` is awaited right before the socket is created,
   * so the resume cursor and the ticket are as fresh as they can be.
   */
  connect(query: () => Promise<SocketQuery>, listeners: SocketListeners): SocketHandle;
}

/** Close code reported when an attempt failed without a close frame (RFC 6455 "abnormal closure"). */
export const ABNORMAL_CLOSURE = 1006;
