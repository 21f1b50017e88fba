/**
 * The baseline: the project as the bridge last queued it, with the
 * revision counters behind its event ids. Saved after the events it
 * implies are in the outbox, so a crash between the two re-derives the
 * same events (same ids), which the outbox skips and the hub de-duplicates.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../files/atomic-file.ts";
import type { ProjectView } from "./differ.ts";

const BASELINE_FORMAT = 1;

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  /** Random per baseline; part of every event id. */
  readonly generation: string;
  /** occurredAt of the newest queued event: later events are never dated before it, even if the clock steps back. */
  readonly lastOccurredAtMs: number;
  readonly revisions: Readonly<Record<string, number>>;
  /** null: nothing queued yet, the first sync sends the whole project. */
  readonly view: ProjectView | null;
}

export function freshBaseline(): Baseline {
  return { format: BASELINE_FORMAT, generation: randomUUID(), lastOccurredAtMs: 0, revisions: {}, view: null };
}

function isBaseline(x: unknown): x is Baseline {
  const b = x as Partial<Baseline> | null;
  return typeof b === "object" && b !== null && b.format === BASELINE_FORMAT && typeof b.generation === "string" && typeof b.lastOccurredAtMs === "number" && typeof b.revisions === "object" && b.revisions !== null && "view" in b;
}

export class BaselineStore {
  constructor(readonly file: string) {}

  /** The saved baseline, or a fresh one (and why) when there is none or it is unreadable. */
  async load(): Promise<{ baseline: Baseline; problem: string | null }> {
    let body: string;
    try {
      body = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { baseline: freshBaseline(), problem: null };
      throw error;
    }
    try {
      const parsed: unknown = JSON.parse(body);
      if (isBaseline(parsed)) return { baseline: parsed, problem: null };
    } catch {
      // fall through
    }
    return { baseline: freshBaseline(), problem: `${this.file} is unreadable; the whole project will be sent again` };
  }

  async save(baseline: Baseline): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(baseline));
  }
}
