/**
 * The viewer side of a hibernatable socket, shared by the channel's object
 * and its viewer shards (worker/shard/viewer-shard.ts): the client frames
 * (ping, resync, auth renewal) under the socket rules (socket-policy.ts),
 * ticket expiry, close handshakes and sending. Each object is a thin host:
 * it says how a snapshot is sent, how frames are counted and how the ticket
 * alarm is set, so a shard's socket behaves exactly like the object's own.
 */
import * as v from "valibot";
import {
  ClientFrameSchema,
  CloseCode,
  ErrorCode,
  MAX_CLIENT_FRAME_BYTES,
  MIN_RESYNC_INTERVAL_MS,
  PING_FRAME_TEXT,
  PONG_FRAME_TEXT,
  PROTOCOL_VERSION,
  type AuthOkFrame,
  type ErrorFrame,
  type HelloFrame,
} from "../../protocol/index.ts";
import { authorizeViewer } from "../auth/viewer-auth.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import type { PackedFrame } from "./delta-frames.ts";
import { utf8Bytes } from "./replay-budget.ts";
import type { ReplayPlan } from "./replay-planner.ts";
import { readAttachment, type SocketAttachment } from "./socket-attachment.ts";
import { SocketPolicy } from "./socket-policy.ts";

export const VIEWER_TAG = "viewer";
/** Close codes a peer may report but no endpoint may send. */
const RESERVED_CLOSE_CODES: ReadonlySet<number> = new Set([1005, 1006, 1015]);

/** What the object holding the sockets provides. */
export interface ViewerSocketHost {
  readonly channel: string;
  readonly env: Env;
  /** Sends the channel's current snapshot to one socket (a `resync`); returns the bytes sent. */
  sendSnapshot(ws: WebSocket): number | Promise<number>;
  count(frames: number, bytes: number): void;
  /** Makes sure the alarm runs by `atMs` (a ticket's expiry). */
  scheduleTicketAlarm(atMs: number): Promise<void>;
  /** A socket closed (the connection count changed). */
  closed(): void;
}

export class ViewerSockets {
  readonly #host: ViewerSocketHost;
  readonly #policies = new WeakMap<WebSocket, SocketPolicy>();

  constructor(host: ViewerSocketHost) {
    this.#host = host;
  }

  async message(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const nowMs = Date.now();
    let policy = this.#policies.get(ws);
    if (!policy) this.#policies.set(ws, (policy = new SocketPolicy(nowMs, readAttachment(ws.deserializeAttachment())?.lastResyncAtMs ?? null)));
    if (!policy.allowFrame(nowMs)) {
      sendError(ws, ErrorCode.RATE_LIMITED, "too many frames; slow down and reconnect later");
      ws.close(CloseCode.RATE_LIMITED, "too many frames");
      return;
    }
    const frame = typeof message === "string" ? parseClientFrame(message) : null;
    if (!frame) {
      sendError(ws, ErrorCode.BAD_FRAME, `expected ${PING_FRAME_TEXT}, {"type":"resync"} or {"type":"auth","ticket":…}`);
      if (policy.badFrame()) ws.close(CloseCode.PROTOCOL_ERROR, "repeated bad frames");
      return;
    }
    if (frame.type === "ping") {
      this.#host.count(1, sendText(ws, PONG_FRAME_TEXT));
      return;
    }
    if (frame.type === "auth") {
      await this.#renewAuth(ws, frame.ticket);
      return;
    }
    await this.#resync(ws, policy, nowMs);
  }

