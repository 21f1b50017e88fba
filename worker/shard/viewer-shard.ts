/**
 * A viewer shard: one Durable Object holding up to SHARD_SIZE of a channel's
 * sockets beyond the channel object's own, named `<channel>#<k>`. Ingest stays
 * in the channel's object (one order, one log); it feeds each shard its new
 * deltas in batches (shard-feeder.ts), and the shard broadcasts them.
 *
 * Gap-free: every step that moves the shard's head (a feed, a connect, a
 * resync) runs one at a time (#serial). A feed that does not join the head
 * (a lost RPC, an eviction) is preceded by the missing range, fetched from the
 * channel. A connect is answered from the shard's tail when the cursor is in
 * it; otherwise the channel plans it (ChannelCore.planResume, the same rules)
 * and the shard first catches up to the plan's head, then sends the socket
 * hello, the plan's frames, and what the tail holds beyond the plan's head.
 * After a wake (hibernation keeps the sockets, not the memory), the channel
 * says what its sockets were last fed.
 */
import { DurableObject } from "cloudflare:workers";
import { CloseCode, ErrorCode, MAX_FRAME_BYTES, MAX_REPLAY_BYTES, PING_FRAME_TEXT, PONG_FRAME_TEXT } from "../../protocol/index.ts";
import { channelStub, FORWARD_HEADER_TICKET_EXP } from "../channel/channel-stub.ts";
import { packDeltas, type PackedFrame } from "../channel/delta-frames.ts";
import { EarliestAlarm } from "../channel/earliest-alarm.ts";
import { refuseSocket } from "../channel/refuse-socket.ts";
import type { SizedDelta } from "../channel/replay-budget.ts";
import { parseResumeRequest, type ResumeRequest } from "../channel/replay-planner.ts";
import type { SocketAttachment } from "../channel/socket-attachment.ts";
import {
  broadcastFrames,
  closeExpiredTickets,
  helloFrameText,
  sendError,
  sendText,
  ticketExpiryMs,
  VIEWER_TAG,
  ViewerSockets,
} from "../channel/viewer-sockets.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import type { FeedAnswer } from "./shard-feeder.ts";
import { parseShardName } from "./shard-names.ts";
import { ShardTail } from "./shard-tail.ts";

