import {
  DEFAULT_AGENT_TTL_SECONDS,
  DEFAULT_COALESCE_MS,
  MAX_COALESCE_MS,
  DEFAULT_HEALTH_HISTORY,
  DEFAULT_INGEST_EVENTS_PER_SECOND,
  DEFAULT_INGEST_REQUESTS_PER_SECOND,
  DEFAULT_PURGE_AFTER_DAYS,
  DEFAULT_SOCKET_CONNECTS_PER_TICKET_PER_MINUTE,
  DEFAULT_TICKET_TTL_SECONDS,
  MAX_TICKET_TTL_SECONDS,
  DEFAULT_SHARD_SIZE,
  MAX_SHARD_SIZE,
} from "../protocol/index.ts";
import type { Env } from "./env.ts";

export interface HubConfig {
  readonly agentTtlMs: number;
  readonly healthHistory: number;
  readonly ticketTtlSeconds: number;
  readonly maxConnectionsPerChannel: number;
  readonly ingestEventsPerSecond: number;
  readonly ingestRequestsPerSecond: number;
  readonly socketConnectsPerTicketPerMinute: number;
  readonly purgeAfterMs: number;
  /** 0: conflation off. */
  readonly coalesceMs: number;
  /** Sockets per viewer shard (the channel's object holds the first ones itself). */
  readonly shardSize: number;
}

const DEFAULT_MAX_CONNECTIONS_PER_CHANNEL = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Ten years: a larger horizon would be no horizon, and its milliseconds must stay exact. */
const MAX_PURGE_AFTER_DAYS = 3650;

function positiveInt(raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  // A typo in a var must not silently disable a limit: fall back to the default.
  return Number.isInteger(n) && n > 0 && n <= max ? n : fallback;
}

/** Like positiveInt, but 0 is a value (it turns a feature off). */
function nonNegativeInt(raw: string | undefined, fallback: number, max: number): number {
  return raw?.trim() === "0" ? 0 : positiveInt(raw, fallback, max);
}

export function readConfig(env: Env): HubConfig {
  return {
    agentTtlMs: positiveInt(env.AGENT_TTL_SECONDS, DEFAULT_AGENT_TTL_SECONDS) * 1000,
    healthHistory: positiveInt(env.HEALTH_HISTORY, DEFAULT_HEALTH_HISTORY, 100_000),
    ticketTtlSeconds: positiveInt(env.TICKET_TTL_SECONDS, DEFAULT_TICKET_TTL_SECONDS, MAX_TICKET_TTL_SECONDS),
    maxConnectionsPerChannel: positiveInt(env.MAX_CONNECTIONS_PER_CHANNEL, DEFAULT_MAX_CONNECTIONS_PER_CHANNEL),
    ingestEventsPerSecond: positiveInt(env.INGEST_EVENTS_PER_SECOND, DEFAULT_INGEST_EVENTS_PER_SECOND),
    ingestRequestsPerSecond: positiveInt(env.INGEST_REQUESTS_PER_SECOND, DEFAULT_INGEST_REQUESTS_PER_SECOND),
    socketConnectsPerTicketPerMinute: positiveInt(env.SOCKET_CONNECTS_PER_TICKET_PER_MINUTE, DEFAULT_SOCKET_CONNECTS_PER_TICKET_PER_MINUTE),
    purgeAfterMs: positiveInt(env.PURGE_AFTER_DAYS, DEFAULT_PURGE_AFTER_DAYS, MAX_PURGE_AFTER_DAYS) * DAY_MS,
    coalesceMs: nonNegativeInt(env.COALESCE_MS, DEFAULT_COALESCE_MS, MAX_COALESCE_MS),
    shardSize: positiveInt(env.SHARD_SIZE, DEFAULT_SHARD_SIZE, MAX_SHARD_SIZE),
  };
}
