/** Reads the fixtures the real Task Master CLI produced (test/fixtures/taskmaster/make-fixtures.mjs). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../../fixtures/taskmaster/", import.meta.url));

export const STEPS = ["00-seed", "01-add-task", "02-add-subtask", "03-set-status", "04-add-dependency", "05-tags-add", "06-move", "07-remove-task", "08-tags-use"] as const;
export type Step = (typeof STEPS)[number];

export function tasksJson(step: Step): unknown {
  return JSON.parse(readFileSync(`${DIR}${step}.tasks.json`, "utf8"));
}

export function stateJson(step: Step): unknown {
  return JSON.parse(readFileSync(`${DIR}${step}.state.json`, "utf8"));
}
