/**
 * One channel, live: a connection state machine over a SocketConnector
 * (partysocket in browsers) feeding a ChannelSync (snapshot, then deltas in
 * seq order), a long-polling fallback, a local cache, and at most one UI
 * notification per animation frame.
 *
 *   connecting ─(hello)─▶ catching-up ─(applied seq = head)─▶ live
 *        ▲                                                      │ close, dead heartbeat, timeout
 *        └────── reconnecting (full-jitter backoff) ◀───────────┘
 *   reconnecting ─(N attempts without a hello)─▶ polling ─(a probe's hello)─▶ catching-up
 *   4001/4003, ticket 401, poll 401/403 ─▶ denied;  4400 ─▶ offline;  both wait for retry()
 *
 * Each socket attempt has a generation: callbacks of an abandoned attempt
 * find it outdated and change nothing.
 */
import {
  CloseCode,
  MAX_DELTAS_PER_RESPONSE,
  PROTOCOL_VERSION,
  isRetryableClose,
  parseServerFrame,
  type ChannelState,
  type ClientFrame,
  type DeltasResponse,
  type HelloFrame,
} from "../../../../protocol/index.ts";
import { backoffDelayMs } from "./backoff.ts";
import { browserPageEvents, defaultFrameScheduler, systemClock, type PageEvents } from "./browser-defaults.ts";
import { CacheWriter } from "./cache-writer.ts";
import { ChannelSync } from "./channel-sync.ts";
import { describeRetryableClose, describeTerminalClose } from "./close-reasons.ts";
import { DebugRecorder } from "./debug-recorder.ts";
import { FrameNotifier } from "./frame-notifier.ts";
import { Heartbeat } from "./heartbeat.ts";
import { LongPoller } from "./long-poller.ts";
import { partySocketConnector } from "./partysocket-connector.ts";
import { ABNORMAL_CLOSURE, type SocketConnector, type SocketHandle, type SocketQuery } from "./socket-connector.ts";
import type { StateCache } from "./state-cache.ts";
import { TicketDeniedError, type TicketProvider } from "./tickets.ts";
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
  /** For the polling fallback. Default: globalThis.fetch. */
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
  readonly #random: () => number;
  readonly #page: PageEvents;
  readonly #t: LiveTuning;
  readonly #debug = new DebugRecorder();
  readonly #sync: ChannelSync;
  readonly #notifier: FrameNotifier;
  readonly #cacheWriter: CacheWriter;
  readonly #heartbeat: Heartbeat;
  readonly #poller: LongPoller;

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
  /** Consecutive attempts that ended without a hello; at tuning.fallbackAfterFailures → polling. */
  #failures = 0;
  #pollingReason = "";
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
  #probeTimer: Cancel | null = null;
  #pageCancels: Cancel[] = [];

  constructor(options: LiveChannelOptions) {
    this.channel = options.channel;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#tickets = options.tickets;
    this.#cache = options.cache ?? null;
    this.#connector = options.connector ?? partySocketConnector({ baseUrl: this.#baseUrl, channel: options.channel });
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#page = options.page ?? browserPageEvents();
    this.#t = { ...DEFAULT_TUNING, ...options.tuning };
    this.#sync = new ChannelSync(this.#debug.replays, { log: (text) => this.#log(text), applied: () => this.#cacheWriter.schedule() });
    this.#notifier = new FrameNotifier(options.scheduleFrame ?? defaultFrameScheduler(), (error) =>
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
      send: (text) => void this.#sendRaw(text),
      onRtt: (ms) => {
        this.#rttMs = ms;
        this.#changed();
      },
      onDead: (silentMs) => this.#abandon(`nothing heard for ${Math.round(silentMs / 1000)} s after a ping: the connection is dead`),
    });
    this.#poller = new LongPoller({
      baseUrl: this.#baseUrl,
      channel: this.channel,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      tickets: this.#tickets,
      clock: this.#clock,
      random: this.#random,
      waitSeconds: this.#t.pollWaitSeconds,
      requestTimeoutMs: this.#t.pollRequestTimeoutMs,
      backoff: this.#t.backoff,
      cursor: () => this.#sync.store.cursor,
      onRequest: (url) => this.#debug.frame("out", this.#clock.now(), `GET ${url.slice(this.#baseUrl.length)}`),
      onResponse: (body) => this.#onPollResponse(body),
      onFailure: (message, retryInMs) => {
        this.#message = `polling failed: ${message}`;
        this.#log(`poll failed (${message}); next poll in ${retryInMs} ms`);
        this.#changed();
      },
      onDenied: (message) => this.#terminal("denied", `access denied: ${message}`),
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

  get status(): ConnectionStatus {
    return (this.#status ??= {
      phase: this.#phase,
      transport: this.#transport,
      attempt: this.#phase === "live" ? 0 : this.#backoffAttempt,
      nextRetryAt: this.#nextRetryAt,
      behind: this.#sync.behind,
      seq: this.#sync.store.seq,
      epoch: this.#sync.store.epoch,
      rttMs: this.#rttMs,
      message: this.#message,
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
    this.#log("socket open; waiting for hello");
    this.#heartbeat.start();
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
      this.#poller.stop();
      this.#log("the WebSocket is back: polling stopped");
    }
    this.#transport = "websocket";
    this.#nextRetryAt = null;
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
    if (queryError instanceof TicketDeniedError) return this.#terminal("denied", `access denied: ${queryError.message}`);
    if (!isRetryableClose(code)) {
      const { phase, message } = describeTerminalClose(code, reason, serverError);
      return this.#terminal(phase, message);
    }
    if (this.#transport === "polling") {
      this.#log("the WebSocket probe failed; still polling");
      return this.#scheduleProbe();
    }
    if (!hadHello) this.#failures++;
    if (stable) this.#backoffAttempt = 0;
    if (this.#failures >= this.#t.fallbackAfterFailures) return this.#startPolling();
    this.#scheduleReconnect(code, describeRetryableClose(code, reason, serverError, queryError));
  }

  #scheduleReconnect(code: number, why: string): void {
    this.#backoffAttempt++;
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

  // ---- polling fallback ----------------------------------------------------

  #startPolling(): void {
    this.#transport = "polling";
    this.#phase = "polling";
    this.#pollingReason = `the WebSocket failed ${this.#failures} times in a row: polling instead`;
    this.#message = this.#pollingReason;
    this.#log(this.#pollingReason);
    this.#poller.start();
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    const { probeMinDelayMs: min, probeMaxDelayMs: max } = this.#t;
    const delayMs = Math.round(min + this.#random() * (max - min));
    this.#nextRetryAt = this.#clock.now() + delayMs;
    this.#probeTimer = this.#clock.schedule(() => {
      this.#probeTimer = null;
      this.#connect();
    }, delayMs);
    this.#changed();
  }

  /** Applies one poll; true when caught up, so the next poll may wait on the server. */
  #onPollResponse(body: DeltasResponse): boolean {
    const now = this.#clock.now();
    if (body.recovered) {
      this.#debug.frame("in", now, `deltas: ${body.deltas.length} (head ${body.head})`);
      this.#sync.head(body.epoch, body.head);
      for (const delta of body.deltas) {
        const problem = this.#sync.delta(delta);
        if (problem) this.#log(problem);
      }
    } else {
      this.#debug.frame("in", now, `deltas: snapshot at seq ${body.snapshot.seq}`);
      this.#sync.snapshot(body.snapshot);
    }
    if (this.#transport === "polling") this.#message = this.#pollingReason;
    this.#changed();
    const pageFull = body.recovered && body.deltas.length >= MAX_DELTAS_PER_RESPONSE;
    return !pageFull && this.#sync.caughtUp;
  }

  // ---- plumbing ------------------------------------------------------------

  #sendRaw(text: string): boolean {
    const sent = this.#socket?.send(text) ?? false;
    if (sent) this.#debug.frame("out", this.#clock.now(), text);
    return sent;
  }

  #resetConnection(): void {
    this.#heartbeat.stop();
    this.#sync.connectionEnded();
    this.#hello = null;
    this.#handshakeDone = false;
    this.#liveSince = null;
    this.#resyncSent = false;
    this.#queryError = null;
    this.#serverError = null;
  }

  #cancelTimers(): void {
    for (const cancel of [this.#retryTimer, this.#attemptTimer, this.#resyncTimer, this.#probeTimer]) cancel?.();
    this.#retryTimer = this.#attemptTimer = this.#resyncTimer = this.#probeTimer = null;
  }

  /** Ends the socket and the poller; nothing of theirs can fire afterwards. */
  #teardown(reason: string): void {
    this.#generation++;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, reason);
    this.#poller.stop();
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
    if (!this.#running || (!this.#retryTimer && !this.#probeTimer)) return;
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
