/**
 * One channel, live: a connection state machine over a SocketConnector
 * (partysocket in browsers) feeding a ChannelSync (snapshot, then deltas in
 * seq order), a long-polling fallback, a local cache, and at most one UI
 * notification per animation frame.
 *
 *   connecting ─(hello)─▶ catching-up ─(applied seq = head)─▶ live
 *        ▲                                                      │ close, dead heartbeat, timeout
 *        └────── reconnecting (full-jitter backoff) ◀───────────┘
 *   reconnecting ─(N attempts without a hello, the hub answering HTTP)─▶ polling ─(a probe's hello)─▶ catching-up
 *   4001/4003, ticket 401, poll 401/403 ─▶ denied;  4400 ─▶ offline;  both wait for retry()
 *
 * Each state (connection-state.ts) holds its own resources: connecting and
 * live a SocketSession (socket, attempt timer, heartbeat, ticket renewal,
 * resync timer), reconnecting its retry timer, polling its long-poller and
 * WebSocket probe. #enter() releases the previous state's before the next
 * one counts, so nothing of a state that is over can act on the next.
 *
 * An attempt without a hello counts towards polling only when the hub is
 * reachable over HTTP (checkHubReachable); when it is not, the hub is down
 * (a restart, an outage) and polling would fail just the same: plain backoff.
 */
import { CloseCode, backoffDelayMs, trimBaseUrl, type ChannelState, type ClientFrame } from "../../../../protocol/index.ts";
import { checkHubReachable, classifyAttemptEnd, type AttemptEnd } from "./attempt-outcome.ts";
import { browserPageEvents, defaultFrameScheduler, systemClock } from "./browser-defaults.ts";
import { ChannelSync } from "./channel-sync.ts";
import { release, sessionOf, statusOf, type ConnectionState } from "./connection-state.ts";
import { DebugRecorder } from "./debug-recorder.ts";
import { FrameNotifier } from "./frame-notifier.ts";
import { partySocketConnector } from "./partysocket-connector.ts";
import { PollingState, type PollingContext } from "./polling-state.ts";
import { SocketSession, type SessionContext } from "./socket-session.ts";
import { CacheWriter, type StateCache } from "./state-cache.ts";
import type { TicketProvider } from "./tickets.ts";
import { DEFAULT_TUNING, type LiveTuning } from "./tuning.ts";
import type { ActivityEntry, Cancel, Clock, ConnectionStatus, DebugInfo, FrameScheduler, LiveChannelOptions, PageEvents } from "./types.ts";

export class LiveChannel {
  readonly channel: string;
  readonly #baseUrl: string;
  readonly #tickets: TicketProvider;
  readonly #cache: StateCache | null;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;
  readonly #page: PageEvents;
  readonly #scheduleFrame: FrameScheduler;
  readonly #t: LiveTuning;
  readonly #debug = new DebugRecorder();
  readonly #sync: ChannelSync;
  readonly #cacheWriter: CacheWriter;
  readonly #sessionContext: SessionContext;
  readonly #pollingContext: PollingContext;
  readonly #notifier: FrameNotifier;
  readonly #outbox: string[] = [];

  /** null until start(). */
  #state: ConnectionState | null = null;
  #running = false;
  /** The backoff attempt; reset when a connection stayed live long enough. */
  #attempt = 0;
  /** Consecutive attempts that ended without a hello while the hub answered HTTP; at tuning.fallbackAfterFailures → polling. */
  #blockedAttempts = 0;
  #rttMs: number | null = null;
  #closeCode: number | null = null;
  #status: ConnectionStatus | null = null;
  #pageCancels: Cancel[] = [];

