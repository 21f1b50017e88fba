/**
 * One ticket per viewer, fetched when the viewer first (re)connects and
 * kept for half its lifetime. Fetching retries (with backoff, honouring a
 * 429's wait) while the runtime is down or the hub limits ticket requests,
 * so a reconnect during a kill waits instead of failing.
 */
import { backoffDelayMs } from "../../../protocol/index.ts";
import type { HubClient } from "../../../dev/hub-client.ts";

const TICKET_TTL_SECONDS = 3600;
const RETRY = { baseMs: 100, capMs: 2_000, floorMs: 50 } as const;
const FETCH_TIMEOUT_MS = 120_000;

export class ViewerTicket {
  #ticket: string | null = null;
  #fetchedAtMs = 0;
  fetches = 0;

  constructor(
    readonly hub: HubClient,
    readonly channel: string,
  ) {}

  async get(): Promise<string> {
    if (this.#ticket !== null && Date.now() - this.#fetchedAtMs < (TICKET_TTL_SECONDS * 1000) / 2) return this.#ticket;
    const deadlineMs = Date.now() + FETCH_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        this.#ticket = await this.hub.ticket([this.channel], TICKET_TTL_SECONDS);
        this.#fetchedAtMs = Date.now();
        this.fetches++;
        return this.#ticket;
      } catch (error) {
        if (Date.now() > deadlineMs) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, RETRY)));
    }
  }
}
