/**
 * Drains an outbox into the hub, oldest first, one batch at a time.
 *
 * - 2xx: the batch leaves the outbox.
 * - hub down, 408/429/5xx: retry with jittered exponential backoff, or after Retry-After
 *   (up to 5 min) if longer, saying so (with the outbox size).
 * - 401, 404/405, 503 not_configured: a configuration problem; said plainly, retried slowly, nothing dropped.
 * - other 4xx: the culprit events (named by a 422, else found by halving the
 *   batch) go to the dead letters, so one bad event never blocks the queue.
 */
import { backoffDelayMs, MAX_EVENTS_PER_BATCH, MAX_WEBHOOK_BODY_BYTES, type BackoffPolicy, type HubEvent, type WebhookAccepted } from "../../../protocol/index.ts";
import type { Logger } from "../log.ts";
import type { DeadLetters, Outbox } from "../outbox/outbox.ts";
import type { PostOutcome } from "./hub-poster.ts";

/** Room for `{"events":[...]}` and the commas around the events. */
const MAX_BATCH_BYTES = Math.floor(MAX_WEBHOOK_BODY_BYTES * 0.9);
/** Retries while the hub is down: full jitter so many bridges do not retry in step, never below the base so never a tight loop. */
export const BRIDGE_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 10_000, floorMs: 250 };
/** Wait after a 401, a wrong URL or an unconfigured hub: long enough not to hammer, short enough to recover once fixed. */
const DEFAULT_SLOW_RETRY_MS = 30_000;
/** While the hub stays down, repeat the warning at most this often. */
const REPEAT_WARNING_MS = 10_000;

export interface DeliveryOptions {
  readonly outbox: Outbox;
  readonly post: (events: readonly HubEvent[], signal: AbortSignal) => Promise<PostOutcome>;
  readonly deadLetters: DeadLetters;
  readonly log: Logger;
  /** Names the hub in messages, e.g. its URL and channel. */
  readonly hubLabel: string;
  /** Where dead letters go, for messages. */
  readonly deadLetterLabel?: string;
  /** Default BRIDGE_BACKOFF. */
  readonly backoff?: BackoffPolicy;
  readonly slowRetryMs?: number;
  readonly random?: () => number;
  readonly onAccepted?: (result: WebhookAccepted, sent: number) => void;
  /** The hub answered again after failing (it may have restarted, even lost its storage). */
  readonly onRecovered?: () => void;
}

export class DeliveryLoop {
  readonly #o: DeliveryOptions;
  #running: Promise<void> | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;
  #abort = new AbortController();
  #limit = MAX_EVENTS_PER_BATCH;
  #attempt = 0;
  #failingSinceMs: number | null = null;
  #lastWarningAtMs = 0;
  #lastOutcome: PostOutcome["kind"] | null = null;

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  /** True once the last request was accepted and nothing waits. */
  get idle(): boolean {
    return this.#o.outbox.size === 0 && this.#lastOutcome !== "unreachable" && this.#lastOutcome !== "retry";
  }

  /** The kind of the last answer (null before the first request). */
  get lastOutcome(): PostOutcome["kind"] | null {
    return this.#lastOutcome;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** New events are in the outbox. Does not cut a backoff short: a down hub is not retried faster because more events arrive. */
  notify(): void {
    if (this.#failingSinceMs === null) this.#wakeUp();
  }

  /** Resolves true once the outbox is empty, false if that takes longer than `timeoutMs`. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadlineMs = Date.now() + timeoutMs;
    this.notify();
    while (this.#o.outbox.size > 0) {
      if (Date.now() >= deadlineMs || this.#stopped) return false;
      await sleep(25);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wakeUp();
    await this.#running;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Sleeps until woken (or stopped), or `ms` passed (if given). */
  #pause(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(resolve, ms);
      this.#wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      if (this.#o.outbox.size === 0) {
        await this.#pause(null);
        continue;
      }
      const batch = this.#o.outbox.peek(this.#limit, MAX_BATCH_BYTES);
      const outcome = await this.#o.post(batch, this.#abort.signal);
      this.#lastOutcome = outcome.kind;
      // Even when stopping, an accepted batch must leave the outbox, or the next run resends it for nothing.
      if (this.#stopped && outcome.kind !== "accepted") return;
      try {
        await this.#handle(batch, outcome);
      } catch (error) {
        this.#o.log.error(`could not update the outbox: ${(error as Error).message}`);
        await this.#pause(this.#o.slowRetryMs ?? DEFAULT_SLOW_RETRY_MS);
      }
    }
  }

