/**
 * A webhook sender for the chaos test. Each sender owns its entities (task
 * ids, agents and a health source of its own on every channel) and sends
 * one batch at a time, so it knows in advance what the hub must do with
 * every event: a current event is applied and makes exactly one delta; a
 * late one (its `occurredAt` older than a version the hub has already
 * acknowledged for that entity) is stale and makes none. Delivery retries
 * with backoff, re-sending the same ids, until the hub answers 2xx.
 */
import { backoffDelayMs, type HubEventInput, type WebhookAccepted } from "../../../protocol/index.ts";
import { ev } from "../../../dev/events.ts";
import type { HubClient } from "../../../dev/hub-client.ts";

const TASKS_PER_SENDER = 25;
const SECOND_TAG = "feature-x";
const RETRY = { baseMs: 100, capMs: 3_000, floorMs: 50 } as const;
/** A sender never waits longer than this for one `Retry-After` (the bridge's cap is 5 minutes; a test has less time). */
const MAX_RETRY_AFTER_MS = 30_000;
/** The longest a late event lags behind the version it loses to. */
const MAX_LATENESS_MS = 120_000;

export interface SenderCounts {
  /** Distinct events sent (each id once, however often it was posted). */
  events: number;
  batches: number;
  /** Batches posted twice at once. */
  duplicateBursts: number;
  /** Events built late on purpose. */
  late: number;
  /** Sums over every 2xx answer, burst copies included. */
  accepted: number;
  duplicates: number;
  stale: number;
  /** Posts answered 429. */
  rateLimited: number;
  /** Posts whose outcome is unknown (connection lost, 5xx): the hub may have applied them. */
  ambiguous: number;
}

/** What the hub must end up with, per event id: applied exactly once, or never (stale). */
export interface Expectation {
  readonly channel: string;
  readonly applied: boolean;
}

interface TaskRecord {
  readonly id: number;
  readonly tag: string | undefined;
  exists: boolean;
}

type Rand = () => number;

/** An answer no retry can fix. */
class FatalSendError extends Error {}

export class ChaosSender {
  readonly counts: SenderCounts = { events: 0, batches: 0, duplicateBursts: 0, late: 0, accepted: 0, duplicates: 0, stale: 0, rateLimited: 0, ambiguous: 0 };
  readonly expectations = new Map<string, Expectation>();
  /** Per channel: entity key → the occurredAt (ms) of the last current event built for it. */
  readonly #versions = new Map<string, Map<string, number>>();
  readonly #tasks = new Map<string, TaskRecord[]>();
  #clockMs = 0;

  constructor(
    readonly index: number,
    readonly hub: HubClient,
    readonly rand: Rand,
    /** The longest one batch may take to get its 2xx: long enough to outlast a kill and the reconnect storm after it. */
    readonly deliveryTimeoutMs: number,
    /** Aborted when the test ends, so that no retry loop outlives it. */
    readonly signal: AbortSignal,
  ) {}

  /** Builds `size` events for `channel`; with `lateBurst`, up to 10 of them are older than what the hub already has. */
  batch(channel: string, size: number, lateBurst: boolean): HubEventInput[] {
    // Versions as of the last acknowledged batch: a late event must lose to something the hub surely holds.
    const acknowledged = new Map(this.#versionsOf(channel));
    const late = lateBurst && acknowledged.size > 0 ? 1 + Math.floor(this.rand() * Math.min(10, size)) : 0;
    const events = Array.from({ length: size - late }, () => this.#currentEvent(channel));
    for (let k = 0; k < late; k++) {
      const at = Math.floor(this.rand() * (events.length + 1));
      events.splice(at, 0, this.#lateEvent(channel, acknowledged));
    }
    return events;
  }

  #versionsOf(channel: string): Map<string, number> {
    let versions = this.#versions.get(channel);
    if (!versions) this.#versions.set(channel, (versions = new Map()));
    return versions;
  }

  #tasksOf(channel: string): TaskRecord[] {
    let tasks = this.#tasks.get(channel);
    if (!tasks) {
      tasks = Array.from({ length: TASKS_PER_SENDER }, (_, k) => ({ id: this.index * 1000 + k + 1, tag: k % 3 === 0 ? SECOND_TAG : undefined, exists: false }));
      this.#tasks.set(channel, tasks);
    }
    return tasks;
  }

  /** Strictly increasing per sender, so every current event is newer than the last one for its entity. */
  #nextOccurredAtMs(): number {
    this.#clockMs = Math.max(Date.now(), this.#clockMs + 1);
    return this.#clockMs;
  }

