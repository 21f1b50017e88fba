/**
 * The Durable Object of one channel: a thin adapter from the platform
 * (RPC, hibernatable WebSockets, alarms, SQLite) to ChannelCore.
 *
 * Ordering: the object runs one event at a time and every storage call is
 * synchronous, so a connecting socket's replay (read from the log) and the
 * broadcast of new deltas can never interleave: no gap, no duplicate.
 * Write before broadcast: deltas are committed before any socket sees them,
 * and the runtime's output gate holds sends until the write is durable.
 */
import { DurableObject } from "cloudflare:workers";
import * as v from "valibot";
import {
  ClientFrameSchema,
  CloseCode,
  ErrorCode,
  MAX_DELTAS_PER_RESPONSE,
  PING_FRAME_TEXT,
  PONG_FRAME_TEXT,
  PROTOCOL_VERSION,
  type AuthOkFrame,
  type ChannelMetrics,
  type ErrorFrame,
  type HelloFrame,
  type HubEvent,
  type SnapshotFrame,
  type WebhookAccepted,
} from "../../protocol/index.ts";
import { authorizeViewer } from "../auth/viewer-auth.ts";
import { readConfig, type HubConfig } from "../config.ts";
import type { ChannelReport } from "../directory/directory-object.ts";
import { directoryStub } from "../directory/directory-stub.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import { ChannelCore } from "./channel-core.ts";
import { FORWARD_HEADER_TICKET_EXP } from "./channel-stub.ts";
import { DirectoryReporter } from "./directory-reporter.ts";
import { LatencyWindow } from "./latency-window.ts";
import { refuseSocket } from "./refuse-socket.ts";
import { parseResumeRequest, type ReplayPlan, type ResumeRequest } from "./replay-planner.ts";
import { readAttachment, type SocketAttachment } from "./socket-attachment.ts";
import { SocketPolicy } from "./socket-policy.ts";
import { SqliteChannelStorage } from "./sqlite-storage.ts";
import type { StoredDelta } from "./storage.ts";
import { taskHistoryPage, type TaskHistoryQuery } from "./task-history.ts";

const VIEWER_TAG = "viewer";
/** Claims with an expiry past this (unix seconds, year 5138) are the dashboard token's: they never expire. */
const NEVER_EXPIRES_SECONDS = 1e11;
const utf8 = new TextEncoder();
/** Close codes a peer may report but no endpoint may send. */
const RESERVED_CLOSE_CODES: ReadonlySet<number> = new Set([1005, 1006, 1015]);

