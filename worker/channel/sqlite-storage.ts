/**
 * ChannelStorage on the Durable Object's SQLite. Every value is a bound
 * parameter. The schema is created by the first write, never by a read.
 */
import type { DeltaFrame, HealthSample } from "../../protocol/index.ts";
import { COUNTER_NAMES, zeroCounters, type ChannelStorage, type CommitBatch, type CounterName, type Counters, type MetaName, type StoredDelta, type StoredEntity } from "./storage.ts";
import { taskRefsOf } from "./task-history.ts";

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

/**
 * The task history index: which retained deltas changed which task. Added after the
 * first release, so an object that already holds a log indexes it once (see #indexOlderDeltas).
 */
const HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS delta_tasks (tag TEXT NOT NULL, task TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (tag, task, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS delta_tasks_by_seq ON delta_tasks (seq);
`;
const HISTORY_INDEXED_META = "history_indexed";
/** Durable Object SQLite binds at most 100 parameters per statement: multi-row statements are cut to fit. */
const MAX_BOUND_PARAMETERS = 100;

export class SqliteChannelStorage implements ChannelStorage {
  readonly #sql: SqlStorage;
  readonly #transaction: <T>(fn: () => T) => T;
  #created: boolean;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    this.#transaction = (fn) => storage.transactionSync(fn);
    // The last table of SCHEMA: if it is there, all of them are (SCHEMA runs in one exec).
    this.#created = this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'counters'").toArray().length > 0;
    if (this.#created) this.#migrate();
  }

  exists(): boolean {
    return this.#created;
  }

  #create(): void {
    if (this.#created) return;
    this.#sql.exec(SCHEMA);
    this.#migrate();
    this.#created = true;
  }

  /** Tables added after the first schema; also run for storage created before them. */
  #migrate(): void {
    this.#sql.exec(HISTORY_SCHEMA);
    this.#indexOlderDeltas();
  }

  /** Once per object: indexes the deltas committed before the index existed, so history reaches as far back as the log. */
  #indexOlderDeltas(): void {
    if (this.#sql.exec("SELECT 1 FROM meta WHERE name = ?", HISTORY_INDEXED_META).toArray().length > 0) return;
    this.#transaction(() => {
      for (const row of this.#sql.exec<{ seq: number; frame: string }>("SELECT seq, frame FROM deltas").toArray()) {
        const frame = JSON.parse(row.frame) as DeltaFrame;
        for (const task of taskRefsOf(frame.changes)) this.#sql.exec("INSERT OR IGNORE INTO delta_tasks (tag, task, seq) VALUES (?, ?, ?)", task.tag, task.id, row.seq);
      }
      this.#sql.exec("INSERT INTO meta (name, value) VALUES (?, ?)", HISTORY_INDEXED_META, new Date().toISOString());
    });
  }

  getMeta(name: MetaName): string | null {
    if (!this.#created) return null;
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0];
    return row?.value ?? null;
  }

  setMeta(name: "epoch", value: string): void {
    this.#create();
    this.#upsertMeta(name, value);
  }

  #upsertMeta(name: MetaName, value: string): void {
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

  knownEvents(ids: readonly string[]): Set<string> {
    const known = new Set<string>();
    if (!this.#created) return known;
    for (const chunk of chunksOf(ids, MAX_BOUND_PARAMETERS)) {
      const query = `SELECT id FROM event_ids WHERE id IN (${chunk.map(() => "?").join(", ")})`;
      for (const row of this.#sql.exec<{ id: string }>(query, ...chunk)) known.add(row.id);
    }
    return known;
  }

  /** `INSERT … VALUES (…), (…) …` with as many rows per statement as the parameter limit allows: a batch costs a few statements, not one per row. */
  #insertRows(insert: string, columns: number, rows: readonly (string | number | null)[][], onConflict = ""): void {
    const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
    for (const chunk of chunksOf(rows, Math.floor(MAX_BOUND_PARAMETERS / columns))) {
      this.#sql.exec(`${insert} VALUES ${chunk.map(() => row).join(", ")}${onConflict}`, ...chunk.flat());
    }
  }

  commit(batch: CommitBatch): void {
    this.#transaction(() => {
      this.#create();
      this.#insertRows("INSERT INTO event_ids (id, at)", 2, batch.eventIds.map((id) => [id, batch.receivedAtMs]));
      // Rows of one key later in the batch win: SQLite applies the rows of one statement in order.
      this.#insertRows(
        "INSERT INTO entities (key, version, value)",
        3,
        batch.entities.map((e) => [e.key, e.version, e.value === null ? null : JSON.stringify(e.value)]),
        " ON CONFLICT (key) DO UPDATE SET version = excluded.version, value = excluded.value",
      );
      for (const h of batch.health) {
        this.#sql.exec("INSERT INTO health_samples (source, sample) VALUES (?, ?)", h.source, JSON.stringify(h.sample));
        this.#sql.exec(
          "DELETE FROM health_samples WHERE source = ? AND id <= (SELECT id FROM health_samples WHERE source = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
          h.source,
          h.source,
          h.limit,
        );
      }
      this.#insertRows("INSERT INTO deltas (seq, at, frame)", 3, batch.deltas.map((d) => [d.seq, d.atMs, d.json]));
      this.#insertRows("INSERT INTO delta_tasks (tag, task, seq)", 3, batch.deltas.flatMap((d) => d.tasks.map((task) => [task.tag, task.id, d.seq])));
      this.addCounters(batch.counters);
      if (batch.pendingJson === null) this.#sql.exec("DELETE FROM meta WHERE name = 'pending'");
      else if (batch.pendingJson !== undefined) this.#upsertMeta("pending", batch.pendingJson);
    });
  }

  deltasAfter(seq: number, limit: number): StoredDelta[] {
    if (!this.#created) return [];
    return this.#sql
      .exec<{ seq: number; at: number; frame: string }>("SELECT seq, at, frame FROM deltas WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map((r) => ({ seq: r.seq, atMs: r.at, json: r.frame }));
  }

  deltaBytes(after: number, upTo: number): number {
    if (!this.#created) return 0;
    // CAST to BLOB: length() of TEXT counts characters, of a BLOB its UTF-8 bytes.
    return this.#sql.exec<{ bytes: number | null }>("SELECT SUM(length(CAST(frame AS BLOB))) AS bytes FROM deltas WHERE seq > ? AND seq <= ?", after, upTo).one().bytes ?? 0;
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
      this.#sql.exec("DELETE FROM delta_tasks WHERE seq < ?", deltasBefore);
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

  taskDeltasBefore(tag: string, id: string, before: number, limit: number): StoredDelta[] {
    if (!this.#created) return [];
    return this.#sql
      .exec<{ seq: number; at: number; frame: string }>(
        "SELECT d.seq, d.at, d.frame FROM delta_tasks t JOIN deltas d ON d.seq = t.seq WHERE t.tag = ? AND t.task = ? AND t.seq < ? ORDER BY t.seq DESC LIMIT ?",
        tag,
        id,
        before,
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, atMs: r.at, json: r.frame }));
  }
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
