/**
 * The Durable Object of one channel: a thin adapter from the platform
 * (RPC, hibernatable WebSockets, alarms, SQLite) to ChannelCore.
 *
 * Ordering: the object runs one event at a time and every storage call is
 * synchronous, so a connecting socket's replay (read from the log) and the
 * broadcast of new deltas can never interleave: no gap, no duplicate.
 * Write before broadcast: deltas are committed before any socket sees them,
 * and the runtime's output gate holds sends until the write is durable.
 *
 * Conflation (COALESCE_MS, coalescer.ts): every event is committed when it is
 * acknowledged (event id, entity state, and the held update it was merged
 * into, in one transaction); only the delta of a held update waits, for the
 * alarm at the end of its window. So an eviction mid-window loses nothing: the
 * next instance reads the held updates back, and the alarm (durable) or the
 * next event sends them. Persisting the window costs one row per webhook
 * batch, against a delta per event without conflation. A snapshot is never
 * taken while updates are held (#sendHeld first), since the state holds them.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CloseCode,
  ErrorCode,
  MAX_DELTAS_PER_RESPONSE,
  MAX_DELTAS_RESPONSE_BYTES,
  MAX_FRAME_BYTES,
  MAX_REPLAY_BYTES,
  PING_FRAME_TEXT,
  PONG_FRAME_TEXT,
  type ChannelMetrics,
  type HubEvent,
  type WebhookAccepted,
} from "../../protocol/index.ts";
import { readConfig, type HubConfig } from "../config.ts";
import type { ChannelReport } from "../directory/directory-object.ts";
import { directoryStub } from "../directory/directory-stub.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import { ChannelCore } from "./channel-core.ts";
import { COUNTER_FLUSH_MS } from "./counter-buffer.ts";
import { FORWARD_HEADER_TICKET_EXP } from "./channel-stub.ts";
import { packDeltas, type PackedFrame } from "./delta-frames.ts";
import { DirectoryReporter } from "./directory-reporter.ts";
import { EarliestAlarm } from "./earliest-alarm.ts";
import { IngestLimiter } from "./ingest-limiter.ts";
import { LatencyWindow } from "./latency-window.ts";
import { MaintenanceSchedule } from "./maintenance-schedule.ts";
import { refuseSocket } from "./refuse-socket.ts";
import { ReplayTail } from "./replay-tail.ts";
import { collectReplay, pageWithinBytes, utf8Bytes, type SizedDelta } from "./replay-budget.ts";
import { parseResumeRequest, type ReplayPlan, type ResumeRequest } from "./replay-planner.ts";
import { readAttachment, type SocketAttachment } from "./socket-attachment.ts";
import { MAINTENANCE_INTERVAL_MS } from "./retention.ts";
import { SqliteChannelStorage } from "./sqlite-storage.ts";
import type { StoredDelta } from "./storage.ts";
import { taskHistoryPage, type TaskHistoryQuery } from "./task-history.ts";
import { KeyedBuckets } from "./token-bucket.ts";
import { broadcastFrames, closeExpiredTickets, helloFrameText, sendError, sendText, ticketExpiryMs, VIEWER_TAG, ViewerSockets } from "./viewer-sockets.ts";
import { ShardFleet } from "../shard/shard-fleet.ts";
import { SHARD_HEADER } from "../shard/shard-names.ts";

/** What `ingest` answers: the batch's outcome, or a rate-limit refusal (nothing stored) the route turns into a 429. */
export type IngestOutcome =
  | { readonly ok: true; readonly accepted: WebhookAccepted }
  | { readonly ok: false; readonly retryAfterSeconds: number; readonly message: string };

/** Tickets whose connect rate the object remembers; beyond it the oldest are forgotten. */
const MAX_TRACKED_TICKETS = 1000;
/** What a shard's connect is answered with: the frames to send (hello first) and the head they reach. */
export interface ShardResume {
  readonly epoch: string;
  readonly head: number;
  readonly frames: PackedFrame[];
  readonly snapshotBytes: number | null;
}

/** The deltas a shard lacks after `after`, or (ok false) a range the log no longer holds within the replay bound. */
export type ShardCatchUp =
  | { readonly ok: true; readonly epoch: string; readonly head: number; readonly after: number; readonly deltas: SizedDelta[] }
  | { readonly ok: false; readonly epoch: string; readonly head: number };
