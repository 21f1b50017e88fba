/** A FrameScheduler whose "animation frames" happen when the test says so. */
import type { FrameScheduler } from "../../../dashboard/src/lib/live/index.ts";

export class ManualFrames {
  #queue: (() => void)[] = [];
  readonly schedule: FrameScheduler = (callback) => void this.#queue.push(callback);

  get pending(): number {
    return this.#queue.length;
  }

  /** Runs one frame: every callback requested so far. */
  flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const callback of queue) callback();
  }
}
