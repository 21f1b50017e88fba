/**
 * Svelte face of the framework-free LiveChannel: reactive getters over its
 * state, status, activity and debug info. LiveChannel already batches its
 * notifications to at most one per animation frame; under a busy feed the
 * readers re-run at most once per RENDER_INTERVAL_MS however many deltas
 * arrive, while sparse changes render at once (renderPacer). The tabs showing one
 * channel share one socket (SharedLiveChannel: one leader tab connects, the
 * others follow it over a BroadcastChannel).
 */
import { createSubscriber } from "svelte/reactivity";
import type { ChannelState } from "../../../protocol/index.ts";
import {
  renderPacer,
  SharedLiveChannel,
  systemClock,
  type ActivityEntry,
  type ConnectionStatus,
  type DebugInfo,
  type StateCache,
  type TabRole,
  type TicketSource,
} from "./live/index.ts";

export interface LiveChannelViewOptions {
  readonly baseUrl: string;
  readonly channel: string;
  readonly tickets: TicketSource;
  /** The session's cache: signing out revokes and clears it. */
  readonly cache: StateCache;
}

export class LiveChannelView {
  readonly channel: string;
  readonly #live: SharedLiveChannel;
  readonly #subscribe: () => void;

  constructor(options: LiveChannelViewOptions) {
    this.channel = options.channel;
    this.#live = new SharedLiveChannel(options);
    this.#subscribe = createSubscriber((update) => {
      const pacer = renderPacer(update, systemClock);
      const unsubscribe = this.#live.subscribe(() => pacer.changed());
      return () => {
        unsubscribe();
        pacer.cancel();
      };
    });
  }

  start(): void {
    this.#live.start();
  }

  stop(): void {
    this.#live.stop();
  }

  /** After "denied" or "offline": try again now. */
  retry(): void {
    this.#live.retry();
  }

  /**
   * The applied state (null until the cache or the first snapshot). Deltas
   * are applied copy-on-write: a changed part is a new object, an unchanged
   * one keeps its identity.
   */
  get state(): ChannelState | null {
    this.#subscribe();
    return this.#live.state;
  }

  get status(): ConnectionStatus {
    this.#subscribe();
    return this.#live.status;
  }

  get activity(): readonly ActivityEntry[] {
    this.#subscribe();
    return this.#live.activity;
  }

  /** Whether this tab holds the channel's socket ("leader"), follows the tab that does, or connects alone (no Web Locks/BroadcastChannel). */
  get role(): TabRole {
    this.#subscribe();
    return this.#live.role;
  }

  get debug(): DebugInfo {
    this.#subscribe();
    return this.#live.debug;
  }
}
