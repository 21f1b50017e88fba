/**
 * One channel's logic, free of the Durable Object API: de-duplicate, reduce,
 * number and persist deltas, plan replays, expire agents, trim. The Durable
 * Object (channel-object.ts) adapts it to sockets, alarms and RPC.
 */
import { DEFAULT_PURGE_AFTER_DAYS, type Change, type DeltaCause, type DeltaFrame, type HubEvent, type SnapshotResponse, type WebhookAccepted } from "../../protocol/index.ts";
import { expiredAgentChanges, nextAgentExpiryMs, purgedAgentChanges } from "./agent-expiry.ts";
import { ChannelModel } from "./channel-model.ts";
import { Coalescer, isConflatable, type PendingUpdate } from "./coalescer.ts";
import { CounterBuffer } from "./counter-buffer.ts";
import { entityKey } from "./entity-keys.ts";
import { reduce } from "./reducer.ts";
import { linkedRows, taskAgentLinkChanges } from "./task-agent-links.ts";
import { utf8Bytes } from "./replay-budget.ts";
import { planByCost, planReplay, type LogPosition, type ReplayPlan, type ResumeRequest } from "./replay-planner.ts";
import { MAINTENANCE_INTERVAL_MS, deltaTrimBefore, eventIdCutoffMs } from "./retention.ts";
import type { ChannelStorage, CounterName, Counters, HealthAppend, NewDelta, StoredDelta, StoredEntity } from "./storage.ts";
import { taskRefsOf } from "./task-history.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

interface ChannelCoreOptions {
  readonly healthHistory: number;
  readonly agentTtlMs: number;
  /** Tombstones and offline agents older than this go, and events older than this are stale. Default DEFAULT_PURGE_AFTER_DAYS. */
  readonly purgeAfterMs?: number;
  /** The epoch of a channel that does not exist yet: a fresh id, unless the caller knows one its viewers saw. */
  readonly newEpoch?: () => string;
  /** Conflation window of high-frequency updates (coalescer.ts); 0 (the default) sends every update at once. */
  readonly coalesceMs?: number;
}

interface IngestResult extends WebhookAccepted {
  /** The new deltas, committed, in seq order: broadcast them. */
  readonly deltas: readonly StoredDelta[];
}

export class ChannelCore {
  readonly #storage: ChannelStorage;
  readonly #options: ChannelCoreOptions;
  readonly #purgeAfterMs: number;
  readonly #epoch: string;
  /** False until the first accepted event: a channel nobody wrote to holds its epoch in memory only. */
  #persisted: boolean;
  #head: number;
  #model: ChannelModel | null = null;
  #coalescer: Coalescer | null = null;
  /** The size of the last snapshot serialised, kept when the cache is dropped: a shard weighs its replays against it. */
  #lastSnapshotBytes: number | null = null;
  /**
   * The snapshot serialised at `seq`, shared by every connect until the state changes: dropped by every change to
   * the model, so it is always the state at exactly that seq. Its size is the cost a replay is weighed against.
   */
  #snapshotCache: { readonly seq: number; readonly json: string; readonly bytes: number; frame?: { readonly text: string; readonly bytes: number } } | null = null;
  /** Counter increments not yet written (counter-buffer.ts). */
  readonly #counters = new CounterBuffer();

