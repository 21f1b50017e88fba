/** The server's view of a channel (GET /api/channels/:channel/metrics), refreshed while the debug panel is open. */
import { Paths, type ChannelMetrics } from "../../../protocol/index.ts";
import { getJson } from "./api/rest-client.ts";
import type { TicketSource } from "./live/index.ts";

export const METRICS_POLL_INTERVAL_MS = 2000;

export class MetricsPoller {
  #metrics = $state<ChannelMetrics | null>(null);
  #error = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #abort: AbortController | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly channel: string,
    private readonly tickets: TicketSource,
  ) {}

  get metrics(): ChannelMetrics | null {
    return this.#metrics;
  }
  get error(): string | null {
    return this.#error;
  }

  start(): void {
    void this.#poll();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
  }

  async #poll(): Promise<void> {
    const abort = (this.#abort = new AbortController());
    try {
      this.#metrics = await getJson<ChannelMetrics>(this.baseUrl, this.tickets, Paths.metrics(this.channel), this.channel, abort.signal);
      this.#error = null;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#error = error instanceof Error ? error.message : String(error);
    }
    this.#timer = setTimeout(() => void this.#poll(), METRICS_POLL_INTERVAL_MS);
  }
}
