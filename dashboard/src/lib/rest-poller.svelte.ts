/**
 * Polls one REST resource on a fixed interval with reactive error state.
 * The next poll is scheduled only after the previous one settled, so a slow
 * hub is never asked twice at once; a denial (wrong token) stops polling.
 * The error is shown on the page and in the debug panel: redacted.
 */
import { HubError, messageOf } from "../../../protocol/index.ts";
import { redactCredentials } from "./live/index.ts";

export abstract class RestPoller<T> {
  #error = $state<string | null>(null);
  #denied = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #abort: AbortController | null = null;
  readonly #intervalMs: number;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** One request. */
  protected abstract request(signal: AbortSignal): Promise<T>;
  /** What to keep of a successful answer. */
  protected abstract received(body: T): void;

  get error(): string | null {
    return this.#error;
  }
  get denied(): boolean {
    return this.#denied;
  }

  start(): void {
    void this.#poll();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  async #poll(): Promise<void> {
    const abort = (this.#abort = new AbortController());
    try {
      this.received(await this.request(abort.signal));
      this.#error = null;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#error = redactCredentials(messageOf(error));
      // A wrong token stays wrong: stop polling until the viewer changes it.
      if (error instanceof HubError && error.denied) {
        this.#denied = true;
        return;
      }
    }
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
  }
}
