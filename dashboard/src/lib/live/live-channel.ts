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
 * An attempt without a hello counts towards polling only when the hub is
 * reachable over HTTP (hub-reachability.ts); when it is not, the hub is down
 * (a restart, an outage) and polling would fail just the same: plain backoff.
 *
 * Each socket attempt has a generation: callbacks of an abandoned attempt
 * find it outdated and change nothing.
 */
import { CloseCode, PROTOCOL_VERSION, parseServerFrame, type ChannelState, type ClientFrame, type HelloFrame } from "../../../../protocol/index.ts";
import { classifyAttemptEnd } from "./attempt-outcome.ts";
import { backoffDelayMs } from "./backoff.ts";
import { browserPageEvents, defaultFrameScheduler, systemClock, type PageEvents } from "./browser-defaults.ts";
import { CacheWriter } from "./cache-writer.ts";
import { ChannelSync } from "./channel-sync.ts";
import { DebugRecorder } from "./debug-recorder.ts";
import { FrameNotifier } from "./frame-notifier.ts";
import { Heartbeat } from "./heartbeat.ts";
import { checkHubReachable } from "./hub-reachability.ts";
import { partySocketConnector } from "./partysocket-connector.ts";
import { PollingFallback } from "./polling-fallback.ts";
import { ABNORMAL_CLOSURE, type SocketConnector, type SocketHandle, type SocketQuery } from "./socket-connector.ts";
import type { StateCache } from "./state-cache.ts";
import { TicketRenewal } from "./ticket-renewal.ts";
import type { TicketProvider } from "./tickets.ts";
import { DEFAULT_TUNING, type LiveTuning } from "./tuning.ts";
import type { ActivityEntry, Cancel, Clock, ConnectionStatus, DebugInfo, FrameScheduler, Phase } from "./types.ts";

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
}

const RESYNC_FRAME_TEXT = JSON.stringify({ type: "resync" } satisfies ClientFrame);

export class LiveChannel {
  readonly channel: string;
  readonly #baseUrl: string;
  readonly #tickets: TicketProvider;
  readonly #cache: StateCache | null;
  readonly #connector: SocketConnector;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;
  readonly #page: PageEvents;
  readonly #t: LiveTuning;
  readonly #debug = new DebugRecorder();
  readonly #sync: ChannelSync;
  readonly #notifier: FrameNotifier;
  readonly #cacheWriter: CacheWriter;
  readonly #heartbeat: Heartbeat;
  readonly #renewal: TicketRenewal;
  readonly #fallback: PollingFallback;

  // What the connection bar shows.
  #phase: Phase = "connecting";
  #transport: ConnectionStatus["transport"] = null;
  #backoffAttempt = 0;
  #nextRetryAt: number | null = null;
  #rttMs: number | null = null;
  #message: string | null = null;
  #closeCode: number | null = null;
  #status: ConnectionStatus | null = null;

  #running = false;
  #generation = 0;
  /** Consecutive attempts that ended without a hello while the hub answered HTTP; at tuning.fallbackAfterFailures → polling. */
  #failures = 0;
  readonly #outbox: string[] = [];
  // The current socket attempt.
  #socket: SocketHandle | null = null;
  #hello: HelloFrame | null = null;
  #handshakeDone = false;
  #liveSince: number | null = null;
  #resyncSent = false;
  #queryError: unknown = null;
  #serverError: string | null = null;

  #retryTimer: Cancel | null = null;
  #attemptTimer: Cancel | null = null;
  #resyncTimer: Cancel | null = null;
  #pageCancels: Cancel[] = [];

