/** HTTP headers, request and response bodies of the hub (the paths are in routes.ts). */
import * as v from "valibot";
import { ChangeSchema } from "./changes.ts";
import { isChannelName } from "./channel.ts";
import type { DeltaFrame, SnapshotReason } from "./frames.ts";
import { MAX_TICKET_TTL_SECONDS } from "./limits.ts";
import type { ChannelState } from "./state.ts";

export const HEADER_TIMESTAMP = "X-Hub-Timestamp";
export const HEADER_SIGNATURE = "X-Hub-Signature";

/** 202 answer to a webhook, sent after the events are durably stored. */
export interface WebhookAccepted {
  /** Events applied (or accepted with no visible change). */
  readonly accepted: number;
  /** Events whose id this channel had already accepted. */
  readonly duplicates: number;
  /** Events older than the last change applied to their entity. */
  readonly stale: number;
  /** The channel's newest seq after this request. */
  readonly head: number;
}

/** In a ticket's channel list: every channel. */
export const ALL_CHANNELS = "*";

/** `POST /api/auth/ticket` body; `{}` (or no body) asks for every channel for the default lifetime. */
export const TicketRequestSchema = v.object({
  /** Channel names, or "*" for all. Default ["*"]. */
  channels: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.check((s) => s === ALL_CHANNELS || isChannelName(s), 'each channel must be a channel name or "*"'))),
      v.minLength(1, "must name at least one channel"),
      v.maxLength(100, "must name at most 100 channels"),
    ),
  ),
  /** Lifetime in seconds; default TICKET_TTL_SECONDS (600). */
  ttlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TICKET_TTL_SECONDS))),
});

export type TicketRequest = v.InferInput<typeof TicketRequestSchema>;

export interface TicketResponse {
  readonly ticket: string;
  readonly expiresAt: string;
  readonly channels: readonly string[];
}

export interface SnapshotResponse {
  readonly epoch: string;
  readonly seq: number;
  readonly state: ChannelState;
}

export type DeltasResponse =
  | { readonly recovered: true; readonly epoch: string; readonly head: number; readonly deltas: readonly DeltaFrame[] }
  /** `reason`: as in `hello` (since protocol 2). */
  | { readonly recovered: false; readonly reason?: SnapshotReason; readonly snapshot: SnapshotResponse };

export interface ChannelSummary {
  readonly channel: string;
  readonly epoch: string;
  readonly head: number;
  /** Server time of the last committed delta or connection change, ISO-8601 (null if never). */
  readonly lastActivityAt: string | null;
  readonly connections: number;
}

/** One page of `GET /api/channels?limit=&cursor=`, in name order. */
export interface ChannelsResponse {
  readonly channels: readonly ChannelSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface ChannelMetrics {
  readonly channel: string;
  readonly connections: { readonly now: number; readonly peak: number };
  readonly framesOut: number;
  readonly bytesOut: number;
  readonly events: { readonly accepted: number; readonly duplicate: number; readonly stale: number; readonly rejected: number };
  readonly replays: { readonly recovered: number; readonly snapshot: number };
  /** Worker receipt → broadcast, over the last samples since the object last started. */
  readonly ingestToBroadcastMs: { readonly p50: number | null; readonly p99: number | null; readonly samples: number };
  readonly log: { readonly epoch: string; readonly head: number; readonly oldest: number };
}

/** Default and largest page of `GET /api/channels/:channel/tasks/:tag/:id/history`. */
export const DEFAULT_TASK_HISTORY_LIMIT = 50;
export const MAX_TASK_HISTORY_LIMIT = 200;

const historySeq = v.pipe(v.number(), v.integer(), v.minValue(0));

/** One retained delta that changed the task, reduced to that task's changes. */
const TaskHistoryItemSchema = v.object({
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Server time the delta was committed, ISO-8601 (the delta frame's `at`). */
  at: v.string(),
  changes: v.array(ChangeSchema),
  /** The event that caused the delta, as in the delta frame. */
  cause: v.optional(v.object({ type: v.string(), id: v.optional(v.string()), merged: v.optional(v.number()), ids: v.optional(v.array(v.string())) })),
});

/**
 * A task's history, newest first: the retained deltas that set, patched or removed
 * the task (a subtask's changes travel in its parent task's). Ask again with
 * `before=nextBefore` for older items; null means nothing older is retained.
 */
export const TaskHistoryResponseSchema = v.object({
  epoch: v.string(),
  tag: v.string(),
  id: v.string(),
  items: v.array(TaskHistoryItemSchema),
  nextBefore: v.nullable(historySeq),
  /** The oldest seq the log still holds: history older than this is gone (see the retention rule). */
  oldestRetainedSeq: historySeq,
  head: historySeq,
});

export type TaskHistoryItem = v.InferOutput<typeof TaskHistoryItemSchema>;
export type TaskHistoryResponse = v.InferOutput<typeof TaskHistoryResponseSchema>;
