/**
 * The listeners of a live channel (LiveChannel, SharedLiveChannel): told at
 * most once per animation frame however many changes come before it, and a
 * listener that throws is logged without keeping the others from hearing.
 */
import { messageOf } from "../../../../protocol/index.ts";
import type { FrameScheduler } from "./types.ts";

export class FrameNotifier {
  readonly #listeners = new Set<() => void>();
  readonly #scheduleFrame: FrameScheduler;
  readonly #log: (text: string) => void;
  #requested = false;

  constructor(scheduleFrame: FrameScheduler, log: (text: string) => void) {
    this.#scheduleFrame = scheduleFrame;
    this.#log = log;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Something changed: one notification at the next frame (none while nobody listens). */
  changed(): void {
    if (this.#requested || this.#listeners.size === 0) return;
    this.#requested = true;
    this.#scheduleFrame(() => {
      this.#requested = false;
      this.notifyNow();
    });
  }

  /** Tells every listener now (a change already paced by another notifier). */
  notifyNow(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        this.#log(`a listener threw: ${messageOf(error)}`);
      }
    }
  }
}
