/**
 * One WebSocket attempt and everything that lives exactly as long as it: the
 * socket, the wait for hello, the heartbeat, in-band ticket renewal and the
 * resync timer. LiveChannel's connecting and live states (and the polling
 * state's probe) each hold one; close() ends all of it at once, and no
 * callback of a closed session reaches LiveChannel.
 */
import { PROTOCOL_VERSION, deltasOf, parseServerFrame, type ClientFrame, type HelloFrame } from "../../../../protocol/index.ts";
import type { AttemptEnd } from "./attempt-outcome.ts";
import type { ChannelSync } from "./channel-sync.ts";
import type { DebugRecorder } from "./debug-recorder.ts";
import { Heartbeat } from "./heartbeat.ts";
import { TicketRenewal } from "./ticket-renewal.ts";
import type { TicketProvider } from "./tickets.ts";
import type { LiveTuning } from "./tuning.ts";
import { ABNORMAL_CLOSURE, type Cancel, type Clock, type FrameScheduler, type SocketConnector, type SocketHandle, type SocketQuery } from "./types.ts";

/** What a session tells LiveChannel. */
export interface SessionHooks {
  /** The hello arrived: the WebSocket path works. */
  hello(session: SocketSession): void;
  /** The resume handshake is complete (hello, then the replay or snapshot applied). */
  caughtUp(session: SocketSession): void;
  /** The socket ended by itself or was given up on; `stable`: it had been live long enough to reset the backoff. */
  ended(session: SocketSession, end: AttemptEnd, stable: boolean): void;
  /** Ticket renewal found the dashboard token refused. */
  denied(message: string): void;
  rtt(rttMs: number): void;
  changed(): void;
  log(text: string): void;
}

export interface SessionContext {
  readonly channel: string;
  readonly tickets: TicketProvider;
  readonly connector: SocketConnector;
  readonly clock: Clock;
  readonly scheduleFrame: FrameScheduler;
  readonly tuning: LiveTuning;
  readonly sync: ChannelSync;
  readonly debug: DebugRecorder;
  readonly hooks: SessionHooks;
}

const RESYNC_FRAME_TEXT = JSON.stringify({ type: "resync" } satisfies ClientFrame);

export class SocketSession {
  readonly #c: SessionContext;
  readonly #socket: SocketHandle;
  readonly #heartbeat: Heartbeat;
  readonly #renewal: TicketRenewal;
  #attemptTimer: Cancel | null;
  #resyncTimer: Cancel | null = null;
  #hello: HelloFrame | null = null;
  #caughtUp = false;
  /** Set when the handshake completed. */
  #liveSinceMs: number | null = null;
  #queryError: unknown = null;
  #serverError: string | null = null;
  #closed = false;

