/**
 * Credentials never reach the debug panel, the console hook or a screenshot
 * of either: every text the connection layer records goes through
 * redactCredentials() first. A ticket keeps its version prefix (`v1.`, not
 * secret) so a reader still sees which kind of credential went by.
 */
const REDACTED = "…redacted";

/**
 * A viewer ticket (`v1.<payload>.<signature>`, worker/auth/tickets.ts) wherever it appears. The lengths
 * (a JSON payload, a 43-char HMAC) keep version numbers like `v1.2.3` out of it.
 */
const TICKET = /\bv1\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;
/** `ticket=…` / `token=…` in a query string or a fragment, whatever the value looks like. */
const URL_CREDENTIAL = /([?&#;]\s*(?:ticket|token)=)([^&#\s"']*)/gi;
/** `"ticket":"…"` / `"token":"…"` in a JSON frame or body. */
const JSON_CREDENTIAL = /("(?:ticket|token)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;
/** `Authorization: Bearer …` (and `Bearer …` alone). */
const BEARER = /\b(Bearer\s+)([^\s"',;]+)/gi;

function masked(value: string): string {
  return value.startsWith("v1.") ? `v1.${REDACTED}` : REDACTED;
}

/** `text` with every ticket, token and bearer credential replaced by `v1.…redacted` or `…redacted`. */
export function redactCredentials(text: string): string {
  return text
    .replace(JSON_CREDENTIAL, (_, before: string, value: string, after: string) => `${before}${masked(value)}${after}`)
    .replace(URL_CREDENTIAL, (_, before: string, value: string) => `${before}${masked(value)}`)
    .replace(BEARER, (_, before: string, value: string) => `${before}${masked(value)}`)
    .replace(TICKET, `v1.${REDACTED}`);
}
