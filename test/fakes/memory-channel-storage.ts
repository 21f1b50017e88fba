/** ChannelStorage in memory, for unit tests of the channel logic. Copies values like the SQLite storage does. */
import type { HealthSample } from "../../protocol/index.ts";
import { utf8Bytes } from "../../worker/channel/replay-budget.ts";
import { zeroCounters, type ChannelStorage, type CommitBatch, type CounterName, type Counters, type MetaName, type NewDelta, type StoredDelta, type StoredEntity } from "../../worker/channel/storage.ts";

export class MemoryChannelStorage implements ChannelStorage {
  meta = new Map<string, string>();
  entityRows = new Map<string, StoredEntity>();
  health: { id: number; source: string; sample: HealthSample }[] = [];
  deltas: NewDelta[] = [];
  eventIds = new Map<string, number>();
  counterValues: Counters = zeroCounters();
  /** Set to make the next commit throw, to test rollback. */
  failNextCommit = false;
  #nextHealthId = 1;

  exists(): boolean {
    return this.meta.size > 0 || this.eventIds.size > 0 || this.entityRows.size > 0 || this.deltas.length > 0 || Object.values(this.counterValues).some((n) => n > 0);
  }
  getMeta(name: MetaName): string | null {
    return this.meta.get(name) ?? null;
  }
  setMeta(name: "epoch", value: string): void {
    this.meta.set(name, value);
  }
  head(): number {
    return this.deltas.at(-1)?.seq ?? 0;
  }
  oldest(): number {
    return this.deltas[0]?.seq ?? this.head() + 1;
  }
  entities(): StoredEntity[] {
    return [...this.entityRows.values()].map((e) => structuredClone(e));
  }
  healthSamples(): { source: string; sample: HealthSample }[] {
    return [...this.health].sort((a, b) => (a.source === b.source ? a.id - b.id : a.source < b.source ? -1 : 1)).map(({ source, sample }) => ({ source, sample: structuredClone(sample) }));
  }
  knownEvents(ids: readonly string[]): Set<string> {
    return new Set(ids.filter((id) => this.eventIds.has(id)));
  }
  commit(batch: CommitBatch): void {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error("simulated storage failure");
    }
    for (const id of batch.eventIds) this.eventIds.set(id, batch.receivedAtMs);
    for (const e of batch.entities) this.entityRows.set(e.key, structuredClone(e));
    for (const h of batch.health) {
      this.health.push({ id: this.#nextHealthId++, source: h.source, sample: structuredClone(h.sample) });
      const mine = this.health.filter((x) => x.source === h.source);
      const drop = new Set(mine.slice(0, Math.max(0, mine.length - h.limit)).map((x) => x.id));
      this.health = this.health.filter((x) => !drop.has(x.id));
    }
    this.deltas.push(...batch.deltas);
    this.addCounters(batch.counters);
    if (batch.pendingJson === null) this.meta.delete("pending");
    else if (batch.pendingJson !== undefined) this.meta.set("pending", batch.pendingJson);
  }
  deltasAfter(seq: number, limit: number): StoredDelta[] {
    return this.deltas.filter((d) => d.seq > seq).slice(0, limit);
  }
  deltaBytes(after: number, upTo: number): number {
    return this.deltas.filter((d) => d.seq > after && d.seq <= upTo).reduce((sum, d) => sum + utf8Bytes(d.json), 0);
  }
  firstSeqAtOrAfter(ms: number): number {
    return this.deltas.find((d) => d.atMs >= ms)?.seq ?? this.head() + 1;
  }
  trim(deltasBefore: number, eventIdsBeforeMs: number): void {
    this.deltas = this.deltas.filter((d) => d.seq >= deltasBefore);
    for (const [id, at] of this.eventIds) if (at < eventIdsBeforeMs) this.eventIds.delete(id);
  }
  purgeTombstones(versionBeforeMs: number): number {
    let purged = 0;
    for (const [key, row] of this.entityRows) {
      if (row.value === null && row.version < versionBeforeMs) {
        this.entityRows.delete(key);
        purged++;
      }
    }
    return purged;
  }
  counters(): Counters {
    return { ...this.counterValues };
  }
  addCounters(increments: Partial<Counters>): void {
    for (const [k, v] of Object.entries(increments)) this.counterValues[k as CounterName] += v ?? 0;
  }
  raiseCounter(name: CounterName, atLeast: number): void {
    this.counterValues[name] = Math.max(this.counterValues[name], atLeast);
  }
  taskDeltasBefore(tag: string, id: string, before: number, limit: number): StoredDelta[] {
    return this.deltas
      .filter((d) => d.seq < before && d.tasks.some((t) => t.tag === tag && t.id === id))
      .reverse()
      .slice(0, limit);
  }
}
