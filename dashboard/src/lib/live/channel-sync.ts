/**
 * The store plus what the client knows of the server's position (the head
 * seq, whether a snapshot is on its way). Transport-agnostic: the WebSocket
 * and the polling fallback feed it the same frames, and its seq rules are
 * what make switching between them lose and repeat nothing.
 */
import { emptyState, type ChannelState, type DeltaFrame, type HelloFrame } from "../../../../protocol/index.ts";
import { ActivityFeed } from "./activity-feed.ts";
import { ChannelStore, type RefusedOutcome, type StoredPosition } from "./channel-store.ts";
import type { ActivityEntry, ReplayStats } from "./types.ts";

export interface SyncHooks {
  log(text: string): void;
  /** The state moved forward (a snapshot or a delta was applied). */
  applied(): void;
  /** Told exactly what was applied, in order (the leader tab relays it to the others: shared-live-channel.ts). */
  relay?: SyncRelay;
}

export interface SyncSeed {
  readonly position: StoredPosition;
  /** Newest first. */
  readonly activity: readonly ActivityEntry[];
}

export interface SyncRelay {
  snapshot(position: StoredPosition): void;
  deltas(deltas: readonly DeltaFrame[]): void;
}

export class ChannelSync {
  readonly store = new ChannelStore();
  readonly activity = new ActivityFeed();
  /** The newest seq known to exist in #headEpoch (from hello, deltas, polls). */
  #head = 0;
  #headEpoch: string | null = null;
  #awaitingSnapshot = false;
  readonly #replays: ReplayStats;
  readonly #hooks: SyncHooks;

  /** `seed`: a state another tab already held (a follower taking over as leader) and its feed, instead of starting empty. */
  constructor(replays: ReplayStats, hooks: SyncHooks, seed?: SyncSeed) {
    this.#replays = replays;
    this.#hooks = hooks;
    if (!seed) return;
    this.store.applySnapshot(seed.position);
    this.activity.seed(seed.activity);
  }

  /** A snapshot was asked for (resync): not caught up until it arrives. */
  expectSnapshot(): void {
    this.#awaitingSnapshot = true;
  }

  /** A connection ended: what it promised no longer comes. */
  connectionEnded(): void {
    this.#awaitingSnapshot = false;
  }

  hello(hello: HelloFrame): void {
    this.#seeHead(hello.epoch, hello.head, true);
    if (hello.recovered) {
      this.#replays.recovered++;
      this.#hooks.log(`hello: resuming after seq ${this.store.seq}, ${this.behind} deltas to replay`);
    } else {
      this.#awaitingSnapshot = true;
      this.#hooks.log(`hello: a snapshot follows (head ${hello.head}${hello.reason ? `, ${hello.reason}` : ""})`);
    }
  }

  /** The head a deltas response reported. */
  head(epoch: string, head: number): void {
    this.#seeHead(epoch, head);
  }

  snapshot(snapshot: { readonly epoch: string; readonly seq: number; readonly state: ChannelState }): void {
    if (this.store.applySnapshot(snapshot)) {
      this.#replays.snapshots++;
      this.#hooks.log(`snapshot applied at seq ${snapshot.seq}`);
      this.#hooks.relay?.snapshot({ epoch: snapshot.epoch, seq: snapshot.seq, state: snapshot.state });
      this.#hooks.applied();
    } else {
      this.#hooks.log(`ignored an older snapshot (seq ${snapshot.seq} < ${this.store.seq})`);
    }
    this.#seeHead(snapshot.epoch, snapshot.seq);
    this.#awaitingSnapshot = false;
  }

  /**
   * Forgets the channel's state (it was deleted): an empty state under an
   * epoch the hub never makes, so the next resume is answered with a snapshot.
   */
  dropState(): void {
    this.#hooks.log("the channel was deleted; its state is dropped");
    this.snapshot({ epoch: "", seq: 0, state: emptyState() });
  }

  /** Applies a delta if it is the next one; returns why a snapshot is needed, or null. */
  delta(delta: DeltaFrame): string | null {
    return this.deltas([delta]);
  }

  /**
   * Applies deltas in order as one update (one `applied`); stops at the first that does not fit (a gap, a
   * conflict) and returns why a snapshot is needed, or null. Duplicates are skipped.
   */
  deltas(deltas: readonly DeltaFrame[]): string | null {
    const { applied, stopped } = this.store.applyDeltas(deltas);
    for (const delta of applied) {
      this.activity.add(delta);
      this.#seeHead(delta.epoch, delta.seq);
    }
    if (applied.length > 0) {
      this.#hooks.relay?.deltas(applied);
      this.#hooks.applied();
    }
    return stopped ? this.#problem(stopped.delta, stopped.outcome) : null;
  }

  #problem(delta: DeltaFrame, outcome: RefusedOutcome): string {
    switch (outcome.kind) {
      case "gap":
        this.#replays.gaps++;
        this.#seeHead(delta.epoch, delta.seq);
        return `gap: got seq ${delta.seq}, expected ${outcome.expected}`;
      case "conflict":
        return `delta ${delta.seq} does not fit the state (${outcome.reason})`;
      case "epoch-mismatch":
        return `delta ${delta.seq} is from epoch ${delta.epoch}, the state from ${this.store.epoch}`;
      case "no-base":
        return `delta ${delta.seq} arrived before any snapshot`;
    }
  }

  /** Deltas (or a snapshot: at least 1) between the applied state and the head. */
  get behind(): number {
    if (this.#headEpoch === null) return 0;
    const seq = this.store.seq;
    const sameEpoch = seq !== null && this.store.epoch === this.#headEpoch;
    const behind = Math.max(0, this.#head - (sameEpoch ? seq : 0));
    return this.#awaitingSnapshot || this.store.diverged || !sameEpoch ? Math.max(1, behind) : behind;
  }

  get caughtUp(): boolean {
    return this.#headEpoch !== null && this.behind === 0;
  }

  #seeHead(epoch: string, seq: number, authoritative = false): void {
    if (authoritative || epoch !== this.#headEpoch) {
      this.#headEpoch = epoch;
      this.#head = seq;
    } else {
      this.#head = Math.max(this.#head, seq);
    }
  }
}
