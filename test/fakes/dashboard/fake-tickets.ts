/** A TicketProvider that hands out numbered tickets, or fails as told. */
import { HubError } from "../../../protocol/index.ts";
import { TicketDeniedError, type TicketProvider } from "../../../dashboard/src/lib/live/index.ts";

export class FakeTickets implements TicketProvider {
  issued = 0;
  invalidations = 0;
  /** "deny": TicketDeniedError (wrong token); "fail": a network error (no answer); "error": the hub answered 503. */
  mode: "ok" | "deny" | "fail" | "error" = "ok";
  #current: string | null = null;
  /** When the current ticket should be replaced (fake clock ms); tests set it. */
  nextRefreshAtMs: number | null = null;

  async get(): Promise<string> {
    if (this.mode === "deny") throw new TicketDeniedError("the dashboard token was refused (401)");
    if (this.mode === "fail") throw new TypeError("network down");
    if (this.mode === "error") throw new HubError(503, null, "ticket request failed: HTTP 503: the hub is overloaded");
    this.#current ??= `ticket-${++this.issued}`;
    return this.#current;
  }

  invalidate(): void {
    this.invalidations++;
    this.#current = null;
  }

  refreshAtMs(): number | null {
    return this.#current === null ? null : this.nextRefreshAtMs;
  }

  /** What a real source does once a ticket is due: the next get() issues a new one. */
  expire(): void {
    this.#current = null;
  }
}
