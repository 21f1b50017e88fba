/** One object that knows every channel: head, last activity, connections. Fed by the channels. */
import { DurableObject } from "cloudflare:workers";
import type { ChannelSummary } from "../../protocol/index.ts";
import type { Env } from "../env.ts";

export interface ChannelReport extends ChannelSummary {
  /** Channel clock at report time; an older report than the stored one is ignored. */
  readonly reportedAtMs: number;
}

export class DirectoryObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS channels (
      channel TEXT PRIMARY KEY, epoch TEXT NOT NULL, head INTEGER NOT NULL,
      last_activity TEXT, connections INTEGER NOT NULL, reported_at INTEGER NOT NULL)`);
  }

  report(r: ChannelReport): void {
    if (!r.channel) return;
    this.#sql.exec(
      `INSERT INTO channels (channel, epoch, head, last_activity, connections, reported_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel) DO UPDATE SET epoch = excluded.epoch, head = excluded.head, last_activity = excluded.last_activity,
         connections = excluded.connections, reported_at = excluded.reported_at
       WHERE excluded.reported_at >= channels.reported_at`,
      r.channel,
      r.epoch,
      r.head,
      r.lastActivityAt,
      r.connections,
      r.reportedAtMs,
    );
  }

  list(): ChannelSummary[] {
    return this.#sql
      .exec<{ channel: string; epoch: string; head: number; last_activity: string | null; connections: number }>(
        "SELECT channel, epoch, head, last_activity, connections FROM channels ORDER BY channel",
      )
      .toArray()
      .map((r) => ({ channel: r.channel, epoch: r.epoch, head: r.head, lastActivityAt: r.last_activity, connections: r.connections }));
  }

  /** Forgets a deleted channel. */
  remove(channel: string): void {
    this.#sql.exec("DELETE FROM channels WHERE channel = ?", channel);
  }
}
