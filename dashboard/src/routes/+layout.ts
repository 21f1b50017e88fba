// A client-only app: the live state exists only in the browser.
export const ssr = false;
export const prerender = false;
