/**
 * A Durable Object's alarm, kept at the earliest deadline asked for. The
 * scheduled time is read back from storage once after a wake and then kept
 * in memory, so asking for a time at or after it costs no storage operation
 * (a connect asks for its ticket's expiry).
 */

/** The two storage calls it makes (DurableObjectStorage has them). */
export interface AlarmStorage {
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTimeMs: number): Promise<void>;
}

export class EarliestAlarm {
  readonly #storage: AlarmStorage;
  /** undefined until read back after a wake; null while none is set. */
  #atMs: number | null | undefined;

  constructor(storage: AlarmStorage) {
    this.#storage = storage;
  }

  /** Makes sure the alarm runs by `atMs`. */
  async atMost(atMs: number): Promise<void> {
    if (this.#atMs === undefined) this.#atMs = await this.#storage.getAlarm();
    if (this.#atMs === null || atMs < this.#atMs) {
      await this.#storage.setAlarm(atMs);
      this.#atMs = atMs;
    }
  }

  /** The alarm ran or was deleted: none is set. */
  cleared(): void {
    this.#atMs = null;
  }
}