  /** A snapshot costs a full serialisation: at most one per MIN_RESYNC_INTERVAL_MS per socket. */
  async #resync(ws: WebSocket, policy: SocketPolicy, nowMs: number): Promise<void> {
    const decision = policy.resync(nowMs);
    if (decision.ok) {
      const attachment = readAttachment(ws.deserializeAttachment());
      if (attachment) ws.serializeAttachment({ ...attachment, lastResyncAtMs: nowMs } satisfies SocketAttachment);
      this.#host.count(1, await this.#host.sendSnapshot(ws));
      return;
    }
    if (decision.close) {
      sendError(ws, ErrorCode.RATE_LIMITED, "too many early resyncs; reconnect later");
      ws.close(CloseCode.RATE_LIMITED, "too many resyncs");
      return;
    }
    const seconds = MIN_RESYNC_INTERVAL_MS / 1000;
    sendError(ws, ErrorCode.BAD_FRAME, `resync is answered at most once every ${seconds} s; ask again at ${new Date(decision.retryAtMs).toISOString()}`);
  }

  /** A fresh ticket extends the connection; one that fails or does not grant the channel ends it. */
  async #renewAuth(ws: WebSocket, ticket: string): Promise<void> {
    const attachment = readAttachment(ws.deserializeAttachment());
    if (!attachment) return;
    const viewer = await authorizeViewer(this.#host.env, ticket, this.#host.channel, Math.floor(Date.now() / 1000));
    if (!viewer.ok) {
      sendError(ws, viewer.errorCode, viewer.message);
      ws.close(viewer.closeCode, viewer.closeCode === CloseCode.FORBIDDEN ? "channel not granted" : "ticket rejected");
      return;
    }
    ws.serializeAttachment({ ...attachment, ticketExp: viewer.claims.exp } satisfies SocketAttachment);
    this.#host.count(1, sendText(ws, JSON.stringify({ type: "auth-ok", expiresAt: expiryIso(viewer.claims.exp) } satisfies AuthOkFrame)));
    await this.#host.scheduleTicketAlarm(ticketExpiryMs(viewer.claims.exp));
  }

  close(ws: WebSocket, code: number, reason: string, wasClean: boolean): void {
    const attachment = readAttachment(ws.deserializeAttachment());
    logLine("socket.close", {
      channel: this.#host.channel,
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
    this.#host.closed();
  }

  error(ws: WebSocket, error: unknown): void {
    logLine("error", { where: "websocket", socket: readAttachment(ws.deserializeAttachment())?.id, ...errorFields(error) });
  }
}

/** Closes sockets whose ticket expired (access can be revoked); returns when the next one expires. */
export function closeExpiredTickets(sockets: readonly WebSocket[], nowMs: number): number | null {
  let next: number | null = null;
  for (const ws of sockets) {
    const attachment = readAttachment(ws.deserializeAttachment());
    if (!attachment) continue;
    const expiresMs = ticketExpiryMs(attachment.ticketExp);
    if (expiresMs <= nowMs) {
      sendError(ws, ErrorCode.UNAUTHORIZED, 'the ticket expired; renew it with {"type":"auth","ticket":…} before it does');
      ws.close(CloseCode.UNAUTHORIZED, "ticket expired");
    } else if (next === null || expiresMs < next) {
      next = expiresMs;
    }
  }
  return next;
}

/** The same frames to every socket (packed once); returns what was sent. */
export function broadcastFrames(sockets: readonly WebSocket[], packed: readonly PackedFrame[]): { frames: number; bytes: number } {
  let frames = 0;
  let bytes = 0;
  for (const ws of sockets) {
    for (const frame of packed) {
      const sent = sendText(ws, frame.text, frame.bytes);
      if (sent === 0) break;
      frames++;
      bytes += sent;
    }
  }
  return { frames, bytes };
}

/** Sends one frame; returns the UTF-8 bytes sent (0 if the socket is gone). */
export function sendText(ws: WebSocket, text: string, bytes = utf8Bytes(text)): number {
  try {
    ws.send(text);
    return bytes;
  } catch {
    // Closing or closed: its webSocketClose will follow; the client resumes with `since`.
    return 0;
  }
}

export function sendError(ws: WebSocket, code: ErrorCode, message: string): void {
  sendText(ws, JSON.stringify({ type: "error", code, message } satisfies ErrorFrame));
}

/** The first frame of a connection: where the log is, and whether a replay (`recovered`) or a snapshot follows. */
export function helloFrameText(channel: string, epoch: string, head: number, plan: ReplayPlan): PackedFrame {
  const hello: HelloFrame = {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    channel,
    epoch,
    head,
    ...(plan.mode === "replay" ? { recovered: true } : { recovered: false, reason: plan.reason }),
  };
  const text = JSON.stringify(hello);
  return { text, bytes: utf8Bytes(text) };
}

export function ticketExpiryMs(expSeconds: number): number {
  return expSeconds * 1000;
}

function expiryIso(expSeconds: number): string {
  return new Date(ticketExpiryMs(expSeconds)).toISOString();
}

/** A frame over MAX_CLIENT_FRAME_BYTES is refused before JSON.parse sees it: no viewer makes the object parse megabytes. */
function parseClientFrame(text: string) {
  if (text.length > MAX_CLIENT_FRAME_BYTES || utf8Bytes(text) > MAX_CLIENT_FRAME_BYTES) return null;
  try {
    const result = v.safeParse(ClientFrameSchema, JSON.parse(text));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}
