/** Numbers that are part of the public contract. Units are in the names. */

/** Largest accepted webhook body. Larger → 413 `too_large`. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
/** Most events in one `{ "events": [...] }` batch. */
export const MAX_EVENTS_PER_BATCH = 500;
/** Largest accepted distance between `X-Hub-Timestamp` and the server clock. */
export const MAX_TIMESTAMP_SKEW_SECONDS = 300;
/** Longest event id. */
export const MAX_EVENT_ID_LENGTH = 128;
/** How long an accepted event id is remembered for de-duplication (at least). */
export const EVENT_ID_RETENTION_MS = 24 * 60 * 60 * 1000;
/** The delta log keeps at least this many deltas ... */
export const DELTA_LOG_MIN_ENTRIES = 10_000;
/** ... or at least this much time, whichever keeps more. */
export const DELTA_LOG_MIN_AGE_MS = 24 * 60 * 60 * 1000;
/** Longest long-poll on `GET /api/channels/:channel/deltas?wait=`. */
export const MAX_LONG_POLL_SECONDS = 25;
/** Most deltas in one REST `deltas` response; the client polls again for the rest. */
export const MAX_DELTAS_PER_RESPONSE = 1000;
/** Defaults of the optional configuration variables. */
export const DEFAULT_AGENT_TTL_SECONDS = 60;
export const DEFAULT_HEALTH_HISTORY = 300;
export const DEFAULT_TICKET_TTL_SECONDS = 600;
export const MAX_TICKET_TTL_SECONDS = 24 * 60 * 60;
