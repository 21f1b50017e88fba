/**
 * Every HTTP route of the hub, once: the Worker registers its handlers from
 * this table (and answers 405 for any other method on these paths), and
 * clients build their URLs with {@link Paths}, derived from the same table.
 */
interface Route {
  readonly method: "GET" | "POST" | "DELETE";
  /** A hono-style pattern; `:channel` names the channel (the task history route also takes `:tag` and `:id`). */
  readonly path: string;
}

export const Routes = {
  webhook: { method: "POST", path: "/webhooks/:channel" },
  socket: { method: "GET", path: "/ws/:channel" },
  ticket: { method: "POST", path: "/api/auth/ticket" },
  health: { method: "GET", path: "/api/health" },
  channels: { method: "GET", path: "/api/channels" },
  snapshot: { method: "GET", path: "/api/channels/:channel/snapshot" },
  deltas: { method: "GET", path: "/api/channels/:channel/deltas" },
  metrics: { method: "GET", path: "/api/channels/:channel/metrics" },
  taskHistory: { method: "GET", path: "/api/channels/:channel/tasks/:tag/:id/history" },
  /** Signed like a webhook (over the empty body): deletes the channel. */
  deleteChannel: { method: "DELETE", path: "/webhooks/:channel" },
} as const satisfies Record<string, Route>;

/** A path with a channel is built from the channel's name; a fixed path is the path itself. */
type PathBuilder<P extends string> = P extends `${string}:channel${string}` ? (channel: string) => string : P;

function pathBuilder<P extends string>(path: P): PathBuilder<P>;
function pathBuilder(path: string): string | ((channel: string) => string) {
  return path.includes(":channel") ? (channel: string) => path.replace(":channel", encodeURIComponent(channel)) : path;
}

export const Paths = {
  webhook: pathBuilder(Routes.webhook.path),
  socket: pathBuilder(Routes.socket.path),
  ticket: pathBuilder(Routes.ticket.path),
  health: pathBuilder(Routes.health.path),
  channels: pathBuilder(Routes.channels.path),
  snapshot: pathBuilder(Routes.snapshot.path),
  deltas: pathBuilder(Routes.deltas.path),
  metrics: pathBuilder(Routes.metrics.path),
  taskHistory: (channel: string, tag: string, id: string) =>
    Routes.taskHistory.path.replace(":channel", encodeURIComponent(channel)).replace(":tag", encodeURIComponent(tag)).replace(":id", encodeURIComponent(id)),
  deleteChannel: pathBuilder(Routes.deleteChannel.path),
} as const;
