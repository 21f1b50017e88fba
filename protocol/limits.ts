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
/** Text limits count UTF-8 bytes, the unit the body limit counts; a lone surrogate counts as the 3 bytes of U+FFFD. */
export const MAX_NAME_BYTES = 200;
/** Titles, an agent's detail, a progress message. */
export const MAX_SHORT_TEXT_BYTES = 2000;
/** A task's description, details and testStrategy. */
export const MAX_LONG_TEXT_BYTES = 200_000;
/** `metadata` nests at most this many objects or arrays deep, itself included. */
export const MAX_METADATA_DEPTH = 8;
/** Largest `metadata`, serialised as compact JSON. */
export const MAX_METADATA_BYTES = 16 * 1024;
/** Largest event, serialised as compact JSON: even alone in a batch, a valid event fits in one body. */
export const MAX_EVENT_BYTES = MAX_WEBHOOK_BODY_BYTES - '{"events":[]}'.length;
/** Integer task ids stop at 2^53 − 1: above it two ids would be the same number. */
export const MAX_INTEGER_TASK_ID = Number.MAX_SAFE_INTEGER;
/** Largest `since` a query accepts (15 digits); more is `400 bad_request`. */
export const MAX_SINCE_SEQ = 999_999_999_999_999;
/** A viewer's `resync` is answered at most once per this interval per socket; an earlier one gets `bad_frame`. */
export const MIN_RESYNC_INTERVAL_MS = 5000;
/** A WebSocket replay larger than this (UTF-8 bytes of the deltas) is replaced by a snapshot (`recovered: false`). */
export const MAX_REPLAY_BYTES = 4 * 1024 * 1024;
/** A REST `deltas` response stops before this many UTF-8 bytes of deltas (always at least one delta). */
export const MAX_DELTAS_RESPONSE_BYTES = 1024 * 1024;
/** Default and largest page of `GET /api/channels?limit=`. */
export const DEFAULT_CHANNELS_PAGE_SIZE = 100;
export const MAX_CHANNELS_PAGE_SIZE = 500;
/** Defaults of the rate-limit variables (see README "Limits and bounds"). */
export const DEFAULT_INGEST_EVENTS_PER_SECOND = 1000;
export const DEFAULT_INGEST_REQUESTS_PER_SECOND = 50;
export const DEFAULT_SOCKET_CONNECTS_PER_TICKET_PER_MINUTE = 30;
/** Tombstones, offline agents and events older than this many days are purged (events: acknowledged as `stale`). */
export const DEFAULT_PURGE_AFTER_DAYS = 30;
/** Conflation window of `task.progress`, `health.sample` and `agent.heartbeat` per entity (`COALESCE_MS`); 0 turns it off. */
export const DEFAULT_COALESCE_MS = 100;
/** The largest `COALESCE_MS`: a longer window would make progress look stuck. */
export const MAX_COALESCE_MS = 10_000;
/** Largest client frame (UTF-8 bytes): the largest valid one, an `auth` with a 4,096-character ticket, is about 4.1 KiB. Larger is refused unread. */
export const MAX_CLIENT_FRAME_BYTES = 8 * 1024;
/** A `deltas` frame (a batch or a slice of a replay) stops before this many UTF-8 bytes; a single larger delta travels alone. */
export const MAX_FRAME_BYTES = 256 * 1024;

/** Sockets the channel's object holds itself, and then each of its viewer shards (README "Viewer shards"); SHARD_SIZE. */
export const DEFAULT_SHARD_SIZE = 2000;
/** A workerd object holds tens of thousands of sockets at most: a larger shard would be no shard. */
export const MAX_SHARD_SIZE = 32_768;