  constructor(options: LiveChannelOptions) {
    this.channel = options.channel;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#tickets = options.tickets;
    this.#cache = options.cache ?? null;
    this.#connector = options.connector ?? partySocketConnector({ baseUrl: this.#baseUrl, channel: options.channel });
    this.#clock = options.clock ?? systemClock;
    // Called unbound, browsers' fetch throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#random = options.random ?? Math.random;
    this.#page = options.page ?? browserPageEvents();
    this.#t = { ...DEFAULT_TUNING, ...options.tuning };
    this.#sync = new ChannelSync(this.#debug.replays, { log: (text) => this.#log(text), applied: () => this.#cacheWriter.schedule() });
    const scheduleFrame = options.scheduleFrame ?? defaultFrameScheduler();
    this.#notifier = new FrameNotifier(scheduleFrame, (error) =>
      this.#log(`a listener threw: ${error instanceof Error ? error.message : String(error)}`),
    );
    // A diverged state is not what the server had at that seq: never persist it.
    this.#cacheWriter = new CacheWriter(this.#cache, this.channel, this.#clock, this.#t.cacheSaveIntervalMs, () =>
      this.#sync.store.diverged ? null : this.#sync.store.position,
    );
    this.#heartbeat = new Heartbeat({
      clock: this.#clock,
      intervalMs: this.#t.heartbeatIntervalMs,
      pongTimeoutMs: this.#t.pongTimeoutMs,
      scheduleFrame,
      firstPingMaxWaitMs: this.#t.firstPingMaxWaitMs,
      send: (text) => void this.#sendRaw(text),
      onRtt: (ms) => {
        this.#rttMs = ms;
        this.#changed();
      },
      onDead: (silentMs, afterPing) =>
        this.#abandon(`nothing heard for ${Math.round(silentMs / 1000)} s ${afterPing ? "after a ping" : "while catching up"}: the connection is dead`),
    });
    this.#renewal = new TicketRenewal({
      channel: this.channel,
      tickets: this.#tickets,
      clock: this.#clock,
      send: (text) => this.#sendRaw(text),
      onDenied: (message) => this.#terminal("denied", `access denied: ${message}`),
      log: (text) => this.#log(text),
    });
    this.#fallback = new PollingFallback({
      baseUrl: this.#baseUrl,
      channel: this.channel,
      fetch: this.#fetch,
      tickets: this.#tickets,
      clock: this.#clock,
      random: this.#random,
      tuning: this.#t,
      sync: this.#sync,
      debug: this.#debug,
      probe: () => this.#connect(),
      denied: (message) => this.#terminal("denied", `access denied: ${message}`),
      changed: () => this.#changed(),
      log: (text) => this.#log(text),
    });
  }

  // ---- public API ----------------------------------------------------------

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
    this.#message = null;
    this.#backoffAttempt = 0;
    this.#failures = 0;
    this.#connect();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#teardown("stopped");
    for (const cancel of this.#pageCancels) cancel();
    this.#pageCancels = [];
    this.#cacheWriter.saveNow();
    this.#phase = "offline";
    this.#message = "stopped";
    this.#log("stopped");
    this.#changed();
  }

  /** User action (after denied/offline, or to skip a backoff wait): fresh ticket, reconnect now. */
  retry(): void {
    this.#tickets.invalidate(this.channel);
    if (!this.#running) return this.start();
    this.#log("retry requested");
    this.#teardown("retry");
    this.#backoffAttempt = 0;
    this.#failures = 0;
    this.#message = null;
    this.#connect();
  }

  get state(): ChannelState | null {
    return this.#sync.store.state;
  }

  /** While polling, phase/attempt/nextRetryAt/message come from PollingFallback.view (see README "Phases"). */
  get status(): ConnectionStatus {
    if (this.#status) return this.#status;
    const polling = this.#transport === "polling" ? this.#fallback.view : null;
    return (this.#status = {
      phase: polling?.phase ?? this.#phase,
      transport: this.#transport,
      attempt: polling?.attempt ?? (this.#phase === "live" ? 0 : this.#backoffAttempt),
      nextRetryAt: polling ? polling.nextRetryAt : this.#nextRetryAt,
      behind: this.#sync.behind,
      seq: this.#sync.store.seq,
      epoch: this.#sync.store.epoch,
      rttMs: this.#rttMs,
      message: polling?.message ?? this.#message,
      closeCode: this.#closeCode,
    });
  }

  /** Newest first, at most 200; the same array until a delta is applied. */
  get activity(): readonly ActivityEntry[] {
    return this.#sync.activity.entries;
  }

  get debug(): DebugInfo {
    return this.#debug.info(this.#clock.now());
  }

  /** The listener runs at most once per animation frame, after something changed. */
  subscribe(listener: () => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  /** Sent at once when live; otherwise queued (at most tuning.maxQueuedFrames) and sent after the next resume handshake. */
  send(frame: ClientFrame): void {
    const text = JSON.stringify(frame);
    if (this.#handshakeDone && this.#sendRaw(text)) return;
    this.#outbox.push(text);
    if (this.#outbox.length > this.#t.maxQueuedFrames) this.#outbox.shift();
  }

  /** Writes the cache now (also done on pagehide and stop()). */
  saveCache(): void {
    this.#cacheWriter.saveNow();
  }

  // ---- socket attempts -----------------------------------------------------

  #connect(): void {
    this.#cancelTimers();
    this.#resetConnection();
    this.#nextRetryAt = null;
    const generation = ++this.#generation;
    const probing = this.#transport === "polling";
    if (!probing) this.#phase = this.#backoffAttempt === 0 ? "connecting" : "reconnecting";
    this.#log(probing ? "probing the WebSocket" : `connecting${this.#backoffAttempt ? ` (attempt ${this.#backoffAttempt})` : ""}`);
    const current = () => generation === this.#generation;
    const handle = this.#connector.connect(() => this.#query(generation), {
      open: () => current() && this.#onOpen(),
      message: (text) => current() && this.#onMessage(text),
      close: (code, reason) => current() && this.#onClose(code, reason),
    });
    this.#socket = handle;
    this.#attemptTimer = this.#clock.schedule(() => {
      if (current()) this.#abandon(`no hello within ${this.#t.attemptTimeoutMs / 1000} s`);
    }, this.#t.attemptTimeoutMs);
    this.#changed();
  }

  /** Resolved right before each socket is created: the freshest ticket and cursor. */
  async #query(generation: number): Promise<SocketQuery> {
    try {
      const ticket = await this.#tickets.get(this.channel);
      // Read after the await: the last APPLIED seq when the socket is created.
      const cursor = this.#sync.store.cursor;
      return cursor ? { since: String(cursor.seq), epoch: cursor.epoch, ticket } : { ticket };
    } catch (error) {
      if (generation === this.#generation) this.#queryError = error;
      throw error;
    }
  }

  #onOpen(): void {
    // No ping yet: the attempt timer guards the wait for hello, and the heartbeat starts with the handshake's end.
    this.#log("socket open; waiting for hello");
    this.#changed();
  }

  #onMessage(text: string): void {
    this.#debug.frame("in", this.#clock.now(), text);
    this.#heartbeat.heard();
    const frame = parseServerFrame(text);
    if (!frame) {
      this.#log(`ignored an invalid frame: ${text.slice(0, 80)}`);
    } else if (frame.type === "pong") {
      this.#heartbeat.pong();
    } else if (frame.type === "hello") {
      this.#onHello(frame);
    } else if (frame.type === "snapshot") {
      this.#sync.snapshot(frame);
      this.#snapshotArrived();
    } else if (frame.type === "delta") {
      const problem = this.#sync.delta(frame);
      if (problem) this.#requestResync(problem);
      this.#updateProgress();
    } else if (frame.type === "auth-ok") {
      this.#log(`the hub accepted the renewed ticket (valid until ${frame.expiresAt})`);
    } else {
      this.#serverError = frame.message;
      this.#log(`server error ${frame.code}: ${frame.message}`);
    }
    this.#changed();
  }

  #onHello(hello: HelloFrame): void {
    this.#attemptTimer?.();
    this.#attemptTimer = null;
    this.#hello = hello;
    this.#failures = 0;
    if (hello.protocol !== PROTOCOL_VERSION) this.#log(`warning: server protocol ${hello.protocol}, dashboard protocol ${PROTOCOL_VERSION}`);
    if (this.#transport === "polling") {
      // From here on the socket delivers every delta after its `since`; the seq rules drop what polling also brought.
      this.#fallback.stop();
      this.#message = null;
      this.#log("the WebSocket is back: polling stopped");
    }
    this.#transport = "websocket";
    this.#nextRetryAt = null;
    // Silence while the replay or snapshot comes is fatal; pings wait for the end of the handshake.
    this.#heartbeat.watch();
    this.#sync.hello(hello);
    this.#updateProgress();
  }

  #snapshotArrived(): void {
    this.#resyncSent = false;
    this.#resyncTimer?.();
    this.#resyncTimer = null;
    this.#updateProgress();
  }

  /** Asks the server for a snapshot; the state on screen stays the last consistent one meanwhile. */
  #requestResync(reason: string): void {
    this.#log(reason);
    // While polling, the next request's cursor does it (a diverged store sends none → snapshot).
    if (this.#transport !== "websocket" || !this.#hello) return;
    this.#sync.expectSnapshot();
    if (this.#resyncSent) return;
    this.#resyncSent = true;
    this.#debug.replays.resyncs++;
    this.#sendRaw(RESYNC_FRAME_TEXT);
    const generation = this.#generation;
    this.#resyncTimer = this.#clock.schedule(() => {
      if (generation === this.#generation) this.#abandon(`no snapshot ${this.#t.resyncTimeoutMs / 1000} s after resync`);
    }, this.#t.resyncTimeoutMs);
  }

  /** catching-up until the applied seq reaches the head; then live, and the outbox goes out. */
  #updateProgress(): void {
    if (this.#transport !== "websocket" || !this.#hello) return;
    if (!this.#sync.caughtUp) {
      this.#phase = "catching-up";
      return;
    }
    if (this.#phase !== "live") this.#log(`live at seq ${this.#sync.store.seq}`);
    this.#phase = "live";
    this.#message = null;
    if (this.#handshakeDone) return;
    this.#handshakeDone = true;
    this.#liveSince = this.#clock.now();
    this.#heartbeat.startAfterRender();
    this.#renewal.start();
    const queued = this.#outbox.splice(0);
    if (queued.length > 0) this.#log(`sending ${queued.length} queued frame(s)`);
    for (const text of queued) this.#sendRaw(text);
  }

  /** The client gives up on the current socket (a timeout, a dead heartbeat) and handles it like a lost connection. */
  #abandon(reason: string): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, reason.slice(0, 120));
    this.#onClose(ABNORMAL_CLOSURE, reason);
  }

  #onClose(code: number, reason: string): void {
    const hadHello = this.#hello !== null;
    const stable = this.#liveSince !== null && this.#clock.now() - this.#liveSince >= this.#t.stableConnectionMs;
    const queryError = this.#queryError;
    const serverError = this.#serverError;
    this.#generation++;
    this.#socket = null;
    this.#cancelTimers();
    this.#resetConnection();
    this.#closeCode = code;
    this.#log(`socket closed: ${code}${reason ? ` ${reason}` : ""}`);
    if (!this.#running) return;
    const outcome = classifyAttemptEnd({ code, reason, hadHello, queryError, serverError });
    if (outcome.kind === "stop") return this.#terminal(outcome.phase, outcome.message);
    if (this.#fallback.active) {
      this.#log("the WebSocket probe failed; still polling");
      return this.#fallback.probeFailed();
    }
    if (stable) this.#backoffAttempt = 0;
    this.#backoffAttempt++;
    if (outcome.kind === "retry") return this.#scheduleReconnect(code, outcome.message);
    void this.#countIfReachable(code, outcome.message);
  }

  /** An attempt with a ticket in hand got no hello: a blocked WebSocket counts towards polling, a hub that is down does not. */
  async #countIfReachable(code: number, why: string): Promise<void> {
    const generation = this.#generation;
    this.#phase = "reconnecting";
    this.#transport = null;
    this.#message = why;
    this.#nextRetryAt = null;
    this.#log(`${why}; asking the hub over HTTP whether it is up`);
    this.#changed();
    const reachability = await checkHubReachable({ baseUrl: this.#baseUrl, fetch: this.#fetch, clock: this.#clock, timeoutMs: this.#t.reachabilityTimeoutMs });
    // stop(), retry() or an online event started something else meanwhile.
    if (generation !== this.#generation || !this.#running) return;
    if (!reachability.reachable) return this.#scheduleReconnect(code, `hub unreachable: ${reachability.why}`);
    this.#failures++;
    if (this.#failures >= this.#t.fallbackAfterFailures) return this.#startPolling();
    this.#scheduleReconnect(code, `${why} (the hub answers over HTTP: ${this.#failures} of ${this.#t.fallbackAfterFailures} before polling)`);
  }

  /** Waits out the backoff for attempt #backoffAttempt, then connects. */
  #scheduleReconnect(code: number, why: string): void {
    const backoff = code === CloseCode.RATE_LIMITED ? { ...this.#t.backoff, minWindowMs: this.#t.rateLimitedMinWindowMs } : this.#t.backoff;
    const delayMs = backoffDelayMs(this.#backoffAttempt, backoff, this.#random);
    this.#phase = "reconnecting";
    this.#transport = null;
    this.#message = why;
    this.#nextRetryAt = this.#clock.now() + delayMs;
    this.#log(`${why}; reconnecting in ${delayMs} ms (attempt ${this.#backoffAttempt})`);
    this.#retryTimer = this.#clock.schedule(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delayMs);
    this.#changed();
  }

  #startPolling(): void {
    const reason = `the WebSocket failed ${this.#failures} times in a row: polling instead`;
    this.#log(reason);
    this.#transport = "polling";
    this.#nextRetryAt = null;
    this.#message = null;
    this.#fallback.start(reason);
    this.#changed();
  }

  // ---- plumbing ------------------------------------------------------------

  #sendRaw(text: string): boolean {
    const sent = this.#socket?.send(text) ?? false;
    if (sent) this.#debug.frame("out", this.#clock.now(), text);
    return sent;
  }

  #resetConnection(): void {
    this.#heartbeat.stop();
    this.#renewal.stop();
    this.#sync.connectionEnded();
    this.#hello = null;
    this.#handshakeDone = false;
    this.#liveSince = null;
    this.#resyncSent = false;
    this.#queryError = null;
    this.#serverError = null;
  }

  #cancelTimers(): void {
    for (const cancel of [this.#retryTimer, this.#attemptTimer, this.#resyncTimer]) cancel?.();
    this.#retryTimer = this.#attemptTimer = this.#resyncTimer = null;
    this.#fallback.cancelProbe();
  }

  /** Ends the socket and the poller; nothing of theirs can fire afterwards. */
  #teardown(reason: string): void {
    this.#generation++;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, reason);
    this.#fallback.stop();
    this.#cancelTimers();
    this.#resetConnection();
    this.#transport = null;
    this.#nextRetryAt = null;
  }

  #terminal(phase: "denied" | "offline", message: string): void {
    this.#teardown(phase);
    this.#phase = phase;
    this.#message = message;
    this.#log(`${phase}: ${message} (waiting for retry())`);
    this.#cacheWriter.saveNow();
    this.#changed();
  }

  #onOnline(): void {
    if (!this.#running) return;
    if (this.#fallback.probeScheduled) {
      this.#log("the browser is online again: probing the WebSocket now");
      return this.#fallback.probeNow();
    }
    if (!this.#retryTimer) return;
    this.#log("the browser is online again: connecting now");
    this.#connect();
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
