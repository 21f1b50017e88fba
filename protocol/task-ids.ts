/**
 * Task Master ids arrive as numbers or strings; on the wire and in the state
 * they are strings: tasks "5", subtasks "<parent>.<n>" ("5.2").
 */

/** A subtask id 2 (or "2") of task 5 is "5.2"; an id that already has a dot is kept. */
export function subtaskIdOf(parentId: string, id: string | number): string {
  const s = String(id);
  return s.includes(".") ? s : `${parentId}.${s}`;
}

/**
 * A dependency written inside a subtask, as Task Master reads it: a bare
 * number means the sibling (dependency 1 of a subtask of task 2 is "2.1");
 * a dotted id ("3.1") is kept. Task Master writes siblings that way
 * (`add-subtask --parent 2 --dependencies 1`).
 */
export function subtaskDependencyIdOf(parentId: string, dependency: string | number): string {
  return subtaskIdOf(parentId, dependency);
}
