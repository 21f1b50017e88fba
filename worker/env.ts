import type { ChannelObject } from "./channel/channel-object.ts";
import type { DirectoryObject } from "./directory/directory-object.ts";
import type { ViewerShard } from "./shard/viewer-shard.ts";

/** Bindings and variables of the Worker. Exactly two secrets are required. */
export interface Env {
  /** Required secret: HMAC key of webhook signatures. */
  readonly WEBHOOK_SECRET: string;
  /** Required secret: the viewers' login; exchanged for short-lived tickets. */
  readonly DASHBOARD_TOKEN: string;
  /** Optional: key of ticket signatures. Default: derived from DASHBOARD_TOKEN. */
  readonly TICKET_SECRET?: string;
  readonly AGENT_TTL_SECONDS?: string;
  readonly HEALTH_HISTORY?: string;
  readonly TICKET_TTL_SECONDS?: string;
  readonly MAX_CONNECTIONS_PER_CHANNEL?: string;
  readonly INGEST_EVENTS_PER_SECOND?: string;
  readonly INGEST_REQUESTS_PER_SECOND?: string;
  readonly SOCKET_CONNECTS_PER_TICKET_PER_MINUTE?: string;
  readonly PURGE_AFTER_DAYS?: string;
  readonly COALESCE_MS?: string;
  readonly SHARD_SIZE?: string;
  /** Workers Rate Limiting binding: ticket requests per client IP. Absent, tickets are not rate-limited. */
  readonly TICKET_RATE_LIMITER?: RateLimit;
  readonly CHANNEL: DurableObjectNamespace<ChannelObject>;
  readonly DIRECTORY: DurableObjectNamespace<DirectoryObject>;
  /** Viewer shards of a channel beyond its object's own SHARD_SIZE sockets, named `<channel>#<k>`. */
  readonly VIEWER_SHARD: DurableObjectNamespace<ViewerShard>;
  readonly ASSETS?: Fetcher;
}
