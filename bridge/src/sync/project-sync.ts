/**
 * One sync: read Task Master's files (tasks, state, complexity reports),
 * normalise, diff against the baseline, queue the events, then save the new
 * baseline. Runs one at a time; a request during a sync makes it run once
 * more when done. The first sync that finds a tasks file also reconciles:
 * it tells the hub which tasks exist, so the hub drops what it holds beyond them.
 */
import type { Logger } from "../log.ts";
import type { DeadLetters, Outbox } from "../outbox/outbox.ts";
import { validateEvent } from "../delivery/validate.ts";
import { complexityByTaskId, complexityReportFileName, joinComplexity } from "../taskmaster/complexity-reports.ts";
import { currentTagOf, normaliseTasksFile, type TaskTree } from "../taskmaster/normalise.ts";
import { readJsonFile, UnreadableFileError, type ProjectPaths } from "../taskmaster/project-files.ts";
import type { Baseline, BaselineStore } from "./baseline-store.ts";
import { diffProjects, type ProjectView } from "./differ.ts";
import { buildEvents } from "./event-builder.ts";
import type { HubEvent, ProjectTag, TaskComplexity } from "../../../protocol/index.ts";
import { join } from "node:path";

export interface ProjectSyncOptions {
  readonly paths: ProjectPaths;
  /** The project's name on the dashboard. */
  readonly name: string;
  readonly outbox: Outbox;
  readonly deadLetters: DeadLetters;
  readonly store: BaselineStore;
  readonly baseline: Baseline;
  readonly log: Logger;
  readonly nowMs?: () => number;
  /** Called after events were queued and the baseline saved. */
  readonly onQueued?: (count: number) => void;
}

export class ProjectSync {
  readonly #o: ProjectSyncOptions;
  #baseline: Baseline;
  #current: ProjectView | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #reconciled = false;
  readonly #reported = new Set<string>();

  constructor(options: ProjectSyncOptions) {
    this.#o = options;
    this.#baseline = options.baseline;
  }

  /** The project as last read (null before the first read). */
  get current(): ProjectView | null {
    return this.#current ?? this.#baseline.view;
  }

  /** Syncs now, or once more after the sync in progress. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#syncOnce();
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #syncOnce(): Promise<void> {
    const { paths, log } = this.#o;
    let tasksRaw: unknown;
    let stateRaw: unknown;
    let read: { tasks: TaskTree; tags: ProjectTag[] };
    try {
      tasksRaw = await readJsonFile(paths.tasksFile);
      stateRaw = await readJsonFile(paths.stateFile);
      const normalised = normaliseTasksFile(tasksRaw ?? {});
      for (const issue of normalised.issues) this.#reportOnce(`${issue.where}: ${issue.message}`);
      read = { tasks: joinComplexity(normalised.tasks, await this.#readReports(normalised.tags)), tags: normalised.tags };
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) throw error;
      log.warn(`${error.message}; waiting for the next change`);
      return;
    }
    const next: ProjectView = { name: this.#o.name, currentTag: currentTagOf(stateRaw), ...read };
    this.#current = next;

    // No tasks file is not an empty project (a wrong --file, a project not started): never reconcile to it.
    const reconcile = !this.#reconciled && tasksRaw !== null;
    const changes = diffProjects(this.#baseline.view, next, { reconcile });
    if (changes.length === 0) return;
    const occurredAtMs = Math.max(this.#o.nowMs?.() ?? Date.now(), this.#baseline.lastOccurredAtMs + 1);
    const built = buildEvents(changes, { generation: this.#baseline.generation, revisions: this.#baseline.revisions, occurredAt: new Date(occurredAtMs).toISOString() });
    const events: HubEvent[] = [];
    for (const input of built.events) {
      const checked = validateEvent(input);
      if (checked.ok) events.push(checked.event);
      else {
        await this.#o.deadLetters.add(input, `not sent, invalid: ${checked.message}`);
        log.error(`a ${input.type} event does not match the hub's schema (${checked.message}); kept in the dead letters`);
      }
    }
    const added = await this.#o.outbox.append(events);
    this.#baseline = { ...this.#baseline, view: next, revisions: built.revisions, lastOccurredAtMs: occurredAtMs };
    await this.#o.store.save(this.#baseline);
    if (reconcile) this.#reconciled = true;
    log.info(`queued ${added} event(s) (${summarise(events)}); ${this.#o.outbox.size} in the outbox`);
    this.#o.onQueued?.(added);
  }

  /** Each tag's complexity report, by task id (a tag without a report has none). */
  async #readReports(tags: readonly ProjectTag[]): Promise<Map<string, Map<string, TaskComplexity>>> {
    const reports = new Map<string, Map<string, TaskComplexity>>();
    for (const { name } of tags) {
      const report = await readJsonFile(join(this.#o.paths.reportsDir, complexityReportFileName(name)));
      if (report !== null) reports.set(name, complexityByTaskId(report));
    }
    return reports;
  }

  #reportOnce(message: string): void {
    if (this.#reported.has(message)) return;
    this.#reported.add(message);
    this.#o.log.warn(`tasks.json: ${message}`);
  }
}

function summarise(events: readonly HubEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(", ") || "none new";
}
