/**
 * The benchmark's events: every target gets the same hub webhook event, a
 * `task.upsert` (never conflated) of its own task, whose event id carries
 * the event's index and its send time, so a client of any target reads both
 * from what it receives (the event itself from a peer, `cause.id` from the hub).
 */
import { ev } from "../../dev/events.ts";
import type { HubEventInput } from "../../protocol/index.ts";
import type { Target } from "../support/peer-bench.ts";

/** The hub's channel (and the partyserver room's name) the benchmark uses. */
export const BENCH_CHANNEL = "bench";

/** The one command of a server process: start (once) and say where it is. */
export type ServerCommand = { readonly cmd: "ready" };

/** What a server process answers to `ready`. */
export interface ServerInfo {
  readonly target: Target;
  readonly wsUrl: string;
  readonly publishUrl: string;
  /** The process whose CPU and RSS are the server's. */
  readonly statsPid: number | null;
}

/** Wall-clock ms comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();

export function benchEvent(index: number, sentAtMs: number): HubEventInput {
  return ev.taskUpsert({ id: index + 1, title: `bench event ${index}`, status: "pending" }, { id: `e${index}_${sentAtMs.toFixed(3)}` });
}

const ID = /^e(\d+)_(\d+(?:\.\d+)?)$/;

export function parseBenchEventId(id: string | undefined): { index: number; sentAtMs: number } | null {
  const match = id === undefined ? null : ID.exec(id);
  return match ? { index: Number(match[1]), sentAtMs: Number(match[2]) } : null;
}