  constructor(options: LiveChannelOptions) {
    this.channel = options.channel;
    this.#baseUrl = trimBaseUrl(options.baseUrl);
    this.#tickets = options.tickets;
    this.#cache = options.cache ?? null;
    this.#clock = options.clock ?? systemClock;
    // Called unbound, browsers' fetch throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#random = options.random ?? Math.random;
    this.#page = options.page ?? browserPageEvents();
    this.#scheduleFrame = options.scheduleFrame ?? defaultFrameScheduler();
    this.#notifier = new FrameNotifier(this.#scheduleFrame, (text) => this.#log(text));
    this.#t = { ...DEFAULT_TUNING, ...options.tuning };
    this.#sync = new ChannelSync(this.#debug.replays, { log: (text) => this.#log(text), applied: () => this.#cacheWriter.schedule(), ...(options.relay && { relay: options.relay }) }, options.seed);
    // A diverged state is not what the server had at that seq: never persist it.
    this.#cacheWriter = new CacheWriter(this.#cache, this.channel, this.#clock, this.#t.cacheSaveIntervalMs, () =>
      this.#sync.store.diverged ? null : this.#sync.store.position,
    );
    const shared = { channel: this.channel, tickets: this.#tickets, clock: this.#clock, tuning: this.#t, sync: this.#sync, debug: this.#debug };
    const hooks = { changed: () => this.#changed(), log: (text: string) => this.#log(text) };
    const denied = (message: string) => this.#terminal("denied", `access denied: ${message}`);
    this.#sessionContext = {
      ...shared,
      connector: options.connector ?? partySocketConnector({ baseUrl: this.#baseUrl, channel: options.channel }),
      scheduleFrame: this.#scheduleFrame,
      hooks: {
        ...hooks,
        denied,
        rtt: (rttMs) => {
          this.#rttMs = rttMs;
          this.#changed();
        },
        hello: (session) => this.#onHello(session),
        caughtUp: (session) => this.#onCaughtUp(session),
        ended: (session, end, stable) => this.#onEnded(session, end, stable),
      },
    };
    this.#pollingContext = { ...shared, ...hooks, denied, baseUrl: this.#baseUrl, fetch: this.#fetch, random: this.#random, openProbe: () => this.#openProbe() };
  }

  /** Paints the cached state at once (if any), then connects. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#log("start");
    const cached = this.#sync.store.state ? null : this.#cache?.load(this.channel);
    if (cached && this.#sync.store.applySnapshot(cached)) {
      this.#cacheWriter.loaded(cached);
      this.#log(`painted the cached state (seq ${cached.seq})`);
    }
    this.#pageCancels = [this.#page.onHide(() => this.#cacheWriter.saveNow()), this.#page.onOnline(() => this.#onOnline())];
    this.#attempt = this.#blockedAttempts = 0;
    this.#connect(null, "start");
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#enter({ kind: "offline", message: "stopped" }, "stopped");
    for (const cancel of this.#pageCancels) cancel();
    this.#pageCancels = [];
    this.#cacheWriter.saveNow();
    this.#log("stopped");
  }

  /** User action (after denied/offline, or to skip a backoff wait): fresh ticket, reconnect now. */
  retry(): void {
    this.#tickets.invalidate(this.channel);
    if (!this.#running) return this.start();
    this.#log("retry requested");
    this.#attempt = this.#blockedAttempts = 0;
    this.#connect(null, "retry");
  }

  get state(): ChannelState | null {
    return this.#sync.store.state;
  }

  /** While polling, phase/attempt/nextRetryAtMs/message come from the polling state (see README "Phases"). */
  get status(): ConnectionStatus {
    return (this.#status ??= statusOf(this.#state, this.#sync, { attempt: this.#attempt, rttMs: this.#rttMs, closeCode: this.#closeCode }));
  }

  /** Newest first, at most 200; the same array until a delta is applied. */
  get activity(): readonly ActivityEntry[] {
    return this.#sync.activity.entries;
  }

  get debug(): DebugInfo {
    return this.#debug.info(this.#clock.now());
  }

  /** The listener runs at most once per animation frame, after something changed: 500 deltas/s cost one render per frame. */
  subscribe(listener: () => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  /** Sent at once when live; otherwise queued (at most tuning.maxQueuedFrames) and sent after the next resume handshake. */
  send(frame: ClientFrame): void {
    const text = JSON.stringify(frame);
    if (this.#state?.kind === "live" && this.#state.session.send(text)) return;
    this.#outbox.push(text);
    if (this.#outbox.length > this.#t.maxQueuedFrames) this.#outbox.shift();
  }

  /** Writes the cache now (also done on pagehide and stop()). */
  saveCache(): void {
    this.#cacheWriter.saveNow();
  }

  /** The one way to change state: what the previous state holds and the next does not take over is released first. */
  #enter(next: ConnectionState, closeReason: string = next.kind): void {
    const previous = this.#state;
    this.#state = next;
    if (previous) release(previous, next, closeReason);
    this.#changed();
  }

  #connect(message: string | null, closeReason: string): void {
    this.#log(`connecting${this.#attempt ? ` (attempt ${this.#attempt})` : ""}`);
    this.#enter({ kind: "connecting", session: new SocketSession(this.#sessionContext), message }, closeReason);
  }

  #openProbe(): SocketSession {
    this.#log("probing the WebSocket");
    this.#changed();
    return new SocketSession(this.#sessionContext);
  }

  #onHello(session: SocketSession): void {
    this.#blockedAttempts = 0;
    if (this.#state?.kind !== "polling" || this.#state.probe !== session) return;
    // From here on the socket delivers every delta after its `since`; the seq rules drop what polling also brought.
    this.#log("the WebSocket is back: polling stopped");
    this.#enter({ kind: "connecting", session, message: null });
  }

  /** The handshake is complete: live, and the outbox goes out. */
  #onCaughtUp(session: SocketSession): void {
    if (this.#state?.kind !== "connecting" || this.#state.session !== session) return;
    this.#enter({ kind: "live", session });
    const queued = this.#outbox.splice(0);
    if (queued.length > 0) this.#log(`sending ${queued.length} queued frame(s)`);
    for (const text of queued) session.send(text);
  }

  #onEnded(session: SocketSession, end: AttemptEnd, stable: boolean): void {
    if (sessionOf(this.#state) !== session) return;
    this.#closeCode = end.code;
    this.#log(`socket closed: ${end.code}${end.reason ? ` ${end.reason}` : ""}`);
    // The hub's state is gone: the screen and the cache forget it now, not at the next hello.
    if (end.code === CloseCode.CHANNEL_DELETED) this.#sync.dropState();
    const outcome = classifyAttemptEnd(end);
    if (outcome.kind === "stop") return this.#terminal(outcome.phase, outcome.message);
    if (this.#state?.kind === "polling") {
      this.#log("the WebSocket probe failed; still polling");
      return this.#state.probeFailed();
    }
    if (stable) this.#attempt = 0;
    this.#attempt++;
    if (outcome.kind === "retry") return this.#scheduleReconnect(end.code, outcome.message);
    void this.#countIfReachable(end.code, outcome.message);
  }

  /** An attempt with a ticket in hand got no hello: a blocked WebSocket counts towards polling, a hub that is down does not. */
  async #countIfReachable(code: number, why: string): Promise<void> {
    const checking: ConnectionState = { kind: "reconnecting", message: why, retryAtMs: null, retryTimer: null };
    this.#log(`${why}; asking the hub over HTTP whether it is up`);
    this.#enter(checking);
    const reachability = await checkHubReachable({ baseUrl: this.#baseUrl, fetch: this.#fetch, clock: this.#clock, timeoutMs: this.#t.reachabilityTimeoutMs });
    // stop() or retry() started something else meanwhile.
    if (this.#state !== checking) return;
    if (!reachability.reachable) return this.#scheduleReconnect(code, `hub unreachable: ${reachability.why}`);
    const limit = this.#t.fallbackAfterFailures;
    if (++this.#blockedAttempts >= limit) return this.#startPolling();
    this.#scheduleReconnect(code, `${why} (the hub answers over HTTP: ${this.#blockedAttempts} of ${limit} before polling)`);
  }

  /** Waits out the backoff for the current attempt, then connects. */
  #scheduleReconnect(code: number, why: string): void {
    const policy = code === CloseCode.RATE_LIMITED ? { ...this.#t.backoff, minWindowMs: this.#t.rateLimitedMinWindowMs } : this.#t.backoff;
    const delayMs = backoffDelayMs(this.#attempt, policy, this.#random);
    this.#log(`${why}; reconnecting in ${delayMs} ms (attempt ${this.#attempt})`);
    const retryTimer = this.#clock.schedule(() => this.#connect(why, "reconnecting"), delayMs);
    this.#enter({ kind: "reconnecting", message: why, retryAtMs: this.#clock.now() + delayMs, retryTimer });
  }

  #startPolling(): void {
    const reason = `the WebSocket failed ${this.#blockedAttempts} times in a row: polling instead`;
    this.#log(reason);
    this.#enter(new PollingState(this.#pollingContext, reason));
  }

  #terminal(phase: "denied" | "offline", message: string): void {
    this.#log(`${phase}: ${message} (waiting for retry())`);
    this.#enter({ kind: phase, message });
    this.#cacheWriter.saveNow();
  }

  #onOnline(): void {
    const state = this.#running ? this.#state : null;
    if (state?.kind === "polling" && state.probeScheduled) {
      this.#log("the browser is online again: probing the WebSocket now");
      state.probeNow();
    } else if (state?.kind === "reconnecting" && state.retryTimer) {
      this.#log("the browser is online again: connecting now");
      this.#connect(state.message, "online");
    }
  }

  #log(text: string): void {
    this.#debug.log(this.#clock.now(), text);
  }

  /** Marks the status stale and asks for one notification at the next frame. */
  #changed(): void {
    this.#status = null;
    this.#notifier.changed();
  }
}
