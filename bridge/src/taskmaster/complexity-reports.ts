/**
 * Task Master's complexity reports (`task-master analyze-complexity`), joined
 * to their tasks. Task Master keeps one report per tag in
 * `.taskmaster/reports/`: `task-complexity-report.json` for master,
 * `task-complexity-report_<tag>.json` for any other tag, each
 * `{ meta, complexityAnalysis: [{ taskId, complexityScore, recommendedSubtasks, reasoning, … }] }`.
 */
import * as v from "valibot";
import { ComplexityInputSchema, DEFAULT_TAG, type TaskComplexity } from "../../../protocol/index.ts";
import type { NormalTask, TaskTree } from "./normalise.ts";

const REPORT_STEM = "task-complexity-report";
const MAX_REASONING_CHARS = 20_000;

export function complexityReportFileName(tag: string): string {
  return tag === DEFAULT_TAG ? `${REPORT_STEM}.json` : `${REPORT_STEM}_${tag}.json`;
}

export function isComplexityReportFileName(name: string): boolean {
  return name === `${REPORT_STEM}.json` || (name.startsWith(`${REPORT_STEM}_`) && name.endsWith(".json"));
}

/** A parsed report → complexity by task id. Entries the hub could not take are skipped. */
export function complexityByTaskId(report: unknown): Map<string, TaskComplexity> {
  const out = new Map<string, TaskComplexity>();
  const entries = typeof report === "object" && report !== null ? (report as { complexityAnalysis?: unknown }).complexityAnalysis : undefined;
  if (!Array.isArray(entries)) return out;
  for (const entry of entries as Record<string, unknown>[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const candidate = {
      score: entry.complexityScore,
      ...(entry.recommendedSubtasks !== undefined ? { recommendedSubtasks: entry.recommendedSubtasks } : {}),
      ...(typeof entry.reasoning === "string" ? { reasoning: entry.reasoning.slice(0, MAX_REASONING_CHARS) } : {}),
    };
    const parsed = v.safeParse(ComplexityInputSchema, candidate);
    if (parsed.success && (typeof entry.taskId === "number" || typeof entry.taskId === "string")) out.set(String(entry.taskId), parsed.output);
  }
  return out;
}

/** The tasks with `complexity` from their tag's report; a task its report does not name has none. */
export function joinComplexity(tasks: TaskTree, reports: ReadonlyMap<string, ReadonlyMap<string, TaskComplexity>>): TaskTree {
  const out: Record<string, Record<string, NormalTask>> = {};
  for (const [tag, byId] of Object.entries(tasks)) {
    const report = reports.get(tag);
    const joined: Record<string, NormalTask> = {};
    for (const [id, task] of Object.entries(byId)) {
      const complexity = report?.get(id);
      joined[id] = complexity ? { ...task, complexity } : task;
    }
    out[tag] = joined;
  }
  return out;
}
