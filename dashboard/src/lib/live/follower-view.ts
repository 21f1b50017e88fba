/**
 * A follower tab's copy of the channel: no socket, only what the leader tab
 * relays. The same seq rules as the leader's (ChannelStore): relayed deltas
 * apply in order, a duplicate is skipped, and a gap (or anything that does
 * not fit) asks the leader for its whole state once, until that arrives.
 * The status shown is the leader's, with this tab's own seq.
 */
import type { DeltaFrame } from "../../../../protocol/index.ts";
import { ActivityFeed } from "./activity-feed.ts";
import { ChannelStore, type StoredPosition } from "./channel-store.ts";
import type { SyncSeed } from "./channel-sync.ts";
import type { ActivityEntry, ConnectionStatus } from "./types.ts";

export interface FollowerHooks {
  /** Ask the leader for its whole state. */
  askState(reason: string): void;
  changed(): void;
  log(text: string): void;
}

export const WAITING_FOR_LEADER = "waiting for the tab that holds the connection";

export class FollowerView {
  readonly store = new ChannelStore();
  readonly activity = new ActivityFeed();
  readonly #hooks: FollowerHooks;
  #leaderStatus: ConnectionStatus | null = null;
  #status: ConnectionStatus | null = null;
  #askedForState = false;

  constructor(hooks: FollowerHooks) {
    this.#hooks = hooks;
  }

  /** A state to show before the leader answers (this tab's cache). */
  paint(position: StoredPosition): boolean {
    if (this.store.state || !this.store.applySnapshot(position)) return false;
    this.#changed();
    return true;
  }

  /** Asks for the leader's state, at most once until it arrives. */
  join(reason: string): void {
    if (this.#askedForState) return;
    this.#askedForState = true;
    this.#hooks.askState(reason);
  }

  /** The leader's whole state: taken unless this tab is already at that seq. */
  state(position: StoredPosition | null, activity: readonly ActivityEntry[], status: ConnectionStatus): void {
    this.#askedForState = false;
    const cursor = this.store.cursor;
    const same = position !== null && cursor !== null && cursor.epoch === position.epoch && cursor.seq === position.seq;
    if (position && !same && this.store.applySnapshot(position)) {
      this.activity.seed(activity);
      this.#hooks.log(`took the leader tab's state at seq ${position.seq}`);
    }
    this.leaderStatus(status);
  }

  snapshot(position: StoredPosition): void {
    if (this.store.applySnapshot(position)) this.#hooks.log(`the leader tab applied a snapshot at seq ${position.seq}`);
    this.#changed();
  }

  deltas(deltas: readonly DeltaFrame[]): void {
    const { applied, stopped } = this.store.applyDeltas(deltas);
    for (const delta of applied) this.activity.add(delta);
    if (stopped) this.join(`relayed delta ${stopped.delta.seq} does not follow (${stopped.outcome.kind}): asking the leader tab for its state`);
    if (applied.length > 0) this.#changed();
  }

  leaderStatus(status: ConnectionStatus): void {
    this.#leaderStatus = status;
    this.#changed();
  }

  /** The leader stopped: until the next one speaks, the status says so. */
  leaderLeft(): void {
    this.#leaderStatus = null;
    this.#changed();
  }

  /** What a follower taking over as leader starts from; null when it has nothing trustworthy. */
  get seed(): SyncSeed | null {
    const position = this.store.diverged ? null : this.store.position;
    return position ? { position, activity: this.activity.entries } : null;
  }

  get status(): ConnectionStatus {
    return (this.#status ??= this.#computeStatus());
  }

  #computeStatus(): ConnectionStatus {
    const own = { seq: this.store.seq, epoch: this.store.epoch };
    const leader = this.#leaderStatus;
    if (!leader) {
      return { phase: "connecting", transport: null, attempt: 0, nextRetryAtMs: null, behind: 0, rttMs: null, message: WAITING_FOR_LEADER, closeCode: null, ...own };
    }
    // Relayed deltas arrive before the status that counts them: only a follower behind the leader adds to `behind`.
    const lag = leader.seq !== null && (own.seq === null || own.epoch !== leader.epoch) ? Math.max(1, leader.seq) : Math.max(0, (leader.seq ?? 0) - (own.seq ?? 0));
    const phase = lag > 0 && leader.phase === "live" ? "catching-up" : leader.phase;
    return { ...leader, ...own, phase, behind: leader.behind + lag };
  }

  #changed(): void {
    this.#status = null;
    this.#hooks.changed();
  }
}
