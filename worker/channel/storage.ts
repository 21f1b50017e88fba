/**
 * Durable storage of one channel, behind a small interface so the channel
 * logic runs on SQLite in the Durable Object and on memory in unit tests.
 * Every method is synchronous: the Durable Object's SQLite API is, and it
 * keeps replay free of interleaving.
 */
import type { HealthSample } from "../../protocol/index.ts";

/** An entity row; value null is a tombstone. */
export interface StoredEntity {
  readonly key: string;
  readonly version: number;
  readonly value: unknown;
}

export interface StoredDelta {
  readonly seq: number;
  /** Commit time. */
  readonly atMs: number;
  /** The delta frame, serialised once at commit and sent as is. */
  readonly json: string;
}

/** A delta being committed, with what the task history index needs (see task-history.ts). */
export interface NewDelta extends StoredDelta {
  /** The tasks the delta changes. */
  readonly tasks: readonly TaskRef[];
}

/** A task by tag and id (a top-level task: subtasks change inside their parent). */
export interface TaskRef {
  readonly tag: string;
  readonly id: string;
}

export interface HealthAppend {
  readonly source: string;
  readonly sample: HealthSample;
  readonly limit: number;
}

export const COUNTER_NAMES = [
  "eventsAccepted",
  "eventsDuplicate",
  "eventsStale",
  "eventsRejected",
  "framesOut",
  "bytesOut",
  "replaysRecovered",
  "replaysSnapshot",
  "peakConnections",
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

/** Everything one webhook request changes, written atomically. */
export interface CommitBatch {
  readonly eventIds: readonly string[];
  readonly receivedAtMs: number;
  readonly entities: readonly StoredEntity[];
  readonly health: readonly HealthAppend[];
  readonly deltas: readonly NewDelta[];
  readonly counters: Partial<Counters>;
  /** The held conflated updates (coalescer.ts) as JSON, null when none is held; absent: unchanged. */
  readonly pendingJson?: string | null;
}

/** `epoch`: the channel's epoch; `pending`: the held conflated updates, written by commit. */
export type MetaName = "epoch" | "pending";

/**
 * Reading never writes: until the first write, every read answers "empty"
 * and the storage holds nothing (not even its schema), so a viewer asking
 * about a channel that does not exist leaves no trace.
 */
export interface ChannelStorage {
  /** True once anything was written. */
  exists(): boolean;
  /** A small key/value area for the epoch and the held conflated updates. */
  getMeta(name: MetaName): string | null;
  setMeta(name: "epoch", value: string): void;
  /** Newest seq, 0 if none. */
  head(): number;
  /** Oldest retained seq, head + 1 if the log is empty. */
  oldest(): number;
  entities(): StoredEntity[];
  /** All retained samples, oldest first within each source. */
  healthSamples(): { source: string; sample: HealthSample }[];
  /** Which of these event ids were seen: a batch's duplicates in one read. */
  knownEvents(ids: readonly string[]): Set<string>;
  /** Atomic: all of it or none of it. */
  commit(batch: CommitBatch): void;
  deltasAfter(seq: number, limit: number): StoredDelta[];
  /** UTF-8 bytes of the stored deltas with seq in (after, upTo]: the cost of replaying them, without reading them out. */
  deltaBytes(after: number, upTo: number): number;
  firstSeqAtOrAfter(ms: number): number;
  trim(deltasBefore: number, eventIdsBeforeMs: number): void;
  /** Deletes tombstones (rows with a null value) whose version is older than the time; returns how many. */
  purgeTombstones(versionBeforeMs: number): number;
  counters(): Counters;
  addCounters(increments: Partial<Counters>): void;
  raiseCounter(name: CounterName, atLeast: number): void;
  /** Retained deltas that changed this task with seq < `before`, newest first, at most `limit`. */
  taskDeltasBefore(tag: string, id: string, before: number, limit: number): StoredDelta[];
}

export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;
}