  async #handle(batch: readonly HubEvent[], outcome: PostOutcome): Promise<void> {
    const { log, outbox } = this.#o;
    switch (outcome.kind) {
      case "accepted": {
        await outbox.remove(new Set(batch.map((e) => e.id)));
        const recovered = this.#failingSinceMs !== null;
        if (recovered) log.info(`the hub ${this.#o.hubLabel} is answering again; ${outbox.size} event(s) left in the outbox`);
        this.#failingSinceMs = null;
        this.#lastWarningAtMs = 0;
        this.#attempt = 0;
        this.#limit = MAX_EVENTS_PER_BATCH;
        this.#o.onAccepted?.(outcome.result, batch.length);
        if (recovered) this.#o.onRecovered?.();
        return;
      }
      case "unreachable":
      case "retry": {
        this.#attempt++;
        // Retry-After (already capped at 5 min) is a minimum: a "0" must not make a tight loop.
        const retryAfterMs = outcome.kind === "retry" ? (outcome.retryAfterMs ?? 0) : 0;
        const delayMs = Math.max(retryAfterMs, backoffDelayMs(this.#attempt, this.#o.backoff ?? BRIDGE_BACKOFF, this.#o.random));
        const what = outcome.kind === "unreachable" ? `is unreachable (${outcome.message})` : `answered ${outcome.message}`;
        this.#warnThrottled(`the hub ${this.#o.hubLabel} ${what}; retrying in ${(delayMs / 1000).toFixed(1)} s; ${outbox.size} event(s) waiting in the outbox`);
        await this.#pause(delayMs);
        return;
      }
      case "unauthorized":
      case "unconfigured":
      case "misdirected": {
        const delayMs = this.#o.slowRetryMs ?? DEFAULT_SLOW_RETRY_MS;
        this.#failingSinceMs ??= Date.now();
        log.error(`${outcome.message}. Retrying in ${Math.round(delayMs / 1000)} s; ${outbox.size} event(s) kept in the outbox.`);
        await this.#pause(delayMs);
        return;
      }
      case "rejected":
        await this.#reject(batch, outcome);
        return;
    }
  }

  async #reject(batch: readonly HubEvent[], outcome: Extract<PostOutcome, { kind: "rejected" }>): Promise<void> {
    const named = (outcome.badIndexes ?? []).filter((i) => i >= 0 && i < batch.length);
    if (named.length === 0 && batch.length > 1) {
      // The hub did not say which event: halve the batch until the culprit is alone.
      this.#limit = Math.max(1, Math.floor(batch.length / 2));
      this.#o.log.warn(`the hub refused a batch of ${batch.length} (${outcome.status} ${outcome.code}: ${outcome.message}); narrowing it down`);
      return;
    }
    const culprits = named.length > 0 ? named.map((i) => batch[i]!) : [batch[0]!];
    for (const event of culprits) {
      const reason = `${outcome.status} ${outcome.code}: ${outcome.message}`;
      await this.#o.deadLetters.add(event, reason);
      this.#o.log.error(`the hub refused event ${event.id} (${event.type}) for good: ${reason}; moved it to ${this.#o.deadLetterLabel ?? "the dead letters"}`);
    }
    await this.#o.outbox.remove(new Set(culprits.map((e) => e.id)));
  }

  #warnThrottled(message: string): void {
    const nowMs = Date.now();
    this.#failingSinceMs ??= nowMs;
    if (nowMs - this.#lastWarningAtMs >= REPEAT_WARNING_MS) {
      this.#lastWarningAtMs = nowMs;
      this.#o.log.warn(message);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
