/**
 * A ticking "now" for relative times ("5 s ago", "next try in 3 s"). Ticks
 * only while something on screen reads it.
 */
import { createSubscriber } from "svelte/reactivity";

class NowTicker {
  readonly #subscribe: () => void;

  constructor(intervalMs = 1000) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs);
      return () => clearInterval(timer);
    });
  }

  get nowMs(): number {
    this.#subscribe();
    return Date.now();
  }
}

/** One ticker for the whole page: one timer, however many relative times are shown. */
export const nowTicker = new NowTicker();
