/**
 * Pings an open socket and declares it dead when a ping goes unanswered and
 * nothing else is heard: a half-open TCP connection, or a laptop that slept,
 * never delivers a close event, so silence is the only signal.
 *
 * A ping is sent when the socket opens (for a first round-trip time) and on
 * each tick while none is outstanding. A tick that finds a ping outstanding
 * for `pongTimeoutMs`, with nothing received since it was sent, calls onDead.
 */
import { PING_FRAME_TEXT } from "../../../../protocol/index.ts";
import type { Cancel, Clock } from "./types.ts";

export interface HeartbeatOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly pongTimeoutMs: number;
  readonly send: (text: string) => void;
  readonly onRtt: (rttMs: number) => void;
  readonly onDead: (silentForMs: number) => void;
}

export class Heartbeat {
  readonly #o: HeartbeatOptions;
  #timer: Cancel | null = null;
  #pingSentAt: number | null = null;
  #lastHeardAt = 0;

  constructor(options: HeartbeatOptions) {
    this.#o = options;
  }

  start(): void {
    this.stop();
    this.#lastHeardAt = this.#o.clock.now();
    this.#ping();
    this.#schedule();
  }

  stop(): void {
    this.#timer?.();
    this.#timer = null;
    this.#pingSentAt = null;
  }

  /** Any frame from the server: the connection is alive. */
  heard(): void {
    this.#lastHeardAt = this.#o.clock.now();
  }

  pong(): void {
    const now = this.#o.clock.now();
    this.#lastHeardAt = now;
    if (this.#pingSentAt !== null) this.#o.onRtt(now - this.#pingSentAt);
    this.#pingSentAt = null;
  }

  #schedule(): void {
    this.#timer = this.#o.clock.schedule(() => this.#tick(), this.#o.intervalMs);
  }

  #tick(): void {
    this.#timer = null;
    const now = this.#o.clock.now();
    const sentAt = this.#pingSentAt;
    if (sentAt !== null && now - sentAt >= this.#o.pongTimeoutMs) {
      if (this.#lastHeardAt <= sentAt) {
        this.#pingSentAt = null;
        this.#o.onDead(now - this.#lastHeardAt);
        return;
      }
      // Frames arrived but the pong is late (queued behind a long replay): alive, ping again.
      this.#pingSentAt = null;
    }
    if (this.#pingSentAt === null) this.#ping();
    this.#schedule();
  }

  #ping(): void {
    this.#pingSentAt = this.#o.clock.now();
    this.#o.send(PING_FRAME_TEXT);
  }
}
