/**
 * ChannelStorage on the Durable Object's SQLite. Every value is a bound
 * parameter. The schema is created by the first write, never by a read.
 */
import type { HealthSample } from "../../protocol/index.ts";
import { COUNTER_NAMES, zeroCounters, type ChannelStorage, type CommitBatch, type CounterName, type Counters, type StoredDelta, type StoredEntity } from "./storage.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT);
CREATE TABLE IF NOT EXISTS health_samples (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, sample TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS health_by_source ON health_samples (source, id);
CREATE TABLE IF NOT EXISTS deltas (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, frame TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deltas_by_time ON deltas (at);
CREATE TABLE IF NOT EXISTS event_ids (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS event_ids_by_time ON event_ids (at);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export class SqliteChannelStorage implements ChannelStorage {
  readonly #sql: SqlStorage;
  readonly #transaction: <T>(fn: () => T) => T;
  #created: boolean;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    this.#transaction = (fn) => storage.transactionSync(fn);
    // The last table of SCHEMA: if it is there, all of them are (SCHEMA runs in one exec).
    this.#created = this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'counters'").toArray().length > 0;
  }

  exists(): boolean {
    return this.#created;
  }

  #create(): void {
    if (this.#created) return;
    this.#sql.exec(SCHEMA);
    this.#created = true;
  }

  getMeta(name: "epoch"): string | null {
    if (!this.#created) return null;
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0];
    return row?.value ?? null;
  }

  setMeta(name: "epoch", value: string): void {
    this.#create();
    this.#sql.exec("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value);
  }

  head(): number {
    if (!this.#created) return 0;
    // The retention rule always keeps the newest deltas, so MAX(seq) is the head.
    return this.#sql.exec<{ head: number | null }>("SELECT MAX(seq) AS head FROM deltas").one().head ?? 0;
  }

  oldest(): number {
    if (!this.#created) return 1;
    const row = this.#sql.exec<{ oldest: number | null }>("SELECT MIN(seq) AS oldest FROM deltas").one();
    return row.oldest ?? this.head() + 1;
  }

  entities(): StoredEntity[] {
    if (!this.#created) return [];
    return this.#sql
      .exec<{ key: string; version: number; value: string | null }>("SELECT key, version, value FROM entities")
      .toArray()
      .map((r) => ({ key: r.key, version: r.version, value: r.value === null ? null : JSON.parse(r.value) }));
  }

  healthSamples(): { source: string; sample: HealthSample }[] {
    if (!this.#created) return [];
    return this.#sql
      .exec<{ source: string; sample: string }>("SELECT source, sample FROM health_samples ORDER BY source, id")
      .toArray()
      .map((r) => ({ source: r.source, sample: JSON.parse(r.sample) as HealthSample }));
  }

  knowsEvent(id: string): boolean {
    if (!this.#created) return false;
    return this.#sql.exec("SELECT 1 FROM event_ids WHERE id = ?", id).toArray().length > 0;
  }

  commit(batch: CommitBatch): void {
    this.#transaction(() => {
      this.#create();
      for (const id of batch.eventIds) this.#sql.exec("INSERT INTO event_ids (id, at) VALUES (?, ?)", id, batch.receivedAtMs);
      for (const e of batch.entities) {
        this.#sql.exec(
          "INSERT INTO entities (key, version, value) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET version = excluded.version, value = excluded.value",
          e.key,
          e.version,
          e.value === null ? null : JSON.stringify(e.value),
        );
      }
      for (const h of batch.health) {
        this.#sql.exec("INSERT INTO health_samples (source, sample) VALUES (?, ?)", h.source, JSON.stringify(h.sample));
        this.#sql.exec(
          "DELETE FROM health_samples WHERE source = ? AND id <= (SELECT id FROM health_samples WHERE source = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
          h.source,
          h.source,
          h.limit,
        );
      }
      for (const d of batch.deltas) this.#sql.exec("INSERT INTO deltas (seq, at, frame) VALUES (?, ?, ?)", d.seq, d.atMs, d.json);
      this.addCounters(batch.counters);
    });
  }

  deltasAfter(seq: number, limit: number): StoredDelta[] {
    if (!this.#created) return [];
    return this.#sql
      .exec<{ seq: number; at: number; frame: string }>("SELECT seq, at, frame FROM deltas WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map((r) => ({ seq: r.seq, atMs: r.at, json: r.frame }));
  }

  firstSeqAtOrAfter(ms: number): number {
    if (!this.#created) return 1;
    const row = this.#sql.exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM deltas WHERE at >= ?", ms).one();
    return row.seq ?? this.head() + 1;
  }

  trim(deltasBefore: number, eventIdsBeforeMs: number): void {
    if (!this.#created) return;
    this.#transaction(() => {
      this.#sql.exec("DELETE FROM deltas WHERE seq < ?", deltasBefore);
      this.#sql.exec("DELETE FROM event_ids WHERE at < ?", eventIdsBeforeMs);
    });
  }

  purgeTombstones(versionBeforeMs: number): number {
    if (!this.#created) return 0;
    return this.#sql.exec("DELETE FROM entities WHERE value IS NULL AND version < ?", versionBeforeMs).rowsWritten;
  }

  counters(): Counters {
    const out = zeroCounters();
    if (!this.#created) return out;
    for (const row of this.#sql.exec<{ name: string; value: number }>("SELECT name, value FROM counters")) {
      if ((COUNTER_NAMES as readonly string[]).includes(row.name)) out[row.name as CounterName] = row.value;
    }
    return out;
  }

  addCounters(increments: Partial<Counters>): void {
    this.#create();
    for (const [name, by] of Object.entries(increments)) {
      if (!by) continue;
      this.#sql.exec("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value", name, by);
    }
  }

  raiseCounter(name: CounterName, atLeast: number): void {
    this.#create();
    this.#sql.exec("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)", name, atLeast);
  }
}
