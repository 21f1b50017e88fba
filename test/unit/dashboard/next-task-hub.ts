/**
 * A Task Master tasks.json as the hub holds it after a bridge's first sync:
 * the bridge's real normaliser, differ and event builder, then the hub's
 * real reducer, in memory.
 */
import { diffProjects } from "../../../bridge/src/sync/differ.ts";
import { buildEvents } from "../../../bridge/src/sync/event-builder.ts";
import { normaliseTasksFile } from "../../../bridge/src/taskmaster/normalise.ts";
import { applyChanges, emptyState, reduceOnHub, validateAndParse } from "../bridge/hub-replay.ts";
import type { ChannelState } from "../../../protocol/index.ts";

const OBSERVED_AT = "2026-01-01T00:00:00.000Z";

export function hubStateOf(tasksFile: unknown, currentTag: string): ChannelState {
  const { tasks, tags } = normaliseTasksFile(tasksFile);
  const changes = diffProjects(null, { name: "next-task-parity", currentTag, tasks, tags });
  const { events } = buildEvents(changes, { generation: "parity", revisions: {}, occurredAt: OBSERVED_AT });
  const hub = { state: emptyState(), versions: new Map<string, number>() };
  for (const input of events) applyChanges(hub.state, reduceOnHub(hub, validateAndParse(input)));
  return hub.state;
}
