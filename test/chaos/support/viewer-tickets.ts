/**
 * A ticket kept for half its lifetime: one per viewer, fetched when it
 * first (re)connects. Fetching retries while the runtime is down or the
 * hub limits ticket requests, so a reconnect during a kill waits instead
 * of failing.
 */
import type { HubClient } from "../../../dev/hub-client.ts";
import { retry } from "./retry.ts";

const TICKET_TTL_SECONDS = 3600;
const FETCH_TIMEOUT_MS = 120_000;

export class ViewerTicket {
  #ticket: string | null = null;
  #fetchedAtMs = 0;

  constructor(
    readonly hub: HubClient,
    readonly channels: readonly string[],
  ) {}

  async get(): Promise<string> {
    if (this.#ticket !== null && Date.now() - this.#fetchedAtMs < (TICKET_TTL_SECONDS * 1000) / 2) return this.#ticket;
    this.#ticket = await retry(`a ticket for ${this.channels.join(",")}`, () => this.hub.ticket([...this.channels], TICKET_TTL_SECONDS), FETCH_TIMEOUT_MS);
    this.#fetchedAtMs = Date.now();
    return this.#ticket;
  }
}
