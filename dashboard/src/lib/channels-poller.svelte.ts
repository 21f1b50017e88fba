/**
 * The channel list with live activity: polls GET /api/channels and keeps, per
 * channel, how fast its head moved between polls.
 */
import { Paths, type ChannelSummary, type ChannelsResponse } from "../../../protocol/index.ts";
import { getJson } from "./api/rest-client.ts";
import type { TicketSource } from "./live/index.ts";
import { RestPoller } from "./rest-poller.svelte.ts";

const CHANNELS_POLL_INTERVAL_MS = 3000;

export interface ChannelActivity extends ChannelSummary {
  /** Deltas committed since the previous poll, per minute; null on the first poll. */
  readonly deltasPerMinute: number | null;
}

export class ChannelsPoller extends RestPoller<ChannelsResponse> {
  #channels = $state<readonly ChannelActivity[] | null>(null);
  #lastPollAtMs = 0;
  readonly #baseUrl: string;
  readonly #tickets: TicketSource;

  constructor(baseUrl: string, tickets: TicketSource) {
    super(CHANNELS_POLL_INTERVAL_MS);
    this.#baseUrl = baseUrl;
    this.#tickets = tickets;
  }

  get channels(): readonly ChannelActivity[] | null {
    return this.#channels;
  }

  protected request(signal: AbortSignal): Promise<ChannelsResponse> {
    return getJson<ChannelsResponse>(this.#baseUrl, this.#tickets, Paths.channels, undefined, signal);
  }

  protected received(body: ChannelsResponse): void {
    const nowMs = Date.now();
    this.#channels = withRates(body.channels, this.#channels, nowMs - this.#lastPollAtMs);
    this.#lastPollAtMs = nowMs;
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
