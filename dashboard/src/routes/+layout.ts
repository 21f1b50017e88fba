import { prefetchTicket } from "#lib/auth/app-session.ts";
import type { LayoutLoad } from "./$types";

// A client-only app: the live state exists only in the browser.
export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = ({ params, untrack }) => {
  prefetchTicket(untrack(() => params.channel));
};
