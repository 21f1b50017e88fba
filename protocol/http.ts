/** HTTP paths, headers and response bodies of the hub. */
import type { DeltaFrame } from "./frames.ts";
import type { ChannelState } from "./state.ts";

export const HEADER_TIMESTAMP = "X-Hub-Timestamp";
export const HEADER_SIGNATURE = "X-Hub-Signature";

export const Paths = {
  webhook: (channel: string) => `/webhooks/${encodeURIComponent(channel)}`,
  socket: (channel: string) => `/ws/${encodeURIComponent(channel)}`,
  ticket: "/api/auth/ticket",
  health: "/api/health",
  channels: "/api/channels",
  snapshot: (channel: string) => `/api/channels/${encodeURIComponent(channel)}/snapshot`,
  deltas: (channel: string) => `/api/channels/${encodeURIComponent(channel)}/deltas`,
  metrics: (channel: string) => `/api/channels/${encodeURIComponent(channel)}/metrics`,
} as const;

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

export interface TicketRequest {
  /** Channel names, or "*" for all. Default ["*"]. */
  readonly channels?: readonly string[];
  /** Lifetime in seconds; default 600. */
  readonly ttlSeconds?: number;
}

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
  | { readonly recovered: false; readonly snapshot: SnapshotResponse };

export interface ChannelSummary {
  readonly channel: string;
  readonly epoch: string;
  readonly head: number;
  /** Server time of the last committed delta or connection change, ISO-8601 (null if never). */
  readonly lastActivityAt: string | null;
  readonly connections: number;
}

export interface ChannelsResponse {
  readonly channels: readonly ChannelSummary[];
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
