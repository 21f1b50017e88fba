/**
 * Keeps the directory up to date without flooding it: at most one report in
 * flight; changes made meanwhile are folded into one follow-up report, built
 * when it is sent, so the last one always carries the newest numbers. With
 * `minIntervalMs`, a follow-up waits that long after the previous report:
 * a burst of connects or webhooks costs the directory a few reports, not one each.
 */
export class DirectoryReporter<T> {
  readonly #build: () => T;
  readonly #send: (summary: T) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  readonly #minIntervalMs: number;
  readonly #wait: (ms: number) => Promise<void>;
  #inFlight = false;
  #dirty = false;

  constructor(
    build: () => T,
    send: (summary: T) => Promise<void>,
    onError: (error: unknown) => void,
    minIntervalMs = 0,
    wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.#build = build;
    this.#send = send;
    this.#onError = onError;
    this.#minIntervalMs = minIntervalMs;
    this.#wait = wait;
  }

  report(): void {
    if (this.#inFlight) {
      this.#dirty = true;
      return;
    }
    this.#inFlight = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      do {
        this.#dirty = false;
        await this.#send(this.#build());
        if (this.#dirty && this.#minIntervalMs > 0) await this.#wait(this.#minIntervalMs);
      } while (this.#dirty);
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#inFlight = false;
    }
  }
}
