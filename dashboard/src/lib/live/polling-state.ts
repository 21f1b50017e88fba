/**
 * The polling state: what LiveChannel enters once the WebSocket is known to
 * be blocked while the hub answers over HTTP. It holds the long-poller, which
 * feeds the same ChannelSync (same seq rules, so switching loses and repeats
 * nothing), and the WebSocket probe (a timer 15-30 s out, or a SocketSession
 * in flight), and says what it is doing:
 *
 * - polls succeed → phase `polling`, `nextRetryAtMs` = the next probe;
 * - polls fail → phase `reconnecting` (transport stays `polling`), `attempt` =
 *   failed polls in a row, `nextRetryAtMs` = the next poll, and the message
 *   says why ("hub unreachable: …" or "polling failed: …");
 * - the first poll that succeeds after failures probes the WebSocket at once:
 *   the hub was most likely down and is back, so the socket may work now.
 *
 * A probe's hello makes LiveChannel leave this state, taking the probe with it.
 */
import { MAX_DELTAS_PER_RESPONSE, type DeltasResponse } from "../../../../protocol/index.ts";
import type { ChannelSync } from "./channel-sync.ts";
import type { DebugRecorder } from "./debug-recorder.ts";
import { LongPoller, type LongPollerOptions } from "./long-poller.ts";
import type { SocketSession } from "./socket-session.ts";
import type { LiveTuning } from "./tuning.ts";
import type { Cancel } from "./types.ts";

export interface PollingContext extends Pick<LongPollerOptions, "baseUrl" | "channel" | "fetch" | "tickets" | "clock" | "random"> {
  readonly tuning: LiveTuning;
  readonly sync: ChannelSync;
  readonly debug: DebugRecorder;
  /** Starts one WebSocket attempt. */
  openProbe(): SocketSession;
  /** The ticket or token was refused. */
  denied(message: string): void;
  changed(): void;
  log(text: string): void;
}

/** The ConnectionStatus fields the polling state decides. */
export interface PollingView {
  readonly phase: "polling" | "reconnecting";
  readonly attempt: number;
  readonly nextRetryAtMs: number | null;
  readonly message: string;
}

export class PollingState {
  readonly kind = "polling";
  readonly #c: PollingContext;
  /** What the connection bar says while polls succeed. */
  readonly #reason: string;
  readonly #poller: LongPoller;
  #probeTimer: Cancel | null = null;
  #probeAtMs: number | null = null;
  #probe: SocketSession | null = null;
  /** Failed polls in a row, and the last one's message and next try. */
  #failures = 0;
  #failure: { readonly message: string; readonly retryAtMs: number } | null = null;

  constructor(context: PollingContext, reason: string) {
    const c = (this.#c = context);
    this.#reason = reason;
    const { baseUrl, channel, fetch, tickets, clock, random, tuning: t } = c;
    this.#poller = new LongPoller({
      baseUrl, channel, fetch, tickets, clock, random,
      waitSeconds: t.pollWaitSeconds,
      requestTimeoutMs: t.pollRequestTimeoutMs,
      backoff: t.backoff,
      cursor: () => c.sync.store.cursor,
      onRequest: (url) => c.debug.frame("out", clock.now(), `GET ${url.slice(baseUrl.length)}`),
      onResponse: (body) => this.#onResponse(body),
      onFailure: (message, retryInMs, unreachable) => this.#onFailure(message, retryInMs, unreachable),
      onDenied: (message) => c.denied(message),
    });
    this.#poller.start();
    this.#scheduleProbe();
  }

  /** The WebSocket attempt in flight, if any. */
  get probe(): SocketSession | null {
    return this.#probe;
  }

  get view(): PollingView {
    if (this.#failure) return { phase: "reconnecting", attempt: this.#failures, nextRetryAtMs: this.#failure.retryAtMs, message: this.#failure.message };
    return { phase: "polling", attempt: 0, nextRetryAtMs: this.#probeAtMs, message: this.#reason };
  }

  /** True while a probe waits for its time (none is in flight). */
  get probeScheduled(): boolean {
    return this.#probeTimer !== null;
  }

  /** The probe ended without a hello: the next one in 15-30 s. */
  probeFailed(): void {
    this.#probe = null;
    this.#scheduleProbe();
  }

  /** Probes now instead of at the scheduled time (the browser is online again, the hub is back). */
  probeNow(): void {
    if (!this.#probeTimer) return;
    this.#cancelProbeTimer();
    this.#probe = this.#c.openProbe();
  }

  /** Stops polling; a late poll is never applied. The probe in flight is LiveChannel's to close or keep. */
  dispose(): void {
    this.#poller.stop();
    this.#cancelProbeTimer();
  }

  #cancelProbeTimer(): void {
    this.#probeTimer?.();
    this.#probeTimer = null;
    this.#probeAtMs = null;
  }

  #scheduleProbe(): void {
    this.#cancelProbeTimer();
    const { probeMinDelayMs: min, probeMaxDelayMs: max } = this.#c.tuning;
    const delayMs = Math.round(min + this.#c.random() * (max - min));
    this.#probeAtMs = this.#c.clock.now() + delayMs;
    this.#probeTimer = this.#c.clock.schedule(() => {
      this.#probeTimer = null;
      this.#probeAtMs = null;
      this.#probe = this.#c.openProbe();
    }, delayMs);
    this.#c.changed();
  }

  /** Applies one poll; true when caught up, so the next poll may wait on the server. */
  #onResponse(body: DeltasResponse): boolean {
    const { sync, debug, clock } = this.#c;
    const nowMs = clock.now();
    if (body.recovered) {
      debug.frame("in", nowMs, `deltas: ${body.deltas.length} (head ${body.head})`);
      sync.head(body.epoch, body.head);
      // One page is one update. The next request's cursor does what a resync does: a diverged store sends none, and gets a snapshot.
      const problem = sync.deltas(body.deltas);
      if (problem) this.#c.log(problem);
    } else {
      debug.frame("in", nowMs, `deltas: snapshot at seq ${body.snapshot.seq}`);
      sync.snapshot(body.snapshot);
    }
    const pageFull = body.recovered && body.deltas.length >= MAX_DELTAS_PER_RESPONSE;
    const caughtUp = !pageFull && sync.caughtUp;
    if (this.#failure) {
      this.#c.log(`polling works again after ${this.#failures} failed poll(s): probing the WebSocket now`);
      this.#failures = 0;
      this.#failure = null;
      this.probeNow();
    }
    this.#c.changed();
    return caughtUp;
  }

  #onFailure(message: string, retryInMs: number, unreachable: boolean): void {
    this.#failures++;
    const text = unreachable ? `hub unreachable: ${message}` : `polling failed: ${message}`;
    this.#failure = { message: text, retryAtMs: this.#c.clock.now() + retryInMs };
    this.#c.log(`poll failed (${message}); next poll in ${retryInMs} ms`);
    this.#c.changed();
  }
}
