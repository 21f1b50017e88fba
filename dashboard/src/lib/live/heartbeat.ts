/**
 * Pings an open socket and declares it dead when a ping goes unanswered and
 * nothing else is heard: a half-open TCP connection, or a laptop that slept,
 * never delivers a close event, so silence is the only signal.
 *
 * start() pings at once (the first round-trip time) and on each tick while
 * none is outstanding. A tick that finds a ping outstanding for
 * `pongTimeoutMs`, with nothing received since it was sent, calls onDead.
 * LiveChannel starts it when the resume handshake is complete, through
 * startAfterRender(): a ping sent earlier, or while the page renders what the
 * handshake brought, has its pong wait behind that work, and the round trip
 * would measure the page load, not the network.
 *
 * watch() is the quiet mode for the handshake itself (hello received, replay
 * or snapshot still coming): no pings, but `pongTimeoutMs` of silence calls
 * onDead, so a connection that dies while catching up is not waited on forever.
 */
import { PING_FRAME_TEXT } from "../../../../protocol/index.ts";
import type { Cancel, Clock, FrameScheduler } from "./types.ts";

export interface HeartbeatOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly pongTimeoutMs: number;
  /** startAfterRender() waits for the next animation frame (then a task) ... */
  readonly scheduleFrame: FrameScheduler;
  /** ... or this long, as hidden tabs get no frames. */
  readonly firstPingMaxWaitMs: number;
  readonly send: (text: string) => void;
  readonly onRtt: (rttMs: number) => void;
  /** `afterPing`: a ping went unanswered; otherwise the watch() found silence. */
  readonly onDead: (silentForMs: number, afterPing: boolean) => void;
}

export class Heartbeat {
  readonly #o: HeartbeatOptions;
  #timer: Cancel | null = null;
  #pingSentAtMs: number | null = null;
  #lastHeardAtMs = 0;
  #pinging = false;
  /** Bumped by stop(): a pending startAfterRender() that finds it changed does nothing. */
  #run = 0;
  #startTimer: Cancel | null = null;

  constructor(options: HeartbeatOptions) {
    this.#o = options;
  }

  /** Pings now and on every tick. */
  start(): void {
    this.stop();
    this.#pinging = true;
    this.#lastHeardAtMs = this.#o.clock.now();
    this.#ping();
    this.#schedule();
  }

  /** watch() now, start() once the page has rendered (the next frame, then a task) or after firstPingMaxWaitMs. */
  startAfterRender(): void {
    this.watch();
    const run = this.#run;
    const start = () => {
      if (run === this.#run) this.start();
    };
    this.#o.scheduleFrame(() => this.#o.clock.schedule(start, 0));
    this.#startTimer = this.#o.clock.schedule(start, this.#o.firstPingMaxWaitMs);
  }

  /** No pings; only silence for `pongTimeoutMs` is fatal. */
  watch(): void {
    this.stop();
    this.#lastHeardAtMs = this.#o.clock.now();
    this.#schedule();
  }

  stop(): void {
    this.#run++;
    this.#startTimer?.();
    this.#startTimer = null;
    this.#timer?.();
    this.#timer = null;
    this.#pingSentAtMs = null;
    this.#pinging = false;
  }

  /** Any frame from the server: the connection is alive. */
  heard(): void {
    this.#lastHeardAtMs = this.#o.clock.now();
  }

  pong(): void {
    const now = this.#o.clock.now();
    this.#lastHeardAtMs = now;
    if (this.#pingSentAtMs !== null) this.#o.onRtt(now - this.#pingSentAtMs);
    this.#pingSentAtMs = null;
  }

  #schedule(): void {
    this.#timer = this.#o.clock.schedule(() => this.#tick(), this.#o.intervalMs);
  }

  #tick(): void {
    this.#timer = null;
    const now = this.#o.clock.now();
    if (!this.#pinging) {
      if (now - this.#lastHeardAtMs >= this.#o.pongTimeoutMs) return this.#o.onDead(now - this.#lastHeardAtMs, false);
      return this.#schedule();
    }
    const sentAtMs = this.#pingSentAtMs;
    if (sentAtMs !== null && now - sentAtMs >= this.#o.pongTimeoutMs) {
      if (this.#lastHeardAtMs <= sentAtMs) {
        this.#pingSentAtMs = null;
        this.#o.onDead(now - this.#lastHeardAtMs, true);
        return;
      }
      // Frames arrived but the pong is late (queued behind a long replay): alive, ping again.
      this.#pingSentAtMs = null;
    }
    if (this.#pingSentAtMs === null) this.#ping();
    this.#schedule();
  }

  #ping(): void {
    this.#pingSentAtMs = this.#o.clock.now();
    this.#o.send(PING_FRAME_TEXT);
  }
}
