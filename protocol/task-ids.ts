/**
 * Task Master ids arrive as numbers or strings; on the wire and in the state
 * they are strings: tasks "5", subtasks "<parent>.<n>" ("5.2").
 */

/** A subtask id 2 (or "2") of task 5 is "5.2"; an id that already has a dot is kept. */
export function subtaskIdOf(parentId: string, id: string | number): string {
  const s = String(id);
  return s.includes(".") ? s : `${parentId}.${s}`;
}