  constructor(storage: ChannelStorage, options: ChannelCoreOptions) {
    this.#storage = storage;
    this.#options = options;
    this.#purgeAfterMs = options.purgeAfterMs ?? DEFAULT_PURGE_AFTER_DAYS * DAY_MS;
    const stored = storage.getMeta("epoch");
    this.#persisted = stored !== null;
    this.#epoch = stored ?? (options.newEpoch ?? (() => crypto.randomUUID()))();
    this.#head = storage.head();
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** A channel exists once it has accepted an event; before that, reads answer an empty state and write nothing. */
  get exists(): boolean {
    return this.#persisted;
  }

  get head(): number {
    return this.#head;
  }

  position(): LogPosition {
    return { epoch: this.#epoch, head: this.#head, oldest: this.#storage.oldest() };
  }

  #modelLoaded(): ChannelModel {
    return (this.#model ??= ChannelModel.load(this.#storage));
  }

  /** Called before anything changes the model (or drops it): a cached snapshot no longer describes it. */
  #stateChanging(): void {
    this.#snapshotCache = null;
  }

  /** The held updates are read back from storage after an eviction or a failed commit. */
  #coalescerLoaded(): Coalescer {
    if (this.#coalescer) return this.#coalescer;
    const json = this.#storage.getMeta("pending");
    return (this.#coalescer = new Coalescer(this.#options.coalesceMs ?? 0, json === null ? [] : (JSON.parse(json) as PendingUpdate[])));
  }

  #pendingJson(coalescer: Coalescer): string | null {
    return coalescer.hasPending ? JSON.stringify(coalescer.pending()) : null;
  }

  /** Applies a validated batch atomically; duplicates and stale events are acknowledged, not applied. */
  ingest(events: readonly HubEvent[], receivedAtMs: number, nowMs: number): IngestResult {
    this.#stateChanging();
    const model = this.#modelLoaded();
    const coalescer = this.#coalescerLoaded();
    const heldBefore = coalescer.hasPending;
    const seen = new Set<string>();
    const entities: StoredEntity[] = [];
    const health: HealthAppend[] = [];
    const deltas: NewDelta[] = [];
    let accepted = 0;
    let duplicates = 0;
    let stale = 0;
    let seq = this.#head;
    // One read for the whole batch's duplicates.
    const known = this.#storage.knownEvents(events.map((e) => e.id));
    const sendHeld = (updates: readonly PendingUpdate[]) => {
      for (const held of updates) deltas.push(this.#heldDelta(++seq, nowMs, held));
    };
    try {
      // Windows that ended while no alarm ran yet go out first.
      sendHeld(coalescer.takeDue(nowMs));
      for (const event of events) {
        if (seen.has(event.id) || known.has(event.id)) {
          duplicates++;
          continue;
        }
        seen.add(event.id);
        const decision = reduce(model, event, { nowMs, healthHistory: this.#options.healthHistory, staleBeforeMs: nowMs - this.#purgeAfterMs });
        if (decision.outcome === "stale") {
          stale++;
          continue;
        }
        accepted++;
        model.apply(decision.changes);
        const links = taskAgentLinkChanges(model.state, decision.changes);
        model.apply(links);
        const changes = [...decision.changes, ...links];
        const stamped = model.stamp(decision.entity, decision.version);
        entities.push(stamped, ...linkedRows(model, links, stamped.key));
        for (const removed of decision.tombstones ?? []) entities.push(model.stamp(removed, decision.version));
        for (const c of changes) if (c.kind === "health") health.push({ source: c.key, sample: c.value, limit: c.limit });
        if (changes.length === 0) continue;
        const cause = { type: event.type, id: event.id };
        if (isConflatable(event.type, changes)) {
          if (coalescer.offer(entityKey(decision.entity), nowMs, changes, cause) === "held") continue;
        } else {
          // A status change is never delayed, and what was held goes out before it: order is kept.
          sendHeld(coalescer.takeAll(nowMs));
        }
        deltas.push(this.#delta(++seq, nowMs, changes, cause));
      }
      // Nothing accepted on a channel that does not exist: it stays nonexistent (stale events are stale again on a retry).
      if (!this.#persisted && accepted === 0) return { accepted, duplicates, stale, head: seq, deltas: [] };
      // The epoch viewers were shown before the first event is the one kept: none of them has to start over.
      if (!this.#persisted) this.#storage.setMeta("epoch", this.#epoch);
      this.#storage.commit({
        eventIds: [...seen],
        receivedAtMs,
        entities,
        health,
        deltas,
        counters: { eventsAccepted: accepted, eventsDuplicate: duplicates, eventsStale: stale },
        // Held updates are committed with their events (the state already holds them): an eviction loses nothing acknowledged.
        ...(heldBefore || coalescer.hasPending ? { pendingJson: this.#pendingJson(coalescer) } : {}),
      });
    } catch (error) {
      // The in-memory model and coalescer may hold changes the storage rolled back: drop them.
      this.#model = null;
      this.#coalescer = null;
      throw error;
    }
    this.#head = seq;
    if (accepted > 0) this.#persisted = true;
    // Written with the commit's own writes: the runtime makes them durable together.
    this.flushCounters();
    return { accepted, duplicates, stale, head: seq, deltas };
  }

  /** Commits the held updates whose window ended by `nowMs`, one delta each. */
  flushDue(nowMs: number): StoredDelta[] {
    return this.#flush(this.#coalescerLoaded().takeDue(nowMs), nowMs);
  }

  /**
   * Commits every held update. Before a snapshot: the state already holds them, so a snapshot
   * taken while they are held would show changes no seq carries.
   */
  flushAll(nowMs: number): StoredDelta[] {
    return this.#flush(this.#coalescerLoaded().takeAll(nowMs), nowMs);
  }

  #flush(updates: readonly PendingUpdate[], nowMs: number): StoredDelta[] {
    if (updates.length === 0) return [];
    const coalescer = this.#coalescerLoaded();
    const deltas = updates.map((held, i) => this.#heldDelta(this.#head + 1 + i, nowMs, held));
    try {
      this.#storage.commit({ eventIds: [], receivedAtMs: nowMs, entities: [], health: [], deltas, counters: {}, pendingJson: this.#pendingJson(coalescer) });
    } catch (error) {
      this.#coalescer = null;
      throw error;
    }
    this.#head += deltas.length;
    this.#stateChanging();
    this.flushCounters();
    return deltas;
  }

  /**
   * Counts what a viewer cost, held in memory until flushCounters (with the next commit, or the object's timer):
   * a connect writes nothing. A channel that does not exist keeps no counters (reads never write).
   */
  addCounters(increments: Partial<Counters>): void {
    if (this.#persisted) this.#counters.add(increments);
  }

  raiseCounter(name: CounterName, atLeast: number): void {
    if (this.#persisted) this.#counters.raise(name, atLeast);
  }

  /** True while counted increments wait for flushCounters. */
  get countersHeld(): boolean {
    return !this.#counters.isEmpty;
  }

  /** Writes the held counter increments. */
  flushCounters(): void {
    if (this.#counters.isEmpty) return;
    const { increments, atLeast } = this.#counters.take();
    this.#storage.addCounters(increments);
    for (const [name, value] of Object.entries(atLeast) as [CounterName, number][]) this.#storage.raiseCounter(name, value);
  }

  /** The counters, with what is still held. */
  counters(): Counters {
    return this.#counters.over(this.#storage.counters());
  }

  #delta(seq: number, nowMs: number, changes: Change[], cause: DeltaCause): NewDelta {
    const frame: DeltaFrame = { type: "delta", epoch: this.#epoch, seq, at: new Date(nowMs).toISOString(), changes, cause };
    return { seq, atMs: nowMs, json: JSON.stringify(frame), tasks: taskRefsOf(changes) };
  }

  /** A held update as one delta: one seq, however many events it merges. */
  #heldDelta(seq: number, nowMs: number, held: PendingUpdate): NewDelta {
    const cause = held.ids.length > 1 ? { ...held.cause, merged: held.ids.length, ids: [...held.ids] } : held.cause;
    return this.#delta(seq, nowMs, [...held.changes], cause);
  }

  snapshot(): SnapshotResponse {
    return { epoch: this.#epoch, seq: this.#head, state: this.#modelLoaded().state };
  }

  /** The snapshot as JSON (`{epoch, seq, state}`): serialised once per state, however many read it. */
  snapshotJson(): string {
    return this.#snapshotCached().json;
  }

  /** The snapshot as a `snapshot` frame and its UTF-8 size, built once per state. */
  snapshotFrame(): { readonly text: string; readonly bytes: number } {
    const cached = this.#snapshotCached();
    if (!cached.frame) {
      // The frame is the snapshot response with a type first: its size is the snapshot's plus the type.
      const prefix = `{"type":"snapshot",`;
      cached.frame = { text: `${prefix}${cached.json.slice(1)}`, bytes: cached.bytes - 1 + prefix.length };
    }
    return cached.frame;
  }

  #snapshotCached() {
    if (this.#snapshotCache?.seq === this.#head) return this.#snapshotCache;
    const snapshot = this.snapshot();
    const json = JSON.stringify(snapshot);
    const bytes = (this.#lastSnapshotBytes = utf8Bytes(json));
    return (this.#snapshotCache = { seq: snapshot.seq, json, bytes });
  }

  /** The size of the last serialised snapshot (what a replay is weighed against), or null before the first. */
  get snapshotBytes(): number | null {
    return this.#lastSnapshotBytes;
  }

  /** Where the log allows the request to resume. */
  planReplay(request: ResumeRequest): ReplayPlan {
    return planReplay(request, this.position());
  }

  /**
   * How to answer a resume: as planReplay, but a replay costing more than a snapshot, or than `maxReplayBytes`, is a
   * snapshot. `knownBytes` may answer the replay's size from memory (replay-tail.ts); null reads the stored sizes.
   */
  planResume(request: ResumeRequest, maxReplayBytes = Number.POSITIVE_INFINITY, knownBytes?: (after: number, head: number) => number | null): ReplayPlan {
    const plan = this.planReplay(request);
    if (plan.mode !== "replay" || plan.after >= plan.head) return plan;
    const replayBytes = knownBytes?.(plan.after, plan.head) ?? this.#storage.deltaBytes(plan.after, plan.head);
    // Measured by serialising, at most once per state: connects between two commits share it.
    const snapshotBytes = this.#snapshotCached().bytes;
    return planByCost(plan, { replayBytes, snapshotBytes, maxReplayBytes });
  }

  deltasAfter(seq: number, limit: number): StoredDelta[] {
    return this.#storage.deltasAfter(seq, limit);
  }

  /** Sets quiet agents offline: one delta, same seq space. Versions are kept, so any newer event from the agent applies. */
  expireAgents(nowMs: number): StoredDelta | null {
    const model = this.#modelLoaded();
    return this.#commitAgentChanges(expiredAgentChanges(model.state.agents, nowMs, this.#options.agentTtlMs), "agent.expired", nowMs);
  }

  /**
   * Removes what is older than the purge horizon: offline agents (as a delta, since viewers hold them) and
   * tombstones (invisible to viewers: they just go; an event old enough to need one is stale anyway).
   */
  purge(nowMs: number): StoredDelta | null {
    if (!this.#persisted) return null;
    const cutoffMs = nowMs - this.#purgeAfterMs;
    const delta = this.#commitAgentChanges(purgedAgentChanges(this.#modelLoaded().state.agents, cutoffMs), "agent.purged", nowMs);
    // The model's version table still holds the purged keys: reload it when next needed.
    if (this.#storage.purgeTombstones(cutoffMs) > 0) {
      this.#stateChanging();
      this.#model = null;
    }
    return delta;
  }

  /** Commits agent changes the hub makes itself, with the task links they move, as one delta. */
  #commitAgentChanges(agentChanges: Change[], cause: DeltaCause["type"], nowMs: number): StoredDelta | null {
    if (agentChanges.length === 0) return null;
    this.#stateChanging();
    const model = this.#modelLoaded();
    try {
      model.apply(agentChanges);
      const links = taskAgentLinkChanges(model.state, agentChanges);
      model.apply(links);
      const changes = [...agentChanges, ...links];
      const entities = [...agentChanges.flatMap((c) => (c.kind === "agent" ? [model.row({ kind: "agent", id: c.key })] : [])), ...linkedRows(model, links)];
      const delta = this.#delta(this.#head + 1, nowMs, changes, { type: cause });
      this.#storage.commit({ eventIds: [], receivedAtMs: nowMs, entities, health: [], deltas: [delta], counters: {} });
      this.#head = delta.seq;
      this.flushCounters();
      return delta;
    } catch (error) {
      this.#model = null;
      throw error;
    }
  }

  /** Forgets deltas and event ids the retention rules no longer require. */
  trim(nowMs: number): void {
    const before = deltaTrimBefore(this.#head, nowMs, (ms) => this.#storage.firstSeqAtOrAfter(ms));
    this.#storage.trim(before, eventIdCutoffMs(nowMs));
  }

  /** When the alarm should next run: the next agent expiry, or routine trimming. */
  nextAlarmAt(nowMs: number): number | null {
    const expiry = nextAgentExpiryMs(this.#modelLoaded().state.agents, this.#options.agentTtlMs);
    const maintenance = this.#head > 0 ? nowMs + MAINTENANCE_INTERVAL_MS : null;
    const held = this.#coalescerLoaded().nextDueAtMs();
    const times = [expiry, maintenance, held].filter((t) => t !== null);
    return times.length > 0 ? Math.min(...times) : null;
  }
}
