/**
 * Polling mode: what LiveChannel runs once the WebSocket is known to be
 * blocked while the hub answers over HTTP. It long-polls the deltas endpoint
 * into the same ChannelSync (same seq rules, so switching loses and repeats
 * nothing), probes the WebSocket every 15-30 s, and says what it is doing:
 *
 * - polls succeed → phase `polling`, `nextRetryAt` = the next probe;
 * - polls fail → phase `reconnecting` (transport stays `polling`), `attempt` =
 *   failed polls in a row, `nextRetryAt` = the next poll, and the message
 *   says why ("hub unreachable: …" or "polling failed: …");
 * - the first poll that succeeds after failures probes the WebSocket at once:
 *   the hub was most likely down and is back, so the socket may work now.
 */
import { MAX_DELTAS_PER_RESPONSE, type DeltasResponse } from "../../../../protocol/index.ts";
import type { ChannelSync } from "./channel-sync.ts";
import type { DebugRecorder } from "./debug-recorder.ts";
import { LongPoller, type LongPollerOptions } from "./long-poller.ts";
import type { LiveTuning } from "./tuning.ts";
import type { Cancel } from "./types.ts";

/** What the fallback hands its long-poller as is. */
type SharedPollerOptions = Pick<LongPollerOptions, "baseUrl" | "channel" | "fetch" | "tickets" | "clock" | "random">;

export interface PollingFallbackOptions extends SharedPollerOptions {
  readonly tuning: LiveTuning;
  readonly sync: ChannelSync;
  readonly debug: DebugRecorder;
  /** Starts one WebSocket attempt; its hello must end polling (stop()), its failure calls probeFailed(). */
  readonly probe: () => void;
  /** The ticket or token was refused: polling has stopped. */
  readonly denied: (message: string) => void;
  readonly changed: () => void;
  readonly log: (text: string) => void;
}

/** The ConnectionStatus fields polling mode decides. */
export interface PollingView {
  readonly phase: "polling" | "reconnecting";
  readonly attempt: number;
  readonly nextRetryAt: number | null;
  readonly message: string;
}

export class PollingFallback {
  readonly #o: PollingFallbackOptions;
  readonly #poller: LongPoller;
  #active = false;
  #reason = "";
  #probeTimer: Cancel | null = null;
  #probeAt: number | null = null;
  /** Failed polls in a row, and the last one's message and next try. */
  #failures = 0;
  #failure: { readonly message: string; readonly retryAt: number } | null = null;

  constructor(options: PollingFallbackOptions) {
    this.#o = options;
    const t = options.tuning;
    this.#poller = new LongPoller({
      baseUrl: options.baseUrl,
      channel: options.channel,
      fetch: options.fetch,
      tickets: options.tickets,
      clock: options.clock,
      random: options.random,
      waitSeconds: t.pollWaitSeconds,
      requestTimeoutMs: t.pollRequestTimeoutMs,
      backoff: t.backoff,
      cursor: () => options.sync.store.cursor,
      onRequest: (url) => options.debug.frame("out", options.clock.now(), `GET ${url.slice(options.baseUrl.length)}`),
      onResponse: (body) => this.#onResponse(body),
      onFailure: (message, retryInMs, unreachable) => this.#onFailure(message, retryInMs, unreachable),
      onDenied: (message) => {
        this.stop();
        options.denied(message);
      },
    });
  }

  get active(): boolean {
    return this.#active;
  }

  get view(): PollingView {
    if (this.#failure) return { phase: "reconnecting", attempt: this.#failures, nextRetryAt: this.#failure.retryAt, message: this.#failure.message };
    return { phase: "polling", attempt: 0, nextRetryAt: this.#probeAt, message: this.#reason };
  }

  /** `reason` is what the connection bar says while polls succeed. */
  start(reason: string): void {
    if (this.#active) return;
    this.#active = true;
    this.#reason = reason;
    this.#failures = 0;
    this.#failure = null;
    this.#poller.start();
    this.#scheduleProbe();
  }

  /** Stops polling (the WebSocket is back, or the channel stopped); a late poll is never applied. */
  stop(): void {
    this.#active = false;
    this.#poller.stop();
    this.cancelProbe();
    this.#failures = 0;
    this.#failure = null;
  }

  /** A WebSocket probe ended without a hello: the next one in 15-30 s. */
  probeFailed(): void {
    if (this.#active) this.#scheduleProbe();
  }

  /** True while a probe waits for its time (none is in flight). */
  get probeScheduled(): boolean {
    return this.#probeTimer !== null;
  }

  /** Probes now instead of at the scheduled time (the browser is online again, the hub is back). */
  probeNow(): void {
    if (!this.#active || !this.#probeTimer) return;
    this.cancelProbe();
    this.#o.probe();
  }

  cancelProbe(): void {
    this.#probeTimer?.();
    this.#probeTimer = null;
    this.#probeAt = null;
  }

  #scheduleProbe(): void {
    this.cancelProbe();
    const { probeMinDelayMs: min, probeMaxDelayMs: max } = this.#o.tuning;
    const delayMs = Math.round(min + this.#o.random() * (max - min));
    this.#probeAt = this.#o.clock.now() + delayMs;
    this.#probeTimer = this.#o.clock.schedule(() => {
      this.#probeTimer = null;
      this.#probeAt = null;
      this.#o.probe();
    }, delayMs);
    this.#o.changed();
  }

  /** Applies one poll; true when caught up, so the next poll may wait on the server. */
  #onResponse(body: DeltasResponse): boolean {
    const { sync, debug, clock } = this.#o;
    const now = clock.now();
    if (body.recovered) {
      debug.frame("in", now, `deltas: ${body.deltas.length} (head ${body.head})`);
      sync.head(body.epoch, body.head);
      for (const delta of body.deltas) {
        const problem = sync.delta(delta);
        if (problem) this.#o.log(problem);
      }
    } else {
      debug.frame("in", now, `deltas: snapshot at seq ${body.snapshot.seq}`);
      sync.snapshot(body.snapshot);
    }
    const pageFull = body.recovered && body.deltas.length >= MAX_DELTAS_PER_RESPONSE;
    const caughtUp = !pageFull && sync.caughtUp;
    if (this.#failure) {
      this.#o.log(`polling works again after ${this.#failures} failed poll(s): probing the WebSocket now`);
      this.#failures = 0;
      this.#failure = null;
      this.probeNow();
    }
    this.#o.changed();
    return caughtUp;
  }

  #onFailure(message: string, retryInMs: number, unreachable: boolean): void {
    this.#failures++;
    const text = unreachable ? `hub unreachable: ${message}` : `polling failed: ${message}`;
    this.#failure = { message: text, retryAt: this.#o.clock.now() + retryInMs };
    this.#o.log(`poll failed (${message}); next poll in ${retryInMs} ms`);
    this.#o.changed();
  }
}