  constructor(context: SessionContext) {
    const c = (this.#c = context);
    const t = c.tuning;
    this.#heartbeat = new Heartbeat({
      clock: c.clock,
      intervalMs: t.heartbeatIntervalMs,
      pongTimeoutMs: t.pongTimeoutMs,
      scheduleFrame: c.scheduleFrame,
      firstPingMaxWaitMs: t.firstPingMaxWaitMs,
      send: (text) => void this.send(text),
      onRtt: (rttMs) => c.hooks.rtt(rttMs),
      onDead: (silentMs, afterPing) =>
        this.#abandon(`nothing heard for ${Math.round(silentMs / 1000)} s ${afterPing ? "after a ping" : "while catching up"}: the connection is dead`),
    });
    this.#renewal = new TicketRenewal({ channel: c.channel, tickets: c.tickets, clock: c.clock, send: (text) => this.send(text), onDenied: c.hooks.denied, log: c.hooks.log });
    this.#socket = c.connector.connect(() => this.#query(), {
      open: () => this.#closed || this.#onOpen(),
      message: (text) => this.#closed || this.#onMessage(text),
      close: (code, reason) => this.#end(code, reason),
    });
    this.#attemptTimer = c.clock.schedule(() => this.#abandon(`no hello within ${t.attemptTimeoutMs / 1000} s`), t.attemptTimeoutMs);
  }

  get hadHello(): boolean {
    return this.#hello !== null;
  }

  /** Sends on the socket when it is open; false otherwise. */
  send(text: string): boolean {
    const sent = this.#socket.send(text);
    if (sent) this.#c.debug.frame("out", this.#c.clock.now(), text);
    return sent;
  }

  /** Ends the attempt from the client's side; `reason` goes into the close frame. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#release();
    this.#socket.close(1000, reason);
  }

  /** Resolved right before the socket is created: the freshest ticket and cursor. */
  async #query(): Promise<SocketQuery> {
    try {
      const ticket = await this.#c.tickets.get(this.#c.channel);
      // Read after the await: the last APPLIED seq when the socket is created.
      const cursor = this.#c.sync.store.cursor;
      return cursor ? { since: String(cursor.seq), epoch: cursor.epoch, ticket } : { ticket };
    } catch (error) {
      if (!this.#closed) this.#queryError = error;
      throw error;
    }
  }

  #onOpen(): void {
    // No ping yet: the attempt timer guards the wait for hello, and the heartbeat starts with the handshake's end.
    this.#c.hooks.log("socket open; waiting for hello");
    this.#c.hooks.changed();
  }

  #onMessage(text: string): void {
    const { sync, hooks } = this.#c;
    this.#c.debug.frame("in", this.#c.clock.now(), text);
    this.#heartbeat.heard();
    const frame = parseServerFrame(text);
    if (!frame) {
      hooks.log(`ignored an invalid frame: ${text.slice(0, 80)}`);
    } else if (frame.type === "pong") {
      this.#heartbeat.pong();
    } else if (frame.type === "hello") {
      this.#onHello(frame);
    } else if (frame.type === "snapshot") {
      sync.snapshot(frame);
      this.#resyncTimer?.();
      this.#resyncTimer = null;
      this.#progress();
    } else if (frame.type === "delta" || frame.type === "deltas") {
      // A batch is one update: applied in order, stopping at a gap, then one notify below.
      const problem = sync.deltas(deltasOf(frame));
      if (problem) this.#requestResync(problem);
      this.#progress();
    } else if (frame.type === "auth-ok") {
      hooks.log(`the hub accepted the renewed ticket (valid until ${frame.expiresAt})`);
    } else {
      this.#serverError = frame.message;
      hooks.log(`server error ${frame.code}: ${frame.message}`);
    }
    hooks.changed();
  }

  #onHello(hello: HelloFrame): void {
    this.#attemptTimer?.();
    this.#attemptTimer = null;
    this.#hello = hello;
    if (hello.protocol !== PROTOCOL_VERSION) this.#c.hooks.log(`warning: server protocol ${hello.protocol}, dashboard protocol ${PROTOCOL_VERSION}`);
    this.#c.hooks.hello(this);
    // Silence while the replay or snapshot comes is fatal; pings wait for the end of the handshake.
    this.#heartbeat.watch();
    this.#c.sync.hello(hello);
    this.#progress();
  }

  /** Asks the server for a snapshot; the state on screen stays the last consistent one meanwhile. */
  #requestResync(reason: string): void {
    this.#c.hooks.log(reason);
    if (!this.#hello) return;
    this.#c.sync.expectSnapshot();
    if (this.#resyncTimer) return;
    this.#c.debug.replays.resyncs++;
    this.send(RESYNC_FRAME_TEXT);
    const timeoutMs = this.#c.tuning.resyncTimeoutMs;
    this.#resyncTimer = this.#c.clock.schedule(() => this.#abandon(`no snapshot ${timeoutMs / 1000} s after resync`), timeoutMs);
  }

  /** catching-up until the applied seq reaches the head; the first time it does, the handshake is complete. */
  #progress(): void {
    if (!this.#hello) return;
    const caughtUp = this.#c.sync.caughtUp;
    if (caughtUp && !this.#caughtUp) this.#c.hooks.log(`live at seq ${this.#c.sync.store.seq}`);
    this.#caughtUp = caughtUp;
    if (!caughtUp || this.#liveSinceMs !== null) return;
    this.#liveSinceMs = this.#c.clock.now();
    this.#heartbeat.startAfterRender();
    this.#renewal.start();
    this.#c.hooks.caughtUp(this);
  }

  /** The client gives up on the socket (a timeout, a dead heartbeat) and handles it like a lost connection. */
  #abandon(reason: string): void {
    if (this.#closed) return;
    this.#socket.close(1000, reason.slice(0, 120));
    this.#end(ABNORMAL_CLOSURE, reason);
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    const end: AttemptEnd = { code, reason, hadHello: this.#hello !== null, queryError: this.#queryError, serverError: this.#serverError };
    const stable = this.#liveSinceMs !== null && this.#c.clock.now() - this.#liveSinceMs >= this.#c.tuning.stableConnectionMs;
    this.#release();
    this.#c.hooks.ended(this, end, stable);
  }

  #release(): void {
    this.#closed = true;
    this.#attemptTimer?.();
    this.#resyncTimer?.();
    this.#attemptTimer = this.#resyncTimer = null;
    this.#heartbeat.stop();
    this.#renewal.stop();
    // What the connection promised (a snapshot after hello or resync) no longer comes.
    this.#c.sync.connectionEnded();
  }
}
