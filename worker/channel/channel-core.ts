/**
 * One channel's logic, free of the Durable Object API: de-duplicate, reduce,
 * number and persist deltas, plan replays, expire agents, trim. The Durable
 * Object (channel-object.ts) adapts it to sockets, alarms and RPC.
 */
import type { Change, DeltaCause, DeltaFrame, HubEvent, SnapshotResponse, WebhookAccepted } from "../../protocol/index.ts";
import { expiredAgentChanges, nextAgentExpiryMs } from "./agent-expiry.ts";
import { ChannelModel } from "./channel-model.ts";
import { reduce } from "./reducer.ts";
import { planReplay, type LogPosition, type ReplayPlan, type ResumeRequest } from "./replay-planner.ts";
import { MAINTENANCE_INTERVAL_MS, deltaTrimBefore, eventIdCutoffMs } from "./retention.ts";
import type { ChannelStorage, HealthAppend, StoredDelta, StoredEntity } from "./storage.ts";

interface ChannelCoreOptions {
  readonly healthHistory: number;
  readonly agentTtlMs: number;
  /** A fresh epoch id; injectable for tests. */
  readonly newEpoch?: () => string;
}

interface IngestResult extends WebhookAccepted {
  /** The new deltas, committed, in seq order: broadcast them. */
  readonly deltas: readonly StoredDelta[];
}

export class ChannelCore {
  readonly #storage: ChannelStorage;
  readonly #options: ChannelCoreOptions;
  readonly #epoch: string;
  #head: number;
  #model: ChannelModel | null = null;

  constructor(storage: ChannelStorage, options: ChannelCoreOptions) {
    this.#storage = storage;
    this.#options = options;
    let epoch = storage.getMeta("epoch");
    if (epoch === null) {
      epoch = (options.newEpoch ?? (() => crypto.randomUUID()))();
      storage.setMeta("epoch", epoch);
    }
    this.#epoch = epoch;
    this.#head = storage.head();
  }

  get epoch(): string {
    return this.#epoch;
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

  /** Applies a validated batch atomically; duplicates and stale events are acknowledged, not applied. */
  ingest(events: readonly HubEvent[], receivedAtMs: number, nowMs: number): IngestResult {
    const model = this.#modelLoaded();
    const seen = new Set<string>();
    const entities: StoredEntity[] = [];
    const health: HealthAppend[] = [];
    const deltas: StoredDelta[] = [];
    let accepted = 0;
    let duplicates = 0;
    let stale = 0;
    let seq = this.#head;
    try {
      for (const event of events) {
        if (seen.has(event.id) || this.#storage.knowsEvent(event.id)) {
          duplicates++;
          continue;
        }
        seen.add(event.id);
        const decision = reduce(model, event, { nowMs, healthHistory: this.#options.healthHistory });
        if (decision.outcome === "stale") {
          stale++;
          continue;
        }
        accepted++;
        model.apply(decision.changes);
        entities.push(model.stamp(decision.entity, decision.version));
        for (const removed of decision.tombstones ?? []) entities.push(model.stamp(removed, decision.version));
        for (const c of decision.changes) if (c.kind === "health") health.push({ source: c.key, sample: c.value, limit: c.limit });
        if (decision.changes.length > 0) deltas.push(this.#delta(++seq, nowMs, decision.changes, { type: event.type, id: event.id }));
      }
      this.#storage.commit({
        eventIds: [...seen],
        receivedAtMs,
        entities,
        health,
        deltas,
        counters: { eventsAccepted: accepted, eventsDuplicate: duplicates, eventsStale: stale },
      });
    } catch (error) {
      // The in-memory model may hold changes the storage rolled back: drop it.
      this.#model = null;
      throw error;
    }
    this.#head = seq;
    return { accepted, duplicates, stale, head: seq, deltas };
  }

  #delta(seq: number, nowMs: number, changes: Change[], cause: DeltaCause): StoredDelta {
    const frame: DeltaFrame = { type: "delta", epoch: this.#epoch, seq, at: new Date(nowMs).toISOString(), changes, cause };
    return { seq, atMs: nowMs, json: JSON.stringify(frame) };
  }

  snapshot(): SnapshotResponse {
    return { epoch: this.#epoch, seq: this.#head, state: this.#modelLoaded().state };
  }

  planReplay(request: ResumeRequest): ReplayPlan {
    return planReplay(request, this.position());
  }

  deltasAfter(seq: number, limit: number): StoredDelta[] {
    return this.#storage.deltasAfter(seq, limit);
  }

  /** Sets quiet agents offline: one delta, same seq space. Versions are kept, so any newer event from the agent applies. */
  expireAgents(nowMs: number): StoredDelta | null {
    const model = this.#modelLoaded();
    const changes = expiredAgentChanges(model.state.agents, nowMs, this.#options.agentTtlMs);
    if (changes.length === 0) return null;
    try {
      model.apply(changes);
      const entities = changes.flatMap((c) => (c.kind === "agent" ? [model.row({ kind: "agent", id: c.key })] : []));
      const delta = this.#delta(this.#head + 1, nowMs, changes, { type: "agent.expired" });
      this.#storage.commit({ eventIds: [], receivedAtMs: nowMs, entities, health: [], deltas: [delta], counters: {} });
      this.#head = delta.seq;
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
    if (expiry === null) return maintenance;
    return maintenance === null ? expiry : Math.min(expiry, maintenance);
  }
}
