/** The server's view of a channel (GET /api/channels/:channel/metrics), refreshed while the debug panel is open. */
import { Paths, type ChannelMetrics } from "../../../protocol/index.ts";
import { getJson } from "./api/rest-client.ts";
import type { TicketSource } from "./live/index.ts";
import { RestPoller } from "./rest-poller.svelte.ts";

const METRICS_POLL_INTERVAL_MS = 2000;

export class MetricsPoller extends RestPoller<ChannelMetrics> {
  #metrics = $state<ChannelMetrics | null>(null);
  readonly #baseUrl: string;
  readonly #channel: string;
  readonly #tickets: TicketSource;

  constructor(baseUrl: string, channel: string, tickets: TicketSource) {
    super(METRICS_POLL_INTERVAL_MS);
    this.#baseUrl = baseUrl;
    this.#channel = channel;
    this.#tickets = tickets;
  }

  get metrics(): ChannelMetrics | null {
    return this.#metrics;
  }

  protected request(signal: AbortSignal): Promise<ChannelMetrics> {
    return getJson<ChannelMetrics>(this.#baseUrl, this.#tickets, Paths.metrics(this.#channel), this.#channel, signal);
  }

  protected received(body: ChannelMetrics): void {
    this.#metrics = body;
  }
}
