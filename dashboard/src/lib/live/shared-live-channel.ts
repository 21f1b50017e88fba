/**
 * One WebSocket per browser for a channel, however many tabs show it. The
 * tabs ask for the Web Lock `taskmaster-live:channel:<c>`; the holder is the
 * leader and runs the whole LiveChannel (socket, replay, polling fallback,
 * ticket renewal, denied/offline). It relays over the BroadcastChannel of the
 * same name exactly what it applied (snapshots, deltas in seq order) and its
 * status; the other tabs follow (follower-view.ts) without a socket.
 *
 * When the leader's tab closes, the browser releases its lock and the next
 * tab in line becomes leader: its LiveChannel starts from the state it
 * followed (not the cache), so its first connect resumes from its last seq
 * (a replay when the gap is small). Without Web Locks or BroadcastChannel
 * every tab runs its own LiveChannel, as before.
 */
import * as v from "valibot";
import { ClientFrameSchema, messageOf, type ClientFrame, type ChannelState } from "../../../../protocol/index.ts";
import { defaultFrameScheduler, systemClock } from "./browser-defaults.ts";
import type { StoredPosition } from "./channel-store.ts";
import type { SyncRelay, SyncSeed } from "./channel-sync.ts";
import { DebugRecorder } from "./debug-recorder.ts";
import { FrameNotifier } from "./frame-notifier.ts";
import { FollowerView } from "./follower-view.ts";
import { LiveChannel } from "./live-channel.ts";
import { parseTabMessage, type TabMessage, type TabMessageBody } from "./tab-messages.ts";
import { browserTabSharing, tabSharingName, type TabPort, type TabSharing } from "./tab-sharing.ts";
import type { ActivityEntry, Clock, ConnectionStatus, DebugInfo, FrameScheduler, LiveChannelOptions } from "./types.ts";

export interface SharedLiveChannelOptions extends Omit<LiveChannelOptions, "relay" | "seed"> {
  /** Default: the browser's Web Locks and BroadcastChannel; null: this tab connects alone. */
  sharing?: TabSharing | null;
  /** This tab's id in messages. Default: random. */
  tabId?: string;
}

/** leader: this tab holds the socket; follower: another tab does; alone: no sharing (or stopped). */
export type TabRole = "leader" | "follower" | "alone";

/** The longest a hidden leader tab (no animation frames) waits before relaying its status. */
const HIDDEN_TAB_NOTIFY_MS = 250;

export class SharedLiveChannel {
  readonly channel: string;
  readonly #options: SharedLiveChannelOptions;
  readonly #sharing: TabSharing | null;
  readonly #tabId: string;
  readonly #clock: Clock;
  readonly #scheduleFrame: FrameScheduler;
  readonly #notifier: FrameNotifier;
  readonly #debug = new DebugRecorder();
  #follower: FollowerView | null = null;
  #leader: LiveChannel | null = null;
  #port: TabPort | null = null;
  #abortLockRequest: AbortController | null = null;
  #releaseLock: (() => void) | null = null;
  #running = false;
  #postedStatus: ConnectionStatus | null = null;
  /** The tab whose relays this follower takes; a late "leaving" of an earlier leader is not about it. */
  #leaderId: string | null = null;

  constructor(options: SharedLiveChannelOptions) {
    this.channel = options.channel;
    this.#options = options;
    this.#sharing = options.sharing === undefined ? browserTabSharing() : options.sharing;
    this.#tabId = options.tabId ?? Math.random().toString(36).slice(2);
    this.#clock = options.clock ?? systemClock;
    this.#scheduleFrame = options.scheduleFrame ?? defaultFrameScheduler();
    this.#notifier = new FrameNotifier(this.#scheduleFrame, (text) => this.#log(text));
  }

