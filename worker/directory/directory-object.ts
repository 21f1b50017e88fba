/**
 * One object that knows every channel: head, last activity, connections. Fed by the channels.
 * Its alarm forgets channels that no longer exist (deleted, or listed before reads stopped
 * creating channels): a few quiet entries per run are checked with the channel's own object.
 */
import { DurableObject } from "cloudflare:workers";
import type { ChannelSummary, ChannelsResponse } from "../../protocol/index.ts";
import { channelStub } from "../channel/channel-stub.ts";
import type { Env } from "../env.ts";
import { errorFields, logLine } from "../log.ts";
import type { ChannelPageQuery } from "./channel-page.ts";

export interface ChannelReport extends ChannelSummary {
  /** Channel clock at report time; an older report than the stored one is ignored. */
  readonly reportedAtMs: number;
}

/** An entry with no report for this long is checked with its channel at the next prune. */
export const PRUNE_QUIET_AFTER_MS = 24 * 60 * 60 * 1000;
/** How often the alarm prunes while there are entries. */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** Channels asked per prune: bounded work per alarm. */
export const PRUNE_BATCH = 50;

export class DirectoryObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  /** Whether a prune alarm is set; read from storage once, then kept. */
  #alarmSet: boolean | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS channels (
      channel TEXT PRIMARY KEY, epoch TEXT NOT NULL, head INTEGER NOT NULL,
      last_activity TEXT, connections INTEGER NOT NULL, reported_at INTEGER NOT NULL)`);
    // When a quiet entry was last confirmed with its channel: added to directories created before pruning.
    const columns = this.#sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('channels')").toArray();
    if (!columns.some((c) => c.name === "checked_at")) this.#sql.exec("ALTER TABLE channels ADD COLUMN checked_at INTEGER NOT NULL DEFAULT 0");
  }

  async report(r: ChannelReport): Promise<void> {
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
    this.#alarmSet ??= (await this.ctx.storage.getAlarm()) !== null;
    if (!this.#alarmSet) {
      await this.ctx.storage.setAlarm(Date.now() + PRUNE_INTERVAL_MS);
      this.#alarmSet = true;
    }
  }

  /** One page in name order; `only` restricts it to the channels a ticket grants (null: all). */
  list(query: ChannelPageQuery, only: readonly string[] | null): ChannelsResponse {
    const filter = only === null ? "" : `AND channel IN (${only.map(() => "?").join(",") || "NULL"})`;
    const rows = this.#sql
      .exec<{ channel: string; epoch: string; head: number; last_activity: string | null; connections: number }>(
        `SELECT channel, epoch, head, last_activity, connections FROM channels WHERE channel > ? ${filter} ORDER BY channel LIMIT ?`,
        query.after ?? "",
        ...(only ?? []),
        query.limit + 1,
      )
      .toArray();
    const page = rows.slice(0, query.limit);
    return {
      channels: page.map((r) => ({ channel: r.channel, epoch: r.epoch, head: r.head, lastActivityAt: r.last_activity, connections: r.connections })),
      nextCursor: rows.length > query.limit ? page[page.length - 1]!.channel : null,
    };
  }

  override async alarm(): Promise<void> {
    this.#alarmSet = false;
    const nowMs = Date.now();
    const quiet = this.#sql
      .exec<{ channel: string }>(
        "SELECT channel FROM channels WHERE reported_at < ? AND checked_at < ? ORDER BY checked_at, channel LIMIT ?",
        nowMs - PRUNE_QUIET_AFTER_MS,
        nowMs - PRUNE_QUIET_AFTER_MS,
        PRUNE_BATCH,
      )
      .toArray();
    for (const { channel } of quiet) {
      try {
        const exists = await channelStub(this.env, channel).exists();
        if (exists) this.#sql.exec("UPDATE channels SET checked_at = ? WHERE channel = ?", nowMs, channel);
        else this.#sql.exec("DELETE FROM channels WHERE channel = ?", channel);
      } catch (error) {
        // Checked again at the next run; one unreachable channel must not stop the others.
        logLine("error", { where: "directory-prune", channel, ...errorFields(error) });
      }
    }
    const remaining = this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM channels").one().n;
    if (remaining > 0) {
      await this.ctx.storage.setAlarm(nowMs + PRUNE_INTERVAL_MS);
      this.#alarmSet = true;
    }
  }

  /** Forgets a deleted channel. */
  remove(channel: string): void {
    this.#sql.exec("DELETE FROM channels WHERE channel = ?", channel);
  }
}
