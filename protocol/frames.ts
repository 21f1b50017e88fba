/**
 * WebSocket frames on `GET /ws/:channel`, split by direction. All frames are
 * JSON text. Server frames are validated by clients at runtime.
 */
import * as v from "valibot";
import { ChangeSchema } from "./changes.ts";
import { ErrorCode } from "./errors.ts";
import { EventSchema } from "./events.ts";
import { ChannelStateSchema } from "./state.ts";

// ---- server → client -------------------------------------------------------

const seq = v.pipe(v.number(), v.integer(), v.minValue(0));

/** To one client, first frame of every connection. `recovered` says whether replay follows (true) or a snapshot (false). */
const HelloFrameSchema = v.object({
  type: v.literal("hello"),
  protocol: v.number(),
  channel: v.string(),
  epoch: v.string(),
  /** The newest seq at the time of connecting. */
  head: seq,
  recovered: v.boolean(),
  /** Since protocol 2: why a snapshot follows, present exactly when `recovered` is false. */
  reason: v.optional(v.picklist(["no-cursor", "epoch-mismatch", "too-old", "ahead", "too-large", "cheaper-snapshot"])),
});

/** To one client: the whole state as of `seq`. Sent when replay is impossible and on `resync`. */
const SnapshotFrameSchema = v.object({ type: v.literal("snapshot"), epoch: v.string(), seq, state: ChannelStateSchema });

/** Why a delta exists: the event that caused it, or the hub itself (agent expiry). */
const DeltaCauseSchema = v.object({
  type: v.picklist([...EventSchema.options.map((event) => event.entries.type.literal), "agent.expired", "agent.purged"]),
  /** The webhook event id, when an event caused it. */
  id: v.optional(v.string()),
  /** A conflated delta (COALESCE_MS): how many events it merges, at least 2; `id` is the newest one's. */
  merged: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2))),
  /** With `merged`: the id of every merged event, oldest first (so each acknowledged event id appears in exactly one delta). */
  ids: v.optional(v.array(v.string())),
});

/** Broadcast (and replayed): seq is exactly +1 over the previous delta of the epoch. */
const DeltaFrameSchema = v.object({
  type: v.literal("delta"),
  epoch: v.string(),
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Server time the delta was committed, ISO-8601. */
  at: v.string(),
  changes: v.pipe(v.array(ChangeSchema), v.readonly()),
  cause: v.optional(DeltaCauseSchema),
});

/**
 * Since protocol 2. Broadcast (and replayed): deltas committed together, or a slice of a replay, in seq order,
 * each exactly +1 over the previous. One delta alone travels as a `delta` frame. At most MAX_FRAME_BYTES,
 * unless a single delta is larger.
 */
const DeltasFrameSchema = v.object({
  type: v.literal("deltas"),
  epoch: v.string(),
  deltas: v.pipe(v.array(DeltaFrameSchema), v.minLength(2), v.readonly()),
});

/** To one client: a problem with what it sent. May be followed by a close. */
const ErrorFrameSchema = v.object({ type: v.literal("error"), code: v.picklist(Object.values(ErrorCode)), message: v.string() });

/** To one client: an `auth` frame was accepted; the connection is authorized until `expiresAt` (ISO-8601). */
const AuthOkFrameSchema = v.object({ type: v.literal("auth-ok"), expiresAt: v.string() });

/** To one client: answer to `ping` (sent by the runtime without waking the object). */
const PongFrameSchema = v.object({ type: v.literal("pong") });

export const ServerFrameSchema = v.variant("type", [
  HelloFrameSchema,
  SnapshotFrameSchema,
  DeltaFrameSchema,
  DeltasFrameSchema,
  ErrorFrameSchema,
  AuthOkFrameSchema,
  PongFrameSchema,
]);

export type HelloFrame = v.InferOutput<typeof HelloFrameSchema>;
export type SnapshotFrame = v.InferOutput<typeof SnapshotFrameSchema>;
export type DeltaCause = v.InferOutput<typeof DeltaCauseSchema>;
export type DeltaFrame = v.InferOutput<typeof DeltaFrameSchema>;
export type DeltasFrame = v.InferOutput<typeof DeltasFrameSchema>;
export type SnapshotReason = NonNullable<HelloFrame["reason"]>;
export type ErrorFrame = v.InferOutput<typeof ErrorFrameSchema>;
export type AuthOkFrame = v.InferOutput<typeof AuthOkFrameSchema>;
export type PongFrame = v.InferOutput<typeof PongFrameSchema>;
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;

/** Parses and validates a server frame; null when it is not one. */
export function parseServerFrame(text: string): ServerFrame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const result = v.safeParse(ServerFrameSchema, raw);
  return result.success ? result.output : null;
}

/** The deltas a frame carries, in order: one for `delta`, several for `deltas`, none for any other frame. */
export function deltasOf(frame: ServerFrame): readonly DeltaFrame[] {
  if (frame.type === "delta") return [frame];
  return frame.type === "deltas" ? frame.deltas : [];
}

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
