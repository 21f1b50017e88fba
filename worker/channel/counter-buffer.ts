/**
 * Counter increments held in memory and written in one go: a connect or a
 * broadcast would otherwise write a row each, and a write makes the runtime
 * hold every outgoing frame until it is durable. What is held is lost if the
 * object is evicted before the next flush (at most COUNTER_FLUSH_MS of
 * counts); the counters are metrics, not the log.
 */
import { COUNTER_NAMES, zeroCounters, type CounterName, type Counters } from "./storage.ts";

/** The longest a held increment waits for its write. */
export const COUNTER_FLUSH_MS = 1000;

export interface HeldCounters {
  /** Added to the stored values. */
  readonly increments: Partial<Counters>;
  /** Stored values are raised to these (peaks). */
  readonly atLeast: Partial<Counters>;
}

export class CounterBuffer {
  #increments: Partial<Counters> = {};
  #atLeast: Partial<Counters> = {};

  get isEmpty(): boolean {
    return Object.keys(this.#increments).length === 0 && Object.keys(this.#atLeast).length === 0;
  }

  add(increments: Partial<Counters>): void {
    for (const [name, by] of Object.entries(increments) as [CounterName, number][]) {
      if (by) this.#increments[name] = (this.#increments[name] ?? 0) + by;
    }
  }

  raise(name: CounterName, atLeast: number): void {
    this.#atLeast[name] = Math.max(this.#atLeast[name] ?? atLeast, atLeast);
  }

  /** The stored counters as they will be once what is held is written. */
  over(stored: Counters): Counters {
    const out = zeroCounters();
    for (const name of COUNTER_NAMES) out[name] = Math.max(stored[name] + (this.#increments[name] ?? 0), this.#atLeast[name] ?? 0);
    return out;
  }

  /** Hands over what is held and forgets it. */
  take(): HeldCounters {
    const held = { increments: this.#increments, atLeast: this.#atLeast };
    this.#increments = {};
    this.#atLeast = {};
    return held;
  }
}