  get role(): TabRole {
    return this.#leader && this.#port ? "leader" : this.#follower ? "follower" : "alone";
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const sharing = this.#sharing;
    if (!sharing) return this.#startLeader(null, null);
    const name = tabSharingName(this.channel);
    this.#log(`following the tab that holds the connection (lock ${name})`);
    this.#follower = this.#newFollower();
    const cached = this.#options.cache?.load(this.channel);
    if (cached && this.#follower.paint(cached)) this.#log(`painted the cached state (seq ${cached.seq})`);
    this.#port = sharing.open(name, (data) => this.#receive(data));
    const abort = (this.#abortLockRequest = new AbortController());
    sharing.locks
      .request(name, { signal: abort.signal }, () => new Promise<void>((release) => this.#takeLead(release)))
      .catch((error: unknown) => {
        if (!abort.signal.aborted) this.#log(`the lock request failed: ${messageOf(error)}`);
      });
    this.#follower.join("joined");
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.#leader && this.#port) this.#post({ type: "leaving" });
    this.#leader?.stop();
    this.#leader = null;
    this.#follower = null;
    this.#abortLockRequest?.abort();
    this.#abortLockRequest = null;
    this.#releaseLock?.();
    this.#releaseLock = null;
    this.#port?.close();
    this.#port = null;
    this.#postedStatus = null;
    this.#changed();
  }

  /** In a follower, the leader retries (one socket for all tabs). */
  retry(): void {
    if (this.#leader || !this.#running) return this.#leader ? this.#leader.retry() : this.start();
    this.#post({ type: "retry" });
  }

  send(frame: ClientFrame): void {
    if (this.#leader) return this.#leader.send(frame);
    if (this.#running) this.#post({ type: "send", text: JSON.stringify(frame) });
  }

  saveCache(): void {
    this.#leader?.saveCache();
  }

  get state(): ChannelState | null {
    return this.#leader?.state ?? this.#follower?.store.state ?? null;
  }

  get status(): ConnectionStatus {
    return this.#leader?.status ?? this.#follower?.status ?? STOPPED_STATUS;
  }

  get activity(): readonly ActivityEntry[] {
    return this.#leader?.activity ?? this.#follower?.activity.entries ?? [];
  }

  get debug(): DebugInfo {
    return this.#leader?.debug ?? this.#debug.info(this.#clock.now());
  }

  subscribe(listener: () => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  /** The lock is ours (the previous leader's tab closed or stopped, or there was none). */
  #takeLead(release: () => void): void {
    if (!this.#running || !this.#port) return release();
    this.#releaseLock = release;
    const seed = this.#follower?.seed ?? null;
    this.#follower = null;
    this.#log(seed ? `now the leader tab: resuming from seq ${seed.position.seq}` : "now the leader tab");
    this.#startLeader(seed, this.#port);
  }

  #startLeader(seed: SyncSeed | null, port: TabPort | null): void {
    const { sharing: _sharing, tabId: _tabId, ...options } = this.#options;
    const relay: SyncRelay | null = port && {
      snapshot: (position) => this.#post({ type: "snapshot", position }),
      deltas: (deltas) => this.#post({ type: "deltas", deltas }),
    };
    const live = new LiveChannel({
      ...options,
      ...(relay && { relay, scheduleFrame: frameOrTimeout(this.#scheduleFrame, this.#clock, HIDDEN_TAB_NOTIFY_MS) }),
      ...(seed && { seed }),
    });
    this.#leader = live;
    // The leader's LiveChannel already notifies once per frame: pass it on at once.
    live.subscribe(() => {
      this.#postStatus();
      this.#notifier.notifyNow();
    });
    live.start();
    if (port) this.#postState(live);
  }

  #postState(live: LiveChannel): void {
    this.#post({ type: "state", position: positionOf(live), activity: live.activity, status: live.status });
  }

  #receive(data: unknown): void {
    const message = parseTabMessage(data);
    if (!message || !this.#running) return;
    if (this.#leader) return this.#lead(message);
    const follower = this.#follower;
    if (!follower) return;
    if (message.type === "leaving") {
      if (message.from !== this.#leaderId) return;
      this.#log("the leader tab left; the next tab takes over");
      return follower.leaderLeft();
    }
    if (message.type !== "want-state" && message.type !== "retry" && message.type !== "send") this.#leaderId = message.from;
    switch (message.type) {
      case "state":
        return follower.state(message.position, message.activity, message.status);
      case "snapshot":
        return follower.snapshot(message.position);
      case "deltas":
        return follower.deltas(message.deltas);
      case "status":
        return follower.leaderStatus(message.status);
    }
  }

  /** What followers ask the leader. */
  #lead(message: TabMessage): void {
    const live = this.#leader;
    if (!live) return;
    if (message.type === "want-state") {
      this.#postState(live);
    } else if (message.type === "retry") {
      live.retry();
    } else if (message.type === "send") {
      const frame = clientFrameOf(message.text);
      if (frame) live.send(frame);
    }
  }

  #newFollower(): FollowerView {
    return new FollowerView({
      askState: (reason) => {
        this.#log(`asking the leader tab for its state (${reason})`);
        this.#post({ type: "want-state" });
      },
      changed: () => this.#changed(),
      log: (text) => this.#log(text),
    });
  }

  #postStatus(): void {
    const status = this.#leader?.status;
    if (!status || !this.#port || status === this.#postedStatus) return;
    this.#postedStatus = status;
    this.#post({ type: "status", status });
  }

  #post(body: TabMessageBody): void {
    try {
      this.#port?.post({ ...body, from: this.#tabId });
    } catch (error) {
      this.#log(`could not tell the other tabs: ${messageOf(error)}`);
    }
  }

  #log(text: string): void {
    this.#debug.log(this.#clock.now(), text);
  }

  /** Follower changes (and stop): at most one notification per frame, like LiveChannel's. */
  #changed(): void {
    this.#notifier.changed();
  }
}

/** A follower's frame for the hub, or null when it is not one. */
function clientFrameOf(text: string): ClientFrame | null {
  try {
    const parsed = v.safeParse(ClientFrameSchema, JSON.parse(text));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}

function positionOf(live: LiveChannel): StoredPosition | null {
  const { state, status } = live;
  return state && status.epoch !== null && status.seq !== null ? { epoch: status.epoch, seq: status.seq, state } : null;
}

const STOPPED_STATUS: ConnectionStatus = { phase: "offline", transport: null, attempt: 0, nextRetryAtMs: null, behind: 0, seq: null, epoch: null, rttMs: null, message: "stopped", closeCode: null };

/** The next animation frame, or `maxWaitMs` when none comes first (a hidden tab gets no frames, yet its followers need its status). */
export function frameOrTimeout(scheduleFrame: FrameScheduler, clock: Clock, maxWaitMs: number): FrameScheduler {
  return (callback) => {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      cancel();
      callback();
    };
    const cancel = clock.schedule(once, maxWaitMs);
    scheduleFrame(once);
  };
}