/** The directory hears of connects and commits at most this often (the first change at once). */
const DIRECTORY_REPORT_INTERVAL_MS = 500;
/** The newest deltas kept in memory for resumes from a recent cursor (replay-tail.ts). */
const REPLAY_TAIL_DELTAS = 2000;
const REPLAY_TAIL_BYTES = 2 * 1024 * 1024;

export class ChannelObject extends DurableObject<Env> {
  /** The channel this object owns: the name it is reached by (idFromName). */
  readonly #channel: string;
  readonly #config: HubConfig;
  /** Replaced by destroy(): the state of a deleted channel must not outlive its storage. */
  #storage: SqliteChannelStorage;
  #core: ChannelCore;
  readonly #latency = new LatencyWindow();
  readonly #sockets: ViewerSockets;
  /** Viewer shards beyond this object's own SHARD_SIZE sockets (README "Viewer shards"). */
  readonly #shards: ShardFleet;
  readonly #commitWaiters = new Set<() => void>();
  readonly #reporter: DirectoryReporter<ChannelReport>;
  readonly #ingestLimiter: IngestLimiter;
  readonly #connectsPerTicket: KeyedBuckets;
  readonly #alarm: EarliestAlarm;
  /** Writes the counters a connect or a broadcast held in memory (ChannelCore.addCounters), at most COUNTER_FLUSH_MS later. */
  #counterFlush: ReturnType<typeof setTimeout> | null = null;
  /**
   * This object's own open viewer sockets, counted on connect and close instead of listing them all (getWebSockets) per connect: a
   * storm of N connects would cost N². null: not counted since the last wake. Recounted exactly before a refusal
   * and by the alarm, so a missed close can only delay, never wrongly cause, a refusal.
   */
  #ownSockets: number | null = null;
  /** Every delta broadcast is appended: a resume within it reads no log and shares its packed frames. */
  readonly #tail = new ReplayTail(REPLAY_TAIL_DELTAS, REPLAY_TAIL_BYTES);
  /** The alarm runs every COALESCE_MS while updates are held: trim, purge and the ticket check run only when due. */
  readonly #maintenance = new MaintenanceSchedule(MAINTENANCE_INTERVAL_MS);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The runtime gives an object reached through idFromName its name, also when an alarm or a hibernated socket wakes it.
    if (ctx.id.name === undefined) throw new Error("a ChannelObject must be reached by its channel name (idFromName)");
    this.#channel = ctx.id.name;
    this.#config = readConfig(env);
    this.#storage = new SqliteChannelStorage(ctx.storage);
    this.#alarm = new EarliestAlarm(ctx.storage);
    // A channel that does not exist yet keeps its epoch in memory; after an eviction, its open sockets remember the one they were shown.
    const shownEpoch = ctx.getWebSockets(VIEWER_TAG).map((ws) => readAttachment(ws.deserializeAttachment())?.epoch).find((e) => e !== undefined);
    this.#core = this.#newCore(shownEpoch);
    this.#ingestLimiter = new IngestLimiter({ eventsPerSecond: this.#config.ingestEventsPerSecond, requestsPerSecond: this.#config.ingestRequestsPerSecond }, Date.now());
    const connectsPerMinute = this.#config.socketConnectsPerTicketPerMinute;
    this.#connectsPerTicket = new KeyedBuckets({ capacity: connectsPerMinute, refillPerSecond: connectsPerMinute / 60 }, MAX_TRACKED_TICKETS);
    // Heartbeats are answered by the runtime: they never wake a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME_TEXT, PONG_FRAME_TEXT));
    this.#reporter = new DirectoryReporter<ChannelReport>(
      () => ({
        channel: this.#channel,
        epoch: this.#core.epoch,
        head: this.#core.head,
        connections: this.#connections(),
        lastActivityAt: new Date().toISOString(),
        reportedAtMs: Date.now(),
      }),
      (summary) => directoryStub(this.env).report(summary),
      (error) => logLine("error", { where: "directory-report", ...errorFields(error) }),
      DIRECTORY_REPORT_INTERVAL_MS,
    );
    this.#sockets = new ViewerSockets({
      channel: this.#channel,
      env,
      sendSnapshot: (ws) => {
        this.#sendHeld();
        return this.#sendSnapshot(ws);
      },
      count: (frames, bytes) => this.#count(frames, bytes),
      scheduleTicketAlarm: (atMs) => {
        this.#maintenance.ticketExpiresAt(atMs);
        return this.#scheduleAlarm(atMs);
      },
      closed: () => {
        if (this.#ownSockets !== null) this.#ownSockets = Math.max(0, this.#ownSockets - 1);
        this.#report();
      },
    });
    this.#shards = new ShardFleet(
      {
        env,
        channel: this.#channel,
        kv: ctx.storage.kv,
        epoch: () => this.#core.epoch,
        count: (frames, bytes) => this.#count(frames, bytes),
        waitUntil: (promise) => ctx.waitUntil(promise),
      },
      this.#config.shardSize,
    );
  }

  // ---- RPC -----------------------------------------------------------------

  /** Applies a validated batch, unless the channel's ingest rate is exceeded; answers after it is durable. */
  async ingest(events: HubEvent[], receivedAtMs: number): Promise<IngestOutcome> {
    const admission = this.#ingestLimiter.admit(Date.now(), events.length);
    if (!admission.ok) {
      logLine("webhook.rejected", { channel: this.#channel, reason: ErrorCode.RATE_LIMITED, message: admission.message });
      return admission;
    }
    const existed = this.#core.exists;
    const { deltas, ...accepted } = this.#core.ingest(events, receivedAtMs, Date.now());
    // A channel that did not exist had no alarm to close expired tickets: close them before anything is sent.
    const nextTicketExpiryMs = existed ? null : this.#closeExpiredTickets(Date.now());
    if (deltas.length > 0) {
      this.#broadcast(deltas);
      const latencyMs = Date.now() - receivedAtMs;
      for (let i = 0; i < deltas.length; i++) this.#latency.add(latencyMs);
      this.#wakeWaiters();
      this.#reporter.report();
    }
    await this.#scheduleAlarm(nextTicketExpiryMs);
    return { ok: true, accepted };
  }

  /** Counted only on a channel that exists: a rejected request must not create one. */
  recordRejection(): void {
    this.#core.addCounters({ eventsRejected: 1 });
    this.#flushCountersLater();
  }

  /** False for a channel that never accepted an event (or was deleted): the directory forgets it. */
  exists(): boolean {
    return this.#core.exists;
  }

  snapshotJson(): string {
    this.#sendHeld();
    return this.#core.snapshotJson();
  }

  /**
   * The polling fallback: deltas after the request's seq (waiting up to `waitSeconds` for one), or a snapshot
   * (also when cheaper, unless `replayAlways`: tools that read the log itself ask for it whatever it weighs).
   */
  async deltasJson(request: ResumeRequest, waitSeconds: number, replayAlways = false): Promise<string> {
    this.#sendHeld();
    const plan = () => (replayAlways ? this.#core.planReplay(request) : this.#core.planResume(request));
    let planned = plan();
    if (planned.mode === "replay" && planned.after >= planned.head && waitSeconds > 0) {
      await this.#nextCommit(waitSeconds * 1000);
      planned = plan();
    }
    if (planned.mode === "snapshot") return `{"recovered":false,"reason":${JSON.stringify(planned.reason)},"snapshot":${this.#core.snapshotJson()}}`;
    const rows = pageWithinBytes(this.#core.deltasAfter(planned.after, MAX_DELTAS_PER_RESPONSE), MAX_DELTAS_RESPONSE_BYTES);
    return `{"recovered":true,"epoch":${JSON.stringify(this.#core.epoch)},"head":${this.#core.head},"deltas":[${rows.map((r) => r.json).join(",")}]}`;
  }

  metrics(): ChannelMetrics {
    const counters = this.#core.counters();
    const position = this.#core.position();
    return {
      channel: this.#channel,
      connections: { now: this.#recountOwn() + this.#shards.sockets, peak: counters.peakConnections },
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
    const existed = this.#core.exists;
    for (const ws of this.ctx.getWebSockets(VIEWER_TAG)) {
      try {
        ws.close(CloseCode.CHANNEL_DELETED, "channel deleted");
      } catch {
        // already closing
      }
    }
    this.#shards.closeAll();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#alarm.cleared();
    this.#ownSockets = null;
    this.#tail.clear();
    this.#storage = new SqliteChannelStorage(this.ctx.storage);
    this.#core = this.#newCore();
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

    let ownBefore = this.#ownSocketCount();
    // The count may miss a close: only an exact one refuses a socket or sends it to a shard.
    if (ownBefore + this.#shards.sockets >= this.#config.maxConnectionsPerChannel || ownBefore >= this.#config.shardSize) ownBefore = this.#recountOwn();
    const connectionsBefore = ownBefore + this.#shards.sockets;
    if (connectionsBefore >= this.#config.maxConnectionsPerChannel) {
      logLine("socket.rejected", { channel, closeCode: CloseCode.RATE_LIMITED, reason: "connection limit" });
      return refuseSocket(CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED, "too many connections on this channel; retry later");
    }

    const url = new URL(request.url);
    const connect = this.#connectsPerTicket.take(url.searchParams.get("ticket") ?? "", Date.now());
    if (!connect.ok) {
      const waitSeconds = Math.max(1, Math.ceil(connect.retryAfterMs / 1000));
      logLine("socket.rejected", { channel, closeCode: CloseCode.RATE_LIMITED, reason: "connects per ticket" });
      return refuseSocket(CloseCode.RATE_LIMITED, ErrorCode.RATE_LIMITED, `more than ${this.#config.socketConnectsPerTicketPerMinute} connects per minute with this ticket; retry in ${waitSeconds} s`);
    }

    // Past SHARD_SIZE own sockets: the Worker's socket route takes the upgrade to the shard named here.
    if (ownBefore >= this.#config.shardSize) return new Response(null, { status: 204, headers: { [SHARD_HEADER]: String(this.#shards.place(this.#core.head)) } });

    // Before the socket is accepted: the held updates' broadcast must not reach it ahead of its hello.
    this.#sendHeld();
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [VIEWER_TAG]);
    this.#ownSockets = ownBefore + 1;
    const attachment: SocketAttachment = {
      v: 1,
      id: crypto.randomUUID(),
      channel,
      connectedAtMs: Date.now(),
      ticketExp: Number(ticketExpHeader),
      epoch: this.#core.epoch,
    };
    server.serializeAttachment(attachment);

    let resumed: { plan: ReplayPlan; frames: number; bytes: number };
    try {
      const request = parseResumeRequest(url.searchParams.get("since"), url.searchParams.get("epoch"));
      resumed = this.#resume(server, this.#core.planResume(request, MAX_REPLAY_BYTES, (after, head) => this.#tail.bytesBetween(after, head)));
    } catch (error) {
      // The client resumes from what it applied, so a clean retry loses nothing.
      logLine("error", { where: "socket-resume", channel, socket: attachment.id, ...errorFields(error) });
      sendError(server, ErrorCode.INTERNAL, "the hub could not replay the log; reconnect");
      server.close(CloseCode.RESTARTING, "restarting");
      return new Response(null, { status: 101, webSocket: client });
    }
    const { plan, frames, bytes } = resumed;
    const connections = connectionsBefore + 1;
    this.#core.addCounters({ framesOut: frames, bytesOut: bytes, [plan.mode === "replay" ? "replaysRecovered" : "replaysSnapshot"]: 1 });
    this.#core.raiseCounter("peakConnections", connections);
    this.#flushCountersLater();
    logLine("socket.open", { channel, socket: attachment.id, mode: plan.mode, ...(plan.mode === "snapshot" ? { reason: plan.reason } : { replayed: plan.head - plan.after }), connections });
    this.#maintenance.ticketExpiresAt(ticketExpiryMs(attachment.ticketExp));
    this.#report();
    await this.#scheduleAlarm(ticketExpiryMs(attachment.ticketExp));
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * hello, then the missed deltas in frames of at most MAX_FRAME_BYTES, or a snapshot (the plan weighed both:
   * see ChannelCore.planResume). Synchronous reads: no delta can be committed in between. Returns the plan followed.
   */
  #resume(ws: WebSocket, requested: ReplayPlan): { plan: ReplayPlan; frames: number; bytes: number } {
    const { plan, frames } = this.#resumeFrames(requested);
    let bytes = 0;
    for (const frame of frames) bytes += sendText(ws, frame.text, frame.bytes);
    return { plan, frames: frames.length, bytes };
  }

  /** The frames of a resume (hello first) and the plan they follow; shared by this object's sockets and its shards'. */
  #resumeFrames(requested: ReplayPlan): { plan: ReplayPlan; frames: PackedFrame[] } {
    let replay: SizedDelta[] | null = null;
    let plan = requested;
    const epoch = this.#core.epoch;
    // Within the tail: no log read, and the frames are packed once for every resume at this cursor.
    const fromTail = plan.mode === "replay" ? this.#tail.frames(epoch, plan.after, plan.head, MAX_FRAME_BYTES) : null;
    if (plan.mode === "replay" && fromTail === null) {
      // The planner checked the stored sizes; the bound still holds if the log changed under the estimate.
      replay = collectReplay((after) => this.#core.deltasAfter(after, MAX_DELTAS_PER_RESPONSE), plan.after, plan.head, MAX_REPLAY_BYTES);
      if (replay === null) plan = { mode: "snapshot", reason: "too-large" };
    }
    const hello = helloFrameText(this.#channel, epoch, this.#core.head, plan);
    if (plan.mode === "snapshot") return { plan, frames: [hello, this.#core.snapshotFrame()] };
    return { plan, frames: [hello, ...(fromTail ?? packDeltas(epoch, replay ?? [], MAX_FRAME_BYTES))] };
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.#sockets.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    this.#sockets.close(ws, code, reason, wasClean);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.#sockets.error(ws, error);
  }

  // ---- alarm ---------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.#alarm.cleared();
    const nowMs = Date.now();
    const due = this.#maintenance.due(nowMs);
    // In this order: each commits the next seqs.
    const deltas = [...this.#core.flushDue(nowMs), ...[this.#core.expireAgents(nowMs), due.has("purge") ? this.#core.purge(nowMs) : null].filter((d) => d !== null)];
    if (due.has("purge")) this.#maintenance.ran("purge", nowMs);
    if (deltas.length > 0) {
      this.#broadcast(deltas);
      this.#wakeWaiters();
      this.#reporter.report();
    }
    if (due.has("trim")) {
      this.#core.trim(nowMs);
      this.#maintenance.ran("trim", nowMs);
    }
    await this.#scheduleAlarm(due.has("tickets") ? this.#closeExpiredTickets(nowMs) : (this.#maintenance.ticketsDueAtMs() ?? null));
  }

  /** Closes sockets whose ticket expired (access can be revoked); returns when the next one expires. */
  #closeExpiredTickets(nowMs: number): number | null {
    const sockets = this.ctx.getWebSockets(VIEWER_TAG);
    this.#ownSockets = sockets.length;
    const next = closeExpiredTickets(sockets, nowMs);
    this.#maintenance.ticketsRan(next);
    return next;
  }

  /**
   * Makes sure the alarm runs by the earliest of the channel's own deadlines and `alsoAtMs`. A channel that does not
   * exist sets none (an alarm is a write); its sockets' tickets are checked when its first event arrives.
   */
  async #scheduleAlarm(alsoAtMs: number | null = null): Promise<void> {
    if (!this.#core.exists) return;
    const own = this.#core.nextAlarmAt(Date.now());
    const next = own === null ? alsoAtMs : alsoAtMs === null ? own : Math.min(own, alsoAtMs);
    if (next !== null) await this.#alarm.atMost(next);
  }

  // ---- sending -------------------------------------------------------------

  /** Commits and broadcasts every held conflated update now (before a snapshot). */
  #sendHeld(): void {
    const deltas = this.#core.flushAll(Date.now());
    if (deltas.length === 0) return;
    this.#broadcast(deltas);
    this.#wakeWaiters();
    this.#reporter.report();
  }

  /** Deltas committed together go to each socket as one frame (several if they pass MAX_FRAME_BYTES), and to every shard. */
  #broadcast(deltas: readonly StoredDelta[]): void {
    // Packed once, not once per socket.
    const sized = deltas.map((delta) => ({ delta, bytes: utf8Bytes(delta.json) }));
    this.#tail.append(sized);
    const packed = packDeltas(this.#core.epoch, sized, MAX_FRAME_BYTES);
    const { frames, bytes } = broadcastFrames(this.ctx.getWebSockets(VIEWER_TAG), packed);
    this.#count(frames, bytes);
    this.#shards.feed(sized);
  }

  #sendSnapshot(ws: WebSocket): number {
    // Serialised once per state: a burst of connects at one head shares it.
    const frame = this.#core.snapshotFrame();
    return sendText(ws, frame.text, frame.bytes);
  }

  #count(frames: number, bytes: number): void {
    if (frames > 0) this.#core.addCounters({ framesOut: frames, bytesOut: bytes });
    this.#flushCountersLater();
  }

  /** A connect or a broadcast writes no counter row itself: the held increments go in one write, soon. */
  #flushCountersLater(): void {
    if (this.#counterFlush !== null || !this.#core.countersHeld) return;
    this.#counterFlush = setTimeout(() => {
      this.#counterFlush = null;
      this.#core.flushCounters();
    }, COUNTER_FLUSH_MS);
  }

  /** The core over the current storage; `shownEpoch`: the epoch open sockets were shown before the channel existed. */
  #newCore(shownEpoch?: string): ChannelCore {
    return new ChannelCore(this.#storage, {
      healthHistory: this.#config.healthHistory,
      agentTtlMs: this.#config.agentTtlMs,
      purgeAfterMs: this.#config.purgeAfterMs,
      coalesceMs: this.#config.coalesceMs,
      ...(shownEpoch !== undefined ? { newEpoch: () => shownEpoch } : {}),
    });
  }

  /** Only a channel that exists is listed: a viewer waiting on an unknown name registers nothing. */
  #report(): void {
    if (this.#core.exists) this.#reporter.report();
  }

  #ownSocketCount(): number {
    return this.#ownSockets ?? this.#recountOwn();
  }

  #recountOwn(): number {
    return (this.#ownSockets = this.ctx.getWebSockets(VIEWER_TAG).length);
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

  // ---- viewer shards (README "Viewer shards") ---------------------------------

  /** A shard's connect that its tail cannot answer: planned here, by the same rules as this object's own sockets. */
  shardResume(request: ResumeRequest): ShardResume {
    // Held updates go out first (also to the shard): a snapshot must not show changes no seq carries.
    this.#sendHeld();
    const { plan, frames } = this.#resumeFrames(this.#core.planResume(request, MAX_REPLAY_BYTES, (after, head) => this.#tail.bytesBetween(after, head)));
    this.#core.addCounters({ [plan.mode === "replay" ? "replaysRecovered" : "replaysSnapshot"]: 1 });
    return { epoch: this.#core.epoch, head: this.#core.head, frames, snapshotBytes: this.#core.snapshotBytes };
  }

  /** What a shard lacks after `after` (null after the shard's wake: after what it was last fed), up to the head. */
  shardCatchUp(shard: number, after: number | null): ShardCatchUp {
    const head = this.#core.head;
    const from = after ?? this.#shards.fedThrough(shard) ?? head;
    const epoch = this.#core.epoch;
    const plan = this.#core.planReplay({ since: from, epoch });
    const deltas = plan.mode === "replay" ? collectReplay((seq) => this.#core.deltasAfter(seq, MAX_DELTAS_PER_RESPONSE), from, head, MAX_REPLAY_BYTES) : null;
    this.#shards.reached(shard, head);
    if (deltas === null) return { ok: false, epoch, head };
    return { ok: true, epoch, head, after: from, deltas };
  }

  /** A resync on a shard's socket. */
  shardSnapshot(): { epoch: string; seq: number; text: string } {
    this.#sendHeld();
    return { epoch: this.#core.epoch, seq: this.#core.head, text: this.#core.snapshotFrame().text };
  }

  /** A shard's socket count after a connect or close; a shard with sockets is fed from `head` on. */
  shardReport(shard: number, sockets: number, head: number | null): void {
    this.#shards.report(shard, sockets, head ?? this.#core.head);
    if (sockets > 0) this.#core.raiseCounter("peakConnections", this.#connections());
    this.#report();
  }

  /** Sockets on this object and on its shards (as last reported). */
  #connections(): number {
    return this.#ownSocketCount() + this.#shards.sockets;
  }

  // ---- task history --------------------------------------------------------

  /** One page of a task's retained history, newest first (the task history route). */
  taskHistoryJson(query: TaskHistoryQuery): string {
    return JSON.stringify(taskHistoryPage(this.#storage, this.#core.position(), query));
  }
}
