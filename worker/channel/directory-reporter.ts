/**
 * Keeps the directory up to date without flooding it: at most one report in
 * flight; changes made meanwhile are folded into one follow-up report, built
 * when it is sent, so the last one always carries the newest numbers.
 */
export class DirectoryReporter<T> {
  readonly #build: () => T;
  readonly #send: (summary: T) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #inFlight = false;
  #dirty = false;

  constructor(build: () => T, send: (summary: T) => Promise<void>, onError: (error: unknown) => void) {
    this.#build = build;
    this.#send = send;
    this.#onError = onError;
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
      } while (this.#dirty);
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#inFlight = false;
    }
  }
}
