/** A valid `task.upsert` of an exact size, for the tests of the event and body limits. */
import { MAX_LONG_TEXT_BYTES, type HubEventInput } from "../protocol/index.ts";
import { jsonByteLength } from "../protocol/json-bounds.ts";

/**
 * A task.upsert whose compact JSON is exactly `bytes` bytes (at least ~600 KB): three long
 * texts at their limit, then subtasks whose descriptions fill the rest, each within its own limit.
 */
export function eventOfBytes(bytes: number, base: { id: string; occurredAt: string }): HubEventInput {
  const long = "x".repeat(MAX_LONG_TEXT_BYTES);
  const subtasks: { id: number; description: string }[] = [];
  const event = { ...base, type: "task.upsert" as const, data: { task: { id: 1, description: long, details: long, testStrategy: long, subtasks } } };
  for (let id = 1; jsonByteLength(event) < bytes; id++) {
    const subtask = { id, description: "" };
    const cost = jsonByteLength(subtask) + (subtasks.length > 0 ? 1 : 0);
    subtask.description = "y".repeat(Math.min(MAX_LONG_TEXT_BYTES, bytes - jsonByteLength(event) - cost));
    subtasks.push(subtask);
  }
  if (jsonByteLength(event) !== bytes) throw new Error(`cannot build an event of exactly ${bytes} bytes`);
  return event;
}
