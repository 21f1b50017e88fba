/** A TicketProvider that hands out numbered tickets, or fails as told. */
import { TicketDeniedError, type TicketProvider } from "../../../dashboard/src/lib/live/index.ts";

export class FakeTickets implements TicketProvider {
  issued = 0;
  invalidations = 0;
  /** "deny": TicketDeniedError (wrong token); "fail": a network error. */
  mode: "ok" | "deny" | "fail" = "ok";
  #current: string | null = null;

  async get(): Promise<string> {
    if (this.mode === "deny") throw new TicketDeniedError("the dashboard token was refused (401)");
    if (this.mode === "fail") throw new Error("network down");
    this.#current ??= `ticket-${++this.issued}`;
    return this.#current;
  }

  invalidate(): void {
    this.invalidations++;
    this.#current = null;
  }
}
