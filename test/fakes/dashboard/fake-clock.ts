/** A Clock driven by hand: time moves only in advance()/run(). */
import type { Cancel, Clock } from "../../../dashboard/src/lib/live/index.ts";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #nextId = 0;
  #timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, delayMs: number): Cancel {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Pending timers' delays from now, soonest first. */
  get pendingDelays(): number[] {
    return this.#timers.map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Runs every timer due within `ms` (in time order, including ones they schedule), synchronously. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let timer = this.#next(target); timer; timer = this.#next(target)) this.#fire(timer);
    this.#now = target;
  }

  /** Like advance(), but lets promises settle before and after each timer (fetches, ticket lookups). */
  async run(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (let timer = this.#next(target); timer; timer = this.#next(target)) {
      this.#fire(timer);
      await settle();
    }
    this.#now = target;
    await settle();
  }

  #next(target: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) if (t.at <= target && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    return best;
  }

  #fire(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = timer.at;
    timer.callback();
  }
}

/** Lets pending promise chains (including Response bodies) run to completion. */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
