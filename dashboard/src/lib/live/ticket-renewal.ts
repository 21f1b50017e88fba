/**
 * Keeps an open socket authorized: the hub closes a socket whose ticket
 * expired (4001), so shortly before the ticket is due the connection sends
 * a fresh one in-band ({"type":"auth","ticket":…}) instead of reconnecting.
 * A refused dashboard token (the token was rotated) ends in `denied`.
 */
import { messageOf, type ClientFrame } from "../../../../protocol/index.ts";
import { TicketDeniedError, type TicketProvider } from "./tickets.ts";
import type { Cancel, Clock } from "./types.ts";

/** After a failed ticket request, try again this much later (the ticket still has its refresh margin left). */
export const RENEWAL_RETRY_MS = 10_000;
/** Never renew in a tighter loop than this, whatever the ticket source says. */
const MIN_RENEWAL_DELAY_MS = 1_000;

export interface TicketRenewalOptions {
  readonly channel: string;
  readonly tickets: TicketProvider;
  readonly clock: Clock;
  /** Sends a frame on the current socket; false when it is gone. */
  readonly send: (text: string) => boolean;
  readonly onDenied: (message: string) => void;
  readonly log: (text: string) => void;
}

export class TicketRenewal {
  readonly #o: TicketRenewalOptions;
  #timer: Cancel | null = null;
  #generation = 0;

  constructor(options: TicketRenewalOptions) {
    this.#o = options;
  }

  /** Starts renewing for the socket that just finished its handshake. */
  start(): void {
    this.stop();
    this.#schedule(this.#o.tickets.refreshAtMs(this.#o.channel), ++this.#generation);
  }

  stop(): void {
    this.#generation++;
    this.#timer?.();
    this.#timer = null;
  }

  #schedule(atMs: number | null, generation: number): void {
    if (atMs === null) return;
    const delayMs = Math.max(MIN_RENEWAL_DELAY_MS, atMs - this.#o.clock.now());
    this.#timer = this.#o.clock.schedule(() => void this.#renew(generation), delayMs);
  }

  async #renew(generation: number): Promise<void> {
    const { tickets, channel } = this.#o;
    try {
      // Always a new ticket: a timer may fire a hair before the cached one counts as due.
      tickets.invalidate(channel);
      const ticket = await tickets.get(channel);
      if (generation !== this.#generation) return;
      if (!this.#o.send(JSON.stringify({ type: "auth", ticket } satisfies ClientFrame))) return;
      this.#o.log("renewed the connection's ticket");
      this.#schedule(tickets.refreshAtMs(channel), generation);
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof TicketDeniedError) return this.#o.onDenied(error.message);
      this.#o.log(`ticket renewal failed (${messageOf(error)}); trying again in ${RENEWAL_RETRY_MS / 1000} s`);
      this.#timer = this.#o.clock.schedule(() => void this.#renew(generation), RENEWAL_RETRY_MS);
    }
  }
}
