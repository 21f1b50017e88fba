/**
 * The outbox on disk: a folder of numbered segment files, each a JSON array
 * of at most MAX_EVENTS_PER_BATCH events, written atomically. Appending
 * writes a new segment; acknowledging deletes a segment or rewrites it
 * without the acknowledged events. The folder order is the send order.
 * Every rename and delete flushes the folder, so a power loss can neither
 * bring back an acknowledged segment nor lose a queued one.
 */
import { appendFile, readdir, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { MAX_EVENTS_PER_BATCH, type HubEvent } from "../../../protocol/index.ts";
import { validateEvent } from "../delivery/validate.ts";
import { fsyncFolder, makeFolderDurably, removeFileDurably, renameDurably, TEMP_SUFFIX, writeFileAtomic } from "../files/atomic-file.ts";
import { consoleLogger, type Logger } from "../log.ts";
import { takeBatch, type DeadLetters, type Outbox } from "./outbox.ts";

const SEGMENT_NAME = /^(\d{12})\.json$/;
const segmentName = (seq: number) => `${String(seq).padStart(12, "0")}.json`;

/** Where unreadable segments go: beside the outbox folder, so the outbox holds only segments to send. */
export const quarantineFolderOf = (outboxDir: string) => join(dirname(outboxDir), `${basename(outboxDir)}-quarantine`);

interface Segment {
  readonly name: string;
  events: HubEvent[];
}

export class DiskOutbox implements Outbox {
  readonly #dir: string;
  readonly #segments: Segment[];
  readonly #ids: Set<string>;
  #nextSeq: number;
  /** Appends and removals run one at a time: both touch the segment list across awaits. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, segments: Segment[], nextSeq: number) {
    this.#dir = dir;
    this.#segments = segments;
    this.#ids = new Set(segments.flatMap((s) => s.events.map((e) => e.id)));
    this.#nextSeq = nextSeq;
  }

  /**
   * Loads what an earlier run left. A segment that is not a JSON array is
   * quarantined (moved aside, logged, noted in the dead letters); invalid
   * events go to the dead letters and their segment is rewritten without
   * them, so nothing is reported twice or kept forever.
   */
  static async open(dir: string, deadLetters: DeadLetters, log: Pick<Logger, "warn"> = consoleLogger()): Promise<DiskOutbox> {
    await makeFolderDurably(dir);
    const names = (await readdir(dir)).sort();
    const segments: Segment[] = [];
    let lastSeq = 0;
    for (const name of names) {
      if (name.endsWith(TEMP_SUFFIX)) {
        await removeFileDurably(join(dir, name)); // a write the crash interrupted; its segment was never visible
        continue;
      }
      const match = SEGMENT_NAME.exec(name);
      if (!match) continue;
      lastSeq = Math.max(lastSeq, Number(match[1]));
      const events = await loadSegment(join(dir, name), deadLetters, log);
      if (events.length > 0) segments.push({ name, events });
    }
    return new DiskOutbox(dir, segments, lastSeq + 1);
  }

  get size(): number {
    return this.#ids.size;
  }

  /** Segment files currently on disk (tests use it to see delivery progress). */
  get segmentCount(): number {
    return this.#segments.length;
  }

  append(events: readonly HubEvent[]): Promise<number> {
    return this.#serial(async () => {
      const fresh: HubEvent[] = [];
      const seen = new Set(this.#ids);
      for (const e of events) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        fresh.push(e);
      }
      for (let i = 0; i < fresh.length; i += MAX_EVENTS_PER_BATCH) {
        const chunk = fresh.slice(i, i + MAX_EVENTS_PER_BATCH);
        const name = segmentName(this.#nextSeq++);
        await writeFileAtomic(join(this.#dir, name), JSON.stringify(chunk));
        this.#segments.push({ name, events: chunk });
        for (const e of chunk) this.#ids.add(e.id);
      }
      return fresh.length;
    });
  }

  peek(maxEvents: number, maxBytes: number): HubEvent[] {
    const all = this.#segments.flatMap((s) => s.events);
    return takeBatch(all, maxEvents, maxBytes);
  }

  remove(ids: ReadonlySet<string>): Promise<void> {
    return this.#serial(async () => {
      for (const segment of [...this.#segments]) {
        const keep = segment.events.filter((e) => !ids.has(e.id));
        if (keep.length === segment.events.length) continue;
        if (keep.length === 0) {
          await removeFileDurably(join(this.#dir, segment.name));
          this.#segments.splice(this.#segments.indexOf(segment), 1);
        } else {
          await writeFileAtomic(join(this.#dir, segment.name), JSON.stringify(keep));
          segment.events = keep;
        }
      }
      for (const id of ids) this.#ids.delete(id);
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** The segment's valid events; what cannot be sent is reported once and leaves the folder. */
async function loadSegment(file: string, deadLetters: DeadLetters, log: Pick<Logger, "warn">): Promise<HubEvent[]> {
  const name = basename(file);
  const parsed = parseSegment(await readFile(file, "utf8"));
  if (!parsed.ok) {
    await quarantine(file, `outbox segment ${name} ${parsed.problem}`, deadLetters, log);
    return [];
  }
  const events: HubEvent[] = [];
  for (const item of parsed.items) {
    const checked = validateEvent(item);
    if (checked.ok) events.push(checked.event);
    else await deadLetters.add(item, `invalid event in outbox segment ${name}: ${checked.message}`);
  }
  if (events.length === 0) await removeFileDurably(file);
  else if (events.length < parsed.items.length) await writeFileAtomic(file, JSON.stringify(events));
  return events;
}

function parseSegment(body: string): { ok: true; items: unknown[] } | { ok: false; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, problem: "is not JSON" };
  }
  if (!Array.isArray(parsed)) return { ok: false, problem: `is JSON but not an array (${parsed === null ? "null" : typeof parsed})` };
  return { ok: true, items: parsed };
}

/** Moves an unreadable segment aside, untouched, for a human to look at: never dropped, never retried. */
async function quarantine(file: string, reason: string, deadLetters: DeadLetters, log: Pick<Logger, "warn">): Promise<void> {
  const folder = quarantineFolderOf(dirname(file));
  await makeFolderDurably(folder);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const aside = join(folder, `${basename(file)}.quarantined-${stamp}`);
  await renameDurably(file, aside);
  log.warn(`${reason}: moved it to ${aside}; the other segments are sent as usual`);
  await deadLetters.add({ quarantined: aside }, `${reason}; quarantined as ${aside}`);
}

/** Dead letters as JSON lines next to the outbox, for a human to read (and re-post with `npm run send` if wanted). */
export class DiskDeadLetters implements DeadLetters {
  constructor(readonly file: string) {}

  async add(event: unknown, reason: string): Promise<void> {
    await appendFile(this.file, JSON.stringify({ at: new Date().toISOString(), reason, event }) + "\n", { encoding: "utf8", flush: true });
    await fsyncFolder(dirname(this.file)); // the first line creates the file: its name must survive a power loss too
  }
}
