/**
 * The channel object's side of its viewer shards: which exist (kept in the
 * object's storage, written only when one is added or dropped, never per
 * connect), where the next socket goes, and one ShardFeeder per shard that
 * carries every commit's deltas to it in order. The object stays the thin
 * adapter: it calls place/report/feed/closeAll and answers the shards' RPCs.
 */
import { CloseCode } from "../../protocol/index.ts";
import type { SizedDelta } from "../channel/replay-budget.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import { MAX_FEED_FAILURES, ShardFeeder, type FeedAnswer } from "./shard-feeder.ts";
import { shardStub } from "./shard-stub.ts";
import { ShardTable } from "./shard-table.ts";

/** Storage key of the channel's viewer shards (their numbers), read back after an eviction. */
const SHARDS_KEY = "viewer-shards";

/** What the channel's object provides. */
export interface ShardFleetHost {
  readonly env: Env;
  readonly channel: string;
  /** The object's synchronous key-value storage. */
  readonly kv: SyncKvStorage;
  /** The channel's current epoch (a feed carries it). */
  epoch(): string;
  /** Frames and bytes a shard reports it sent (the channel's counters). */
  count(frames: number, bytes: number): void;
  waitUntil(promise: Promise<unknown>): void;
}

export class ShardFleet {
  readonly #host: ShardFleetHost;
  readonly #table: ShardTable;
  readonly #feeders = new Map<number, ShardFeeder>();

  constructor(host: ShardFleetHost, shardSize: number) {
    this.#host = host;
    this.#table = new ShardTable(shardSize, host.kv.get<number[]>(SHARDS_KEY) ?? []);
  }

  /** Sockets on the shards, as last reported. */
  get sockets(): number {
    return this.#table.sockets;
  }

  /** The last seq shard `shard` is known to have, if it is fed. */
  fedThrough(shard: number): number | undefined {
    return this.#feeders.get(shard)?.fedThrough;
  }

  /** The shard caught up to `seq` by itself (a gap fetch). */
  reached(shard: number, seq: number): void {
    this.#feeders.get(shard)?.reached(seq);
  }

  /** The shard the next socket goes to (the lowest with room, or a new one), fed from `head` on. */
  place(head: number): number {
    const { shard, added } = this.#table.place();
    if (added) this.#save();
    this.#feeder(shard, head);
    return shard;
  }

  /** A shard's socket count after a connect or close: 0 stops its feeding; otherwise it is fed from `head` on. */
  report(shard: number, sockets: number, head: number): void {
    if (sockets === 0) return this.#drop(shard);
    if (this.#table.report(shard, sockets)) this.#save();
    this.#feeder(shard, head);
  }

  /** A commit's deltas with their sizes (measured once, here), to every shard. */
  feed(deltas: readonly SizedDelta[]): void {
    // A shard read back after an eviction has no feeder yet: its sockets were fed up to the commits before it.
    for (const shard of this.#table.shards) if (!this.#feeders.has(shard)) this.#feeder(shard, deltas[0]!.delta.seq - 1);
    // Only what a shard sends: the task refs of a new delta stay here.
    const rows = deltas.map(({ delta: { seq, atMs, json }, bytes }) => ({ delta: { seq, atMs, json }, bytes }));
    for (const feeder of this.#feeders.values()) feeder.push(rows);
  }

  /** The channel was deleted: every shard closes its sockets with 4404, and none is fed again. */
  closeAll(): void {
    const { env, channel } = this.#host;
    for (const shard of this.#table.shards) {
      this.#host.waitUntil(
        shardStub(env, channel, shard)
          .closeAll(CloseCode.CHANNEL_DELETED, "channel deleted")
          .catch((error: unknown) => logLine("error", { where: "shard-close", channel, shard, ...errorFields(error) })),
      );
    }
    this.#table.clear();
    this.#feeders.clear();
  }

  #feeder(shard: number, fedThrough: number): void {
    const existing = this.#feeders.get(shard);
    if (existing) return existing.reached(fedThrough);
    const { env, channel } = this.#host;
    const stub = shardStub(env, channel, shard);
    const feeder = new ShardFeeder(
      fedThrough,
      (after, deltas) => stub.feed(this.#host.epoch(), after, [...deltas]),
      (answer: FeedAnswer) => {
        this.#host.count(answer.frames, answer.bytes);
        if (answer.sockets === 0) this.#drop(shard);
        else this.#table.report(shard, answer.sockets);
      },
      (error, failures) => {
        logLine("error", { where: "shard-feed", channel, shard, failures, ...errorFields(error) });
        if (failures >= MAX_FEED_FAILURES) this.#drop(shard);
      },
    );
    this.#feeders.set(shard, feeder);
  }

  #drop(shard: number): void {
    this.#feeders.delete(shard);
    if (this.#table.drop(shard)) this.#save();
  }

  /** Only when the set of shards changes (a shard added or emptied), never per connect. */
  #save(): void {
    this.#host.kv.put(SHARDS_KEY, this.#table.shards);
  }
}