  #record(channel: string, event: HubEventInput, entity: string, atMs: number): HubEventInput {
    this.#versionsOf(channel).set(entity, atMs);
    this.expectations.set(event.id, { channel, applied: true });
    this.counts.events++;
    return event;
  }

  /** An event that changes what a viewer sees (so it makes exactly one delta), never stale. */
  #currentEvent(channel: string): HubEventInput {
    const atMs = this.#nextOccurredAtMs();
    const occurredAt = new Date(atMs).toISOString();
    const n = this.counts.events;
    const pick = this.rand();
    const tasks = this.#tasksOf(channel);
    const task = tasks[Math.floor(this.rand() * tasks.length)]!;
    const agentId = `agent-${this.index}-${Math.floor(this.rand() * 4)}`;
    if (pick < 0.1 && task.exists) {
      task.exists = false;
      return this.#record(channel, ev.taskRemoved(task.id, { tag: task.tag, occurredAt }), taskKey(task), atMs);
    }
    if (pick < 0.45) {
      task.exists = true;
      const status = ["pending", "in-progress", "review", "done"][Math.floor(this.rand() * 4)]!;
      return this.#record(channel, ev.taskUpsert({ id: task.id, title: `task ${task.id} rev ${n}`, status }, { tag: task.tag, occurredAt }), taskKey(task), atMs);
    }
    if (pick < 0.6) {
      task.exists = true;
      return this.#record(channel, ev.taskProgress(task.id, Math.floor(this.rand() * 101), { tag: task.tag, occurredAt, message: `step ${n}` }), taskKey(task), atMs);
    }
    if (pick < 0.75) {
      const status = (["online", "busy", "idle", "error"] as const)[Math.floor(this.rand() * 4)]!;
      return this.#record(channel, ev.agentStatus(agentId, status, { detail: `report ${n}`, occurredAt }), `agent:${agentId}`, atMs);
    }
    if (pick < 0.85) return this.#record(channel, ev.heartbeat(agentId, occurredAt), `agent:${agentId}`, atMs);
    const source = `host-${this.index}`;
    return this.#record(channel, ev.health(source, { cpu: Math.round(this.rand() * 100), queueDepth: Math.floor(this.rand() * 9) }, occurredAt), `health:${source}`, atMs);
  }

  /** An event for an acknowledged entity, older than its acknowledged version: the hub must call it stale. */
  #lateEvent(channel: string, acknowledged: ReadonlyMap<string, number>): HubEventInput {
    const keys = [...acknowledged.keys()];
    const entity = keys[Math.floor(this.rand() * keys.length)]!;
    const occurredAt = new Date(acknowledged.get(entity)! - 1 - Math.floor(this.rand() * MAX_LATENESS_MS)).toISOString();
    const [kind, ...rest] = entity.split(":");
    const name = rest.join(":");
    let event: HubEventInput;
    if (kind === "task") {
      const task = this.#tasksOf(channel).find((t) => taskKey(t) === entity)!;
      event = ev.taskUpsert({ id: task.id, title: "from the past", status: "blocked" }, { tag: task.tag, occurredAt });
    } else if (kind === "agent") {
      event = ev.agentStatus(name, "error", { detail: "from the past", occurredAt });
    } else {
      event = ev.health(name, { cpu: 0 }, occurredAt);
    }
    this.expectations.set(event.id, { channel, applied: false });
    this.counts.events++;
    this.counts.late++;
    return event;
  }

  /** Posts until a 2xx; a 4xx other than 429 is a failure of the test or the hub, and throws. */
  async deliver(channel: string, events: readonly HubEventInput[]): Promise<WebhookAccepted> {
    const deadlineMs = Date.now() + this.deliveryTimeoutMs;
    let lastAnswer = "no answer yet";
    for (let attempt = 1; ; attempt++) {
      this.signal.throwIfAborted();
      if (Date.now() > deadlineMs) throw new Error(`sender ${this.index}: no 2xx for a batch of ${events.length} on ${channel} in ${this.deliveryTimeoutMs} ms (${lastAnswer})`);
      let waitMs = backoffDelayMs(attempt, RETRY, this.rand);
      try {
        const res = await this.hub.post(channel, { events });
        if (res.status === 202) {
          const ack = (await res.json()) as WebhookAccepted;
          if (ack.accepted + ack.duplicates + ack.stale !== events.length) {
            throw new FatalSendError(`sender ${this.index}: ${events.length} events acknowledged as ${JSON.stringify(ack)}`);
          }
          this.counts.accepted += ack.accepted;
          this.counts.duplicates += ack.duplicates;
          this.counts.stale += ack.stale;
          return ack;
        }
        const text = await res.text();
        lastAnswer = `last answer ${res.status}: ${text.slice(0, 300)}`;
        if (res.status === 429) {
          this.counts.rateLimited++;
          waitMs = Math.max(waitMs, retryAfterMs(res.headers.get("retry-after")));
        } else if (res.status >= 500) {
          this.counts.ambiguous++;
        } else {
          throw new FatalSendError(`sender ${this.index}: webhook answered ${res.status}: ${text.slice(0, 500)}`);
        }
      } catch (error) {
        if (error instanceof FatalSendError) throw error;
        lastAnswer = `last error ${error instanceof Error ? error.message : String(error)}`;
        this.counts.ambiguous++; // the connection went away (a kill): the hub may have committed the batch
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

function taskKey(task: TaskRecord): string {
  return `task:${task.tag ?? ""}/${task.id}`;
}

function retryAfterMs(header: string | null): number {
  const seconds = header !== null && /^\d+$/.test(header) ? Number(header) : 1;
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
}
