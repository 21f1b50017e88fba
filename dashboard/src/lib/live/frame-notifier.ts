/** Listeners called at most once per animation frame, however many changes happened: 500 deltas/s cost one render per frame. */
import type { FrameScheduler } from "./types.ts";

export class FrameNotifier {
  readonly #listeners = new Set<() => void>();
  #requested = false;

  constructor(
    private readonly scheduleFrame: FrameScheduler,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  changed(): void {
    if (this.#requested || this.#listeners.size === 0) return;
    this.#requested = true;
    this.scheduleFrame(() => {
      this.#requested = false;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch (error) {
          this.onListenerError(error);
        }
      }
    });
  }
}