export class ViewerShard extends DurableObject<Env> {
  readonly #channel: string;
  readonly #shard: number;
  readonly #tail = new ShardTail();
  readonly #sockets: ViewerSockets;
  /** The epoch the shard's sockets were shown; null after a wake until the channel says. */
  #epoch: string | null = null;
  /** The channel's last snapshot size: a replay from the tail must not cost more (the channel's cost rule). */
  #snapshotBytes: number | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** Frames and bytes sent since the last feed answer (the channel counts them). */
  #unreported = { frames: 0, bytes: 0 };
  readonly #alarm: EarliestAlarm;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const named = parseShardName(ctx.id.name ?? "");
    if (named === null) throw new Error("a ViewerShard must be reached by its name <channel>#<k> (idFromName)");
    this.#channel = named.channel;
    this.#shard = named.shard;
    this.#alarm = new EarliestAlarm(ctx.storage);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME_TEXT, PONG_FRAME_TEXT));
    this.#sockets = new ViewerSockets({
      channel: this.#channel,
      env,
      sendSnapshot: (ws) => this.#serial(() => this.#sendSnapshot(ws)),
      count: (frames, bytes) => this.#count(frames, bytes),
      scheduleTicketAlarm: (atMs) => this.#scheduleAlarm(atMs),
      closed: () => this.#reportCount(),
    });
  }

  // ---- RPC (from the channel's object) -----------------------------------------

  /** New deltas committed after `after`, in seq order: broadcast them, after any the shard lacks. */
  feed(epoch: string, after: number, deltas: SizedDelta[]): Promise<FeedAnswer> {
    return this.#serial(async () => {
      if (this.#epoch !== epoch || this.#tail.head === null) {
        this.#epoch = epoch;
        this.#tail.reset(after);
      }
      let check = this.#tail.check(deltas);
      if (!check.ok) {
        await this.#catchUp();
        check = this.#tail.check(deltas);
      }
      if (check.ok) this.#broadcast(check.fresh);
      const answer: FeedAnswer = { sockets: this.#openSockets().length, head: this.#tail.head ?? after, ...this.#unreported };
      this.#unreported = { frames: 0, bytes: 0 };
      return answer;
    });
  }

  /** The channel was deleted: every socket closes with `code`. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets(VIEWER_TAG)) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    this.#epoch = null;
  }

  // ---- WebSocket -------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const ticketExpHeader = request.headers.get(FORWARD_HEADER_TICKET_EXP);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || ticketExpHeader === null) {
      return new Response("expected a WebSocket upgrade forwarded by the hub", { status: 400 });
    }
    const url = new URL(request.url);
    const resume = parseResumeRequest(url.searchParams.get("since"), url.searchParams.get("epoch"));
    try {
      return await this.#serial(() => this.#connect(resume, Number(ticketExpHeader)));
    } catch (error) {
      // The client resumes from what it applied, so a clean retry loses nothing.
      logLine("error", { where: "shard-connect", channel: this.#channel, shard: this.#shard, ...errorFields(error) });
      return refuseSocket(CloseCode.RESTARTING, ErrorCode.INTERNAL, "the hub could not replay the log; reconnect");
    }
  }

  async #connect(resume: ResumeRequest, ticketExp: number): Promise<Response> {
    let frames = this.#localResume(resume);
    let seenThrough = this.#tail.head ?? 0;
    let epoch = this.#epoch;
    if (frames === null) {
      const planned = await this.#channelStub().shardResume(resume);
      this.#snapshotBytes = planned.snapshotBytes;
      await this.#reach(planned.epoch, planned.head);
      frames = planned.frames;
      seenThrough = planned.head;
      epoch = planned.epoch;
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [VIEWER_TAG]);
    const attachment: SocketAttachment = { v: 1, id: crypto.randomUUID(), channel: this.#channel, connectedAtMs: Date.now(), ticketExp, ...(epoch !== null ? { epoch } : {}) };
    server.serializeAttachment(attachment);
    // What the shard broadcast beyond the plan's head while it caught up: the socket was not there yet.
    const beyond = epoch === null ? [] : packDeltas(epoch, this.#tail.after(seenThrough) ?? [], MAX_FRAME_BYTES);
    let bytes = 0;
    for (const frame of [...frames, ...beyond]) bytes += sendText(server, frame.text, frame.bytes);
    this.#count(frames.length + beyond.length, bytes);
    logLine("socket.open", { channel: this.#channel, shard: this.#shard, socket: attachment.id, connections: this.#openSockets().length });
    this.#reportCount();
    await this.#scheduleAlarm(ticketExpiryMs(ticketExp));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** hello and the replay from the tail, when the cursor is in it and the replay costs no more than a snapshot. */
  #localResume(resume: ResumeRequest): PackedFrame[] | null {
    const head = this.#tail.head;
    if (resume.since === undefined || resume.epoch !== this.#epoch || this.#epoch === null || head === null || this.#snapshotBytes === null) return null;
    const replay = this.#tail.after(resume.since);
    if (replay === null) return null;
    const bytes = replay.reduce((sum, d) => sum + d.bytes, 0);
    if (bytes > this.#snapshotBytes || bytes > MAX_REPLAY_BYTES) return null;
    const hello = helloFrameText(this.#channel, this.#epoch, head, { mode: "replay", after: resume.since, head });
    return [hello, ...packDeltas(this.#epoch, replay, MAX_FRAME_BYTES)];
  }

  /** A resync: the channel's snapshot, then what the shard already broadcast beyond it. */
  async #sendSnapshot(ws: WebSocket): Promise<number> {
    const snapshot = await this.#channelStub().shardSnapshot();
    await this.#reach(snapshot.epoch, snapshot.seq);
    let bytes = sendText(ws, snapshot.text);
    for (const frame of packDeltas(snapshot.epoch, this.#tail.after(snapshot.seq) ?? [], MAX_FRAME_BYTES)) bytes += sendText(ws, frame.text, frame.bytes);
    return bytes;
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

  override async alarm(): Promise<void> {
    this.#alarm.cleared();
    const next = closeExpiredTickets(this.ctx.getWebSockets(VIEWER_TAG), Date.now());
    if (next !== null) await this.#scheduleAlarm(next);
  }

  // ---- keeping up with the channel ---------------------------------------------

  /** Makes sure the shard has broadcast everything up to `seq` of `epoch`. */
  async #reach(epoch: string, seq: number): Promise<void> {
    if (this.#epoch !== epoch && this.#tail.head !== null) {
      // Sockets shown another epoch belong to a deleted channel (closed by its delete); start over.
      this.#epoch = epoch;
      this.#tail.reset(seq);
      return;
    }
    this.#epoch = epoch;
    if (this.#tail.head === null || this.#tail.head < seq) await this.#catchUp();
  }

  /** Fetches and broadcasts what the shard lacks up to the channel's head (after a wake: from what the channel last fed it). */
  async #catchUp(): Promise<void> {
    const caught = await this.#channelStub().shardCatchUp(this.#shard, this.#tail.head);
    this.#epoch = caught.epoch;
    if (!caught.ok) {
      // The missing range is gone from the log (or too large): the sockets reconnect and resume, or get a snapshot.
      for (const ws of this.#openSockets()) {
        sendError(ws, ErrorCode.INTERNAL, "this viewer shard fell behind the log; reconnect");
        ws.close(CloseCode.RESTARTING, "restarting");
      }
      this.#tail.reset(caught.head);
      return;
    }
    if (this.#tail.head === null) this.#tail.reset(caught.after);
    const check = this.#tail.check(caught.deltas);
    if (check.ok) this.#broadcast(check.fresh);
  }

  #broadcast(fresh: readonly SizedDelta[]): void {
    if (fresh.length === 0 || this.#epoch === null) return;
    const sent = broadcastFrames(this.#openSockets(), packDeltas(this.#epoch, fresh, MAX_FRAME_BYTES));
    this.#count(sent.frames, sent.bytes);
    this.#tail.append(fresh);
  }

  // ---- plumbing ----------------------------------------------------------------

  /** One step at a time: a step that awaits the channel must not let a feed or a connect run in between. */
  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step, step);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #channelStub() {
    return channelStub(this.env, this.#channel);
  }

  #openSockets(): WebSocket[] {
    return this.ctx.getWebSockets(VIEWER_TAG).filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  #count(frames: number, bytes: number): void {
    this.#unreported = { frames: this.#unreported.frames + frames, bytes: this.#unreported.bytes + bytes };
  }

  /** Tells the channel how many sockets the shard holds (placement, metrics, and whether to feed it). */
  #reportCount(): void {
    const sockets = this.#openSockets().length;
    this.ctx.waitUntil(
      this.#channelStub()
        .shardReport(this.#shard, sockets, this.#tail.head)
        .catch((error: unknown) => logLine("error", { where: "shard-report", channel: this.#channel, shard: this.#shard, ...errorFields(error) })),
    );
  }

  #scheduleAlarm(atMs: number): Promise<void> {
    return this.#alarm.atMost(atMs);
  }
}
