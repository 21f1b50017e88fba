/**
 * The page's one Session, made on first use. The root layout's load makes it
 * and asks it for a live view's ticket while the view's code is still
 * loading, so the first paint does not wait for the two one after the other.
 */
import { isChannelName } from "../../../../protocol/index.ts";
import { Session } from "./session.svelte.ts";

export interface AppSession {
  readonly session: Session;
  /** The token came from the `#token=` fragment (which the layout then removes from the address bar). */
  readonly fromFragment: boolean;
}

let current: AppSession | null = null;

export function appSession(): AppSession {
  if (!current) {
    const session = new Session(location.origin, localStorage);
    current = { session, fromFragment: session.restore(location.hash) };
  }
  return current;
}

/** Starts the channel's ticket request; the live view's own request then joins it (TicketSource shares requests in flight and caches the answer). */
export function prefetchTicket(channel: string | undefined): void {
  if (channel === undefined || !isChannelName(channel)) return;
  appSession().session.tickets?.get(channel).catch(() => {
    // The live view asks again and shows the error.
  });
}
