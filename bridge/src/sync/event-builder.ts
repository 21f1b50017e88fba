/**
 * Project changes → hub events with deterministic ids. Pure.
 *
 * The id hashes (generation, entity, revision, payload): the same change
 * seen again after a crash gets the same id, so the outbox and the hub
 * de-duplicate it; a task going back to an earlier state gets a new
 * revision, hence a new id, so the hub does not mistake it for a duplicate.
 * The generation is random per baseline, so deleting `.taskmaster-live/`
 * cannot make new events collide with old ones.
 */
import { createHash } from "node:crypto";
import { CLEARABLE_TASK_FIELDS, type HubEventInput } from "../../../protocol/index.ts";
import type { NormalTask } from "../taskmaster/normalise.ts";
import type { ProjectChange } from "./differ.ts";
import { stableJson } from "./stable-json.ts";

type Revisions = Readonly<Record<string, number>>;

export interface BuildContext {
  readonly generation: string;
  readonly revisions: Revisions;
  /** When the change was observed; stored with the event and resent unchanged. */
  readonly occurredAt: string;
}

const ID_HASH_HEX_CHARS = 40;

/** The revision counter a change advances. Upsert and removal share one: a re-created task is a new revision. */
function revisionKey(change: ProjectChange): string {
  switch (change.kind) {
    case "task.upsert":
      return `task/${change.tag}/${change.task.id}`;
    case "task.removed":
      return `task/${change.tag}/${change.taskId}`;
    case "task.progress":
      return `progress/${change.tag}/${change.taskId}`;
    case "project.sync":
      return "sync";
    case "project.meta":
      return "meta";
  }
}

/**
 * The fields Task Master owns: when its task lacks one, the upsert clears it
 * with null, so a field removed in Task Master goes on the hub too. `agentId`
 * is the agents' (set by `taskmaster-live agent`), never cleared from here.
 */
const CLEARED_WHEN_ABSENT = CLEARABLE_TASK_FIELDS.filter((field) => field !== "agentId");

function taskPayload(task: NormalTask): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...task, subtasks: task.subtasks.map((s) => ({ ...s })), dependencies: [...task.dependencies] };
  for (const field of CLEARED_WHEN_ABSENT) if (!(field in task)) payload[field] = null;
  return payload;
}

function dataOf(change: ProjectChange): { type: HubEventInput["type"]; data: Record<string, unknown> } {
  switch (change.kind) {
    case "task.upsert":
      return { type: "task.upsert", data: { tag: change.tag, task: taskPayload(change.task) } };
    case "task.removed":
      return { type: "task.removed", data: { tag: change.tag, taskId: change.taskId } };
    case "task.progress":
      return { type: "task.progress", data: { tag: change.tag, taskId: change.taskId, percent: change.percent, message: change.message } };
    case "project.sync":
      return { type: "project.sync", data: { tags: change.tags.map((t) => ({ tag: t.tag, taskIds: [...t.taskIds] })) } };
    case "project.meta": {
      const data: Record<string, unknown> = {};
      if (change.name !== undefined) data.name = change.name;
      if (change.currentTag !== undefined) data.currentTag = change.currentTag;
      if (change.tags !== undefined) data.tags = change.tags.map((t) => ({ ...t }));
      return { type: "project.meta", data };
    }
  }
}

function eventId(generation: string, key: string, revision: number, type: string, data: unknown): string {
  const hash = createHash("sha256").update([generation, key, String(revision), type, stableJson(data)].join("\u0000")).digest("hex");
  return `tm-${hash.slice(0, ID_HASH_HEX_CHARS)}`;
}

export function buildEvents(changes: readonly ProjectChange[], ctx: BuildContext): { events: HubEventInput[]; revisions: Record<string, number> } {
  const revisions: Record<string, number> = { ...ctx.revisions };
  const events = changes.map((change) => {
    const key = revisionKey(change);
    const revision = (revisions[key] ?? 0) + 1;
    revisions[key] = revision;
    const { type, data } = dataOf(change);
    return { id: eventId(ctx.generation, key, revision, type, data), type, occurredAt: ctx.occurredAt, data } as HubEventInput;
  });
  return { events, revisions };
}
