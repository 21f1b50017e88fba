/**
 * One task's retained history (GET …/tasks/:tag/:id/history), loaded page by
 * page, newest first, with reactive state. The detail view adds the live
 * deltas that arrive after `head` and reloads the newest page when they do
 * not continue it (a resync, a burst larger than the activity list).
 */
import * as v from "valibot";
import { DEFAULT_TASK_HISTORY_LIMIT, Paths, TaskHistoryResponseSchema, messageOf, type TaskHistoryItem } from "../../../protocol/index.ts";
import { getJson } from "./api/rest-client.ts";
import type { TicketSource } from "./live/index.ts";

/** A reload of the newest page waits at least this long after the previous one. */
const MIN_RELOAD_INTERVAL_MS = 1000;

export class TaskHistory {
  #items = $state<readonly TaskHistoryItem[]>([]);
  #head = $state<number | null>(null);
  #epoch = $state<string | null>(null);
  #nextBefore = $state<number | null>(null);
  #oldestRetainedSeq = $state<number | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #lastReloadAtMs = 0;
  #abort = new AbortController();

  constructor(
    readonly baseUrl: string,
    readonly tickets: TicketSource,
    readonly channel: string,
    readonly tag: string,
    readonly taskId: string,
  ) {}

  /** Loaded items, newest first. */
  get items(): readonly TaskHistoryItem[] {
    return this.#items;
  }
  /** The log's head when the newest page was read: later deltas come live. Null before the first answer. */
  get head(): number | null {
    return this.#head;
  }
  get epoch(): string | null {
    return this.#epoch;
  }
  /** Null when nothing older is retained. */
  get nextBefore(): number | null {
    return this.#nextBefore;
  }
  get oldestRetainedSeq(): number | null {
    return this.#oldestRetainedSeq;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  /** (Re)loads the newest page; ignored while a load runs or right after one. */
  async loadNewest(nowMs = Date.now()): Promise<void> {
    if (this.#loading || nowMs - this.#lastReloadAtMs < MIN_RELOAD_INTERVAL_MS) return;
    this.#lastReloadAtMs = nowMs;
    const page = await this.#load(undefined);
    if (!page) return;
    this.#items = page.items;
    this.#head = page.head;
    this.#epoch = page.epoch;
    this.#nextBefore = page.nextBefore;
    this.#oldestRetainedSeq = page.oldestRetainedSeq;
  }

  async loadOlder(): Promise<void> {
    if (this.#loading || this.#nextBefore === null) return;
    const page = await this.#load(this.#nextBefore);
    if (!page) return;
    if (page.epoch !== this.#epoch) {
      this.#lastReloadAtMs = 0;
      await this.loadNewest();
      return;
    }
    this.#items = [...this.#items, ...page.items];
    this.#nextBefore = page.nextBefore;
    this.#oldestRetainedSeq = page.oldestRetainedSeq;
  }

  dispose(): void {
    this.#abort.abort();
  }

  async #load(before: number | undefined) {
    this.#loading = true;
    try {
      const query = `?limit=${DEFAULT_TASK_HISTORY_LIMIT}${before === undefined ? "" : `&before=${before}`}`;
      const body = await getJson<unknown>(this.baseUrl, this.tickets, Paths.taskHistory(this.channel, this.tag, this.taskId) + query, this.channel, this.#abort.signal);
      this.#error = null;
      return v.parse(TaskHistoryResponseSchema, body);
    } catch (error) {
      if (!this.#abort.signal.aborted) this.#error = messageOf(error);
      return null;
    } finally {
      this.#loading = false;
    }
  }
}
