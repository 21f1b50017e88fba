/**
 * The channel list with live activity: polls GET /api/channels and keeps, per
 * channel, how fast its head moved between polls.
 */
import { Paths, type ChannelSummary, type ChannelsResponse } from "../../../protocol/index.ts";
import { getJson, HubRequestError } from "./api/rest-client.ts";
import type { TicketSource } from "./live/index.ts";

export const CHANNELS_POLL_INTERVAL_MS = 3000;

export interface ChannelActivity extends ChannelSummary {
  /** Deltas committed since the previous poll, per minute; null on the first poll. */
  readonly deltasPerMinute: number | null;
}

export class ChannelsPoller {
  #channels = $state<readonly ChannelActivity[] | null>(null);
  #error = $state<string | null>(null);
  #denied = $state(false);
  #lastPollAtMs = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #abort: AbortController | null = null;
  readonly #baseUrl: string;
  readonly #tickets: TicketSource;

  constructor(baseUrl: string, tickets: TicketSource) {
    this.#baseUrl = baseUrl;
    this.#tickets = tickets;
  }

  get channels(): readonly ChannelActivity[] | null {
    return this.#channels;
  }
  get error(): string | null {
    return this.#error;
  }
  get denied(): boolean {
    return this.#denied;
  }

  start(): void {
    void this.#poll();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  async #poll(): Promise<void> {
    this.#abort = new AbortController();
    try {
      const body = await getJson<ChannelsResponse>(this.#baseUrl, this.#tickets, Paths.channels, undefined, this.#abort.signal);
      const nowMs = Date.now();
      this.#channels = withRates(body.channels, this.#channels, nowMs - this.#lastPollAtMs);
      this.#lastPollAtMs = nowMs;
      this.#error = null;
    } catch (error) {
      if (this.#abort?.signal.aborted) return;
      if (error instanceof HubRequestError && error.denied) {
        // A wrong token stays wrong: stop polling until the viewer changes it.
        this.#denied = true;
        this.#error = error.message;
        return;
      }
      this.#error = error instanceof Error ? error.message : String(error);
    }
    this.#timer = setTimeout(() => void this.#poll(), CHANNELS_POLL_INTERVAL_MS);
  }
}

function withRates(next: readonly ChannelSummary[], previous: readonly ChannelActivity[] | null, elapsedMs: number): ChannelActivity[] {
  const before = new Map(previous?.map((c) => [c.channel, c]));
  return [...next]
    .sort((a, b) => (b.lastActivityAt ?? "").localeCompare(a.lastActivityAt ?? "") || a.channel.localeCompare(b.channel))
    .map((summary) => {
      const old = before.get(summary.channel);
      const sameEpoch = old && old.epoch === summary.epoch;
      const deltasPerMinute = previous && elapsedMs > 0 ? ((sameEpoch ? summary.head - old.head : summary.head) * 60_000) / elapsedMs : null;
      return { ...summary, deltasPerMinute: deltasPerMinute === null ? null : Math.max(0, Math.round(deltasPerMinute)) };
    });
}
