/** The outbox in memory: the demo feed (whose events need not survive a restart) and tests. */
import type { HubEvent } from "../../../protocol/index.ts";
import { takeBatch, type DeadLetters, type Outbox } from "./outbox.ts";

export class MemoryOutbox implements Outbox {
  #events: HubEvent[] = [];

  get size(): number {
    return this.#events.length;
  }

  async append(events: readonly HubEvent[]): Promise<number> {
    const known = new Set(this.#events.map((e) => e.id));
    const fresh = events.filter((e) => !known.has(e.id) && known.add(e.id));
    this.#events.push(...fresh);
    return fresh.length;
  }

  peek(maxEvents: number, maxBytes: number): HubEvent[] {
    return takeBatch(this.#events, maxEvents, maxBytes);
  }

  async remove(ids: ReadonlySet<string>): Promise<void> {
    this.#events = this.#events.filter((e) => !ids.has(e.id));
  }
}

/** Dead letters that are only remembered (and logged by the caller). */
export class MemoryDeadLetters implements DeadLetters {
  readonly entries: { event: unknown; reason: string }[] = [];

  async add(event: unknown, reason: string): Promise<void> {
    this.entries.push({ event, reason });
  }
}