export class ChannelObject extends DurableObject<Env> {
  /** The channel this object owns: the name it is reached by (idFromName). */
  readonly #channel: string;
  readonly #config: HubConfig;
  /** Replaced by destroy(): the state of a deleted channel must not outlive its storage. */
  #storage: SqliteChannelStorage;
  #core: ChannelCore;
  readonly #latency = new LatencyWindow();
  readonly #policies = new WeakMap<WebSocket, SocketPolicy>();
  readonly #commitWaiters = new Set<() => void>();
  readonly #reporter: DirectoryReporter<ChannelReport>;
  /** Scheduled alarm time; undefined until read back from storage after a wake. */
  #alarmAtMs: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The runtime gives an object reached through idFromName its name, also when an alarm or a hibernated socket wakes it.
    if (ctx.id.name === undefined) throw new Error("a ChannelObject must be reached by its channel name (idFromName)");
    this.#channel = ctx.id.name;
    this.#config = readConfig(env);
    this.#storage = new SqliteChannelStorage(ctx.storage);
    this.#core = new ChannelCore(this.#storage, { healthHistory: this.#config.healthHistory, agentTtlMs: this.#config.agentTtlMs });
    // Heartbeats are answered by the runtime: they never wake a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME_TEXT, PONG_FRAME_TEXT));
    this.#reporter = new DirectoryReporter<ChannelReport>(
      () => ({
        channel: this.#channel,
        epoch: this.#core.epoch,
        head: this.#core.head,
        connections: this.ctx.getWebSockets(VIEWER_TAG).length,
        lastActivityAt: new Date().toISOString(),
        reportedAtMs: Date.now(),
      }),
      (summary) => directoryStub(this.env).report(summary),
      (error) => logLine("error", { where: "directory-report", ...errorFields(error) }),
    );
  }

  // ---- RPC -----------------------------------------------------------------

  /** Applies a validated batch; answers after it is durable. */
  async ingest(events: HubEvent[], receivedAtMs: number): Promise<WebhookAccepted> {
    const { deltas, ...result } = this.#core.ingest(events, receivedAtMs, Date.now());
    if (deltas.length > 0) {
      this.#broadcast(deltas);
      const latencyMs = Date.now() - receivedAtMs;
      for (let i = 0; i < deltas.length; i++) this.#latency.add(latencyMs);
      this.#wakeWaiters();
      this.#reporter.report();
    }
    await this.#scheduleAlarm();
    return result;
  }

  /** Counts a signed request that was refused; ignored for a channel that has accepted no event, so it creates nothing. */
  recordRejection(): void {
    if (this.#core.head === 0) return;
    this.#storage.addCounters({ eventsRejected: 1 });
  }

  snapshotJson(): string {
    return JSON.stringify(this.#core.snapshot());
  }

  /** The polling fallback: deltas after the request's seq (waiting up to `waitSeconds` for one), or a snapshot. */
  async deltasJson(request: ResumeRequest, waitSeconds: number): Promise<string> {
    let plan = this.#core.planReplay(request);
    if (plan.mode === "replay" && plan.after >= plan.head && waitSeconds > 0) {
      await this.#nextCommit(waitSeconds * 1000);
      plan = this.#core.planReplay(request);
    }
    if (plan.mode === "snapshot") return JSON.stringify({ recovered: false, snapshot: this.#core.snapshot() });
    const rows = this.#core.deltasAfter(plan.after, MAX_DELTAS_PER_RESPONSE);
    return `{"recovered":true,"epoch":${JSON.stringify(this.#core.epoch)},"head":${this.#core.head},"deltas":[${rows.map((r) => r.json).join(",")}]}`;
  }

  metrics(): ChannelMetrics {
    const counters = this.#storage.counters();
    const position = this.#core.position();
    return {
      channel: this.#channel,
      connections: { now: this.ctx.getWebSockets(VIEWER_TAG).length, peak: counters.peakConnections },
      framesOut: counters.framesOut,
      bytesOut: counters.bytesOut,
      events: { accepted: counters.eventsAccepted, duplicate: counters.eventsDuplicate, stale: counters.eventsStale, rejected: counters.eventsRejected },
      replays: { recovered: counters.replaysRecovered, snapshot: counters.replaysSnapshot },
      ingestToBroadcastMs: { p50: this.#latency.percentile(50), p99: this.#latency.percentile(99), samples: this.#latency.size },
      log: { epoch: position.epoch, head: position.head, oldest: position.oldest },
    };
  }

  /**
   * Deletes the channel: closes every socket with CHANNEL_DELETED, drops all storage and the
   * alarm, and starts over empty (a new epoch). True if the channel had accepted an event.
   */
  async destroy(): Promise<boolean> {
    const existed = this.#core.head > 0;
    for (const ws of this.ctx.getWebSockets(VIEWER_TAG)) {
      try {
        ws.close(CloseCode.CHANNEL_DELETED, "channel deleted");
      } catch {
        // already closing
      }
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#alarmAtMs = null;
    this.#storage = new SqliteChannelStorage(this.ctx.storage);
    this.#core = new ChannelCore(this.#storage, { healthHistory: this.#config.healthHistory, agentTtlMs: this.#config.agentTtlMs });
    this.#wakeWaiters();
    return existed;
  }

  // ---- WebSocket -----------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const ticketExpHeader = request.headers.get(FORWARD_HEADER_TICKET_EXP);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || ticketExpHeader === null) {
      return new Response("expected a WebSocket upgrade forwarded by the hub", { status: 400 });
    }
    const channel = this.#channel;

    // getWebSockets() builds a list of every socket: once per connect is enough.
    const connectionsBefore = this.ctx.getWebSockets(VIEWER_TAG).length;
    if (connectionsBefore >= this.#config.maxConnectionsPerChannel) {
      logLine("socket.rejected", { channel, closeCode: CloseCode.RATE_LIMITED, reason: "connection limit" });
      return refuseSocket(CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED, "too many connections on this channel; retry later");
    }

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [VIEWER_TAG]);
    const attachment: SocketAttachment = {
      v: 1,
      id: crypto.randomUUID(),
      channel,
      connectedAtMs: Date.now(),
      ticketExp: Number(ticketExpHeader),
    };
    server.serializeAttachment(attachment);

    const url = new URL(request.url);
    let resumed: { plan: ReplayPlan; frames: number; bytes: number };
    try {
      const plan = this.#core.planReplay(parseResumeRequest(url.searchParams.get("since"), url.searchParams.get("epoch")));
      resumed = { plan, ...this.#resume(server, plan) };
    } catch (error) {
      // The client resumes from what it applied, so a clean retry loses nothing.
      logLine("error", { where: "socket-resume", channel, socket: attachment.id, ...errorFields(error) });
      this.#sendError(server, ErrorCode.INTERNAL, "the hub could not replay the log; reconnect");
      server.close(CloseCode.RESTARTING, "restarting");
      return new Response(null, { status: 101, webSocket: client });
    }
    const { plan, frames, bytes } = resumed;
    const connections = connectionsBefore + 1;
    this.#storage.addCounters({ framesOut: frames, bytesOut: bytes, [plan.mode === "replay" ? "replaysRecovered" : "replaysSnapshot"]: 1 });
    this.#storage.raiseCounter("peakConnections", connections);
    logLine("socket.open", { channel, socket: attachment.id, mode: plan.mode, ...(plan.mode === "snapshot" ? { reason: plan.reason } : { replayed: plan.head - plan.after }), connections });
    this.#reporter.report();
    await this.#scheduleAlarm(ticketExpiryMs(attachment.ticketExp));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** hello, then the missed deltas or a snapshot. Synchronous reads: no delta can be committed in between. */
  #resume(ws: WebSocket, plan: ReplayPlan): { frames: number; bytes: number } {
    const hello: HelloFrame = { type: "hello", protocol: PROTOCOL_VERSION, channel: this.#channel, epoch: this.#core.epoch, head: this.#core.head, recovered: plan.mode === "replay" };
    let frames = 1;
    let bytes = this.#send(ws, JSON.stringify(hello));
    if (plan.mode === "snapshot") return { frames: frames + 1, bytes: bytes + this.#sendSnapshot(ws) };
    for (let after = plan.after; after < plan.head; ) {
      const page = this.#core.deltasAfter(after, MAX_DELTAS_PER_RESPONSE);
      if (page.length === 0) break;
      for (const row of page) bytes += this.#send(ws, row.json);
      frames += page.length;
      after = page[page.length - 1]!.seq;
    }
    return { frames, bytes };
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const nowMs = Date.now();
    let policy = this.#policies.get(ws);
    if (!policy) this.#policies.set(ws, (policy = new SocketPolicy(nowMs)));
    if (!policy.allowFrame(nowMs)) {
      this.#sendError(ws, ErrorCode.RATE_LIMITED, "too many frames; slow down and reconnect later");
      ws.close(CloseCode.RATE_LIMITED, "too many frames");
      return;
    }
    const frame = typeof message === "string" ? parseClientFrame(message) : null;
    if (!frame) {
      this.#sendError(ws, ErrorCode.BAD_FRAME, `expected ${PING_FRAME_TEXT}, {"type":"resync"} or {"type":"auth","ticket":…}`);
      if (policy.badFrame()) ws.close(CloseCode.PROTOCOL_ERROR, "repeated bad frames");
      return;
    }
    if (frame.type === "ping") {
      this.#count(1, this.#send(ws, PONG_FRAME_TEXT));
      return;
    }
    if (frame.type === "auth") {
      await this.#renewAuth(ws, frame.ticket);
      return;
    }
    this.#count(1, this.#sendSnapshot(ws));
  }

  /** A fresh ticket extends the connection; one that fails or does not grant the channel ends it. */
  async #renewAuth(ws: WebSocket, ticket: string): Promise<void> {
    const attachment = readAttachment(ws.deserializeAttachment());
    if (!attachment) return;
    const viewer = await authorizeViewer(this.env, ticket, this.#channel, Math.floor(Date.now() / 1000));
    if (!viewer.ok) {
      this.#sendError(ws, viewer.errorCode, viewer.message);
      ws.close(viewer.closeCode, viewer.closeCode === CloseCode.FORBIDDEN ? "channel not granted" : "ticket rejected");
      return;
    }
    ws.serializeAttachment({ ...attachment, ticketExp: viewer.claims.exp } satisfies SocketAttachment);
    this.#count(1, this.#send(ws, JSON.stringify({ type: "auth-ok", expiresAt: expiryIso(viewer.claims.exp) } satisfies AuthOkFrame)));
    await this.#scheduleAlarm(ticketExpiryMs(viewer.claims.exp));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    const attachment = readAttachment(ws.deserializeAttachment());
    logLine("socket.close", {
      channel: this.#channel,
      socket: attachment?.id,
      closeCode: code,
      reason,
      wasClean,
      durationMs: attachment ? Date.now() - attachment.connectedAtMs : null,
    });
    // The Hibernation API does not answer the peer's Close frame for us: without this the
    // client sits in CLOSING until it times out. Reserved codes cannot be sent back.
    try {
      ws.close(RESERVED_CLOSE_CODES.has(code) ? 1000 : code, reason);
    } catch {
      // already closed
    }
    // A channel without events is not listed: also the one just deleted, whose sockets close now.
    if (this.#core.head > 0) this.#reporter.report();
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    logLine("error", { where: "websocket", socket: readAttachment(ws.deserializeAttachment())?.id, ...errorFields(error) });
  }

  // ---- alarm ---------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.#alarmAtMs = null;
    const nowMs = Date.now();
    const delta = this.#core.expireAgents(nowMs);
    if (delta) {
      this.#broadcast([delta]);
      this.#wakeWaiters();
      this.#reporter.report();
    }
    this.#core.trim(nowMs);
    await this.#scheduleAlarm(this.#closeExpiredTickets(nowMs));
  }

  /** Closes sockets whose ticket expired (access can be revoked); returns when the next one expires. */
  #closeExpiredTickets(nowMs: number): number | null {
    let next: number | null = null;
    for (const ws of this.ctx.getWebSockets(VIEWER_TAG)) {
      const attachment = readAttachment(ws.deserializeAttachment());
      const expiresMs = attachment ? ticketExpiryMs(attachment.ticketExp) : null;
      if (expiresMs === null) continue;
      if (expiresMs <= nowMs) {
        this.#sendError(ws, ErrorCode.UNAUTHORIZED, 'the ticket expired; renew it with {"type":"auth","ticket":…} before it does');
        ws.close(CloseCode.UNAUTHORIZED, "ticket expired");
      } else if (next === null || expiresMs < next) {
        next = expiresMs;
      }
    }
    return next;
  }

  /** Makes sure the alarm runs by the earliest of the channel's own deadlines and `alsoAtMs`. */
  async #scheduleAlarm(alsoAtMs: number | null = null): Promise<void> {
    const own = this.#core.nextAlarmAt(Date.now());
    const next = own === null ? alsoAtMs : alsoAtMs === null ? own : Math.min(own, alsoAtMs);
    if (next === null) return;
    if (this.#alarmAtMs === undefined) this.#alarmAtMs = await this.ctx.storage.getAlarm();
    if (this.#alarmAtMs === null || next < this.#alarmAtMs) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAtMs = next;
    }
  }

  // ---- sending -------------------------------------------------------------

  #broadcast(deltas: readonly StoredDelta[]): void {
    let frames = 0;
    let bytes = 0;
    // Measured once per delta, not once per socket.
    const sizes = deltas.map((delta) => utf8.encode(delta.json).byteLength);
    for (const ws of this.ctx.getWebSockets(VIEWER_TAG)) {
      for (const [i, delta] of deltas.entries()) {
        const sent = this.#send(ws, delta.json, sizes[i]);
        if (sent === 0) break;
        frames++;
        bytes += sent;
      }
    }
    this.#count(frames, bytes);
  }

  /** Sends one frame; returns the UTF-8 bytes sent (0 if the socket is gone). */
  #send(ws: WebSocket, text: string, bytes = utf8.encode(text).byteLength): number {
    try {
      ws.send(text);
      return bytes;
    } catch {
      // Closing or closed: its webSocketClose will follow; the client resumes with `since`.
      return 0;
    }
  }

  #sendSnapshot(ws: WebSocket): number {
    const { epoch, seq, state } = this.#core.snapshot();
    return this.#send(ws, JSON.stringify({ type: "snapshot", epoch, seq, state } satisfies SnapshotFrame));
  }

  #sendError(ws: WebSocket, code: ErrorCode, message: string): void {
    this.#send(ws, JSON.stringify({ type: "error", code, message } satisfies ErrorFrame));
  }

  #count(frames: number, bytes: number): void {
    if (frames > 0) this.#storage.addCounters({ framesOut: frames, bytesOut: bytes });
  }

  // ---- long-poll -----------------------------------------------------------

  #nextCommit(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#commitWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#commitWaiters.add(done);
    });
  }

  #wakeWaiters(): void {
    for (const wake of [...this.#commitWaiters]) wake();
  }

  // ---- task history --------------------------------------------------------

  /** One page of a task's retained history, newest first (the task history route). */
  taskHistoryJson(query: TaskHistoryQuery): string {
    return JSON.stringify(taskHistoryPage(this.#storage, this.#core.position(), query));
  }
}

/** A ticket's expiry in ms, or null for credentials that do not expire (the dashboard token itself). */
function ticketExpiryMs(expSeconds: number): number | null {
  return expSeconds > 0 && expSeconds < NEVER_EXPIRES_SECONDS ? expSeconds * 1000 : null;
}

function expiryIso(expSeconds: number): string {
  const ms = ticketExpiryMs(expSeconds);
  return ms === null ? "9999-12-31T23:59:59.000Z" : new Date(ms).toISOString();
}

function parseClientFrame(text: string) {
  try {
    const result = v.safeParse(ClientFrameSchema, JSON.parse(text));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}
