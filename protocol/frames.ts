/**
 * WebSocket frames on `GET /ws/:channel`, split by direction. All frames are
 * JSON text. Server frames are validated by clients at runtime.
 */
import * as v from "valibot";
import type { Change } from "./changes.ts";
import type { ErrorCode } from "./errors.ts";
import type { EventType } from "./events.ts";
import type { ChannelState } from "./state.ts";

// ---- server → client -------------------------------------------------------

/** To one client, first frame of every connection. `recovered` says whether replay follows (true) or a snapshot (false). */
export interface HelloFrame {
  readonly type: "hello";
  readonly protocol: number;
  readonly channel: string;
  readonly epoch: string;
  /** The newest seq at the time of connecting. */
  readonly head: number;
  readonly recovered: boolean;
}

/** To one client: the whole state as of `seq`. Sent when replay is impossible and on `resync`. */
export interface SnapshotFrame {
  readonly type: "snapshot";
  readonly epoch: string;
  readonly seq: number;
  readonly state: ChannelState;
}

/** Why a delta exists: the event that caused it, or the hub itself (agent expiry). */
export interface DeltaCause {
  readonly type: EventType | "agent.expired";
  /** The webhook event id, when an event caused it. */
  readonly id?: string;
}

/** Broadcast (and replayed): seq is exactly +1 over the previous delta of the epoch. */
export interface DeltaFrame {
  readonly type: "delta";
  readonly epoch: string;
  readonly seq: number;
  /** Server time the delta was committed, ISO-8601. */
  readonly at: string;
  readonly changes: readonly Change[];
  readonly cause?: DeltaCause;
}

/** To one client: a problem with what it sent. May be followed by a close. */
export interface ErrorFrame {
  readonly type: "error";
  readonly code: ErrorCode;
  readonly message: string;
}

/** To one client: an `auth` frame was accepted; the connection is authorized until `expiresAt` (ISO-8601). */
export interface AuthOkFrame {
  readonly type: "auth-ok";
  readonly expiresAt: string;
}

/** To one client: answer to `ping` (sent by the runtime without waking the object). */
export interface PongFrame {
  readonly type: "pong";
}

export type ServerFrame = HelloFrame | SnapshotFrame | DeltaFrame | ErrorFrame | AuthOkFrame | PongFrame;

// ---- client → server -------------------------------------------------------

/**
 * Exactly this text is answered with {@link PONG_FRAME_TEXT} by the runtime
 * (setWebSocketAutoResponse), so heartbeats never wake a hibernated object.
 */
export const PING_FRAME_TEXT = '{"type":"ping"}';
export const PONG_FRAME_TEXT = '{"type":"pong"}';

export const ClientFrameSchema = v.variant("type", [
  v.object({ type: v.literal("ping") }),
  /** Ask for a fresh snapshot (the client detected a gap or a conflict). */
  v.object({ type: v.literal("resync") }),
  /**
   * Renew the connection's authorization with a fresh ticket before the current one expires:
   * the hub closes a socket whose ticket expired with 4001, so access can be revoked.
   */
  v.object({ type: v.literal("auth"), ticket: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }),
]);
export type ClientFrame = v.InferOutput<typeof ClientFrameSchema>;

// ---- runtime validation of server frames (clients) -------------------------

const changeSchema = v.variant("kind", [
  v.object({ kind: v.literal("agent"), op: v.picklist(["set", "patch"]), key: v.string(), value: v.record(v.string(), v.unknown()) }),
  v.object({
    kind: v.literal("task"),
    op: v.picklist(["set", "patch", "remove"]),
    tag: v.string(),
    key: v.string(),
    value: v.optional(v.record(v.string(), v.unknown())),
  }),
  v.object({
    kind: v.literal("health"),
    op: v.literal("append"),
    key: v.string(),
    value: v.record(v.string(), v.unknown()),
    limit: v.pipe(v.number(), v.integer(), v.minValue(1)),
  }),
  v.object({ kind: v.literal("meta"), op: v.literal("patch"), value: v.record(v.string(), v.unknown()) }),
]);

const seq = v.pipe(v.number(), v.integer(), v.minValue(0));
const stateSchema = v.object({
  meta: v.record(v.string(), v.unknown()),
  agents: v.record(v.string(), v.record(v.string(), v.unknown())),
  tasks: v.record(v.string(), v.record(v.string(), v.record(v.string(), v.unknown()))),
  health: v.record(v.string(), v.array(v.record(v.string(), v.unknown()))),
});

export const ServerFrameSchema = v.variant("type", [
  v.object({ type: v.literal("hello"), protocol: v.number(), channel: v.string(), epoch: v.string(), head: seq, recovered: v.boolean() }),
  v.object({ type: v.literal("snapshot"), epoch: v.string(), seq, state: stateSchema }),
  v.object({
    type: v.literal("delta"),
    epoch: v.string(),
    seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
    at: v.string(),
    changes: v.array(changeSchema),
    cause: v.optional(v.object({ type: v.string(), id: v.optional(v.string()) })),
  }),
  v.object({ type: v.literal("error"), code: v.string(), message: v.string() }),
  v.object({ type: v.literal("auth-ok"), expiresAt: v.string() }),
  v.object({ type: v.literal("pong") }),
]);

/** Parses and validates a server frame; null when it is not one. */
export function parseServerFrame(text: string): ServerFrame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const result = v.safeParse(ServerFrameSchema, raw);
  // The schema checks the shape; the richer static types describe the same JSON.
  return result.success ? (raw as ServerFrame) : null;
}
