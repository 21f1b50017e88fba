/**
 * One `taskmaster-live hook claude-code` call: the payload on stdin → one
 * `agent.status` report, sent quickly or queued. Never throws for the
 * agent to see: the command logs what went wrong and exits 0.
 */
import { randomUUID } from "node:crypto";
import * as v from "valibot";
import type { HubEvent } from "../../../protocol/index.ts";
import { validateEvent } from "../delivery/validate.ts";
import { findAgentTarget, type AgentTarget, type Env } from "./agent-target.ts";
import { agentIdOf, agentNameOf, HookPayloadSchema, reportOf, type HookReport } from "./claude-code-hook.ts";
import { sendReport, type SendOutcome } from "./report-sender.ts";
import { SessionTasks } from "./session-tasks.ts";

export interface HookRunOptions {
  readonly env: Env;
  /** Where to look for the project when the payload has no `cwd`. */
  readonly cwd: string;
  readonly deadlineMs?: number;
}

export type HookRunResult =
  | { readonly kind: "sent"; readonly target: AgentTarget; readonly agentId: string; readonly report: HookReport; readonly outcome: SendOutcome }
  /** Nothing to report (an event the mapping ignores). */
  | { readonly kind: "ignored"; readonly target: AgentTarget | null; readonly why: string }
  /** Unusable input or no configured project: `target` says where to log, when known. */
  | { readonly kind: "problem"; readonly target: AgentTarget | null; readonly why: string };

export function agentStatusReport(agentId: string, name: string, report: HookReport, now = new Date()): HubEvent | string {
  const checked = validateEvent({
    id: `cc-${randomUUID()}`,
    type: "agent.status",
    occurredAt: now.toISOString(),
    data: {
      agentId,
      name,
      status: report.status,
      taskId: report.task?.taskId ?? null,
      ...(report.task?.tag ? { taskTag: report.task.tag } : {}),
      ...(report.detail !== null ? { detail: report.detail.slice(0, 2000) } : {}),
    },
  });
  return checked.ok ? checked.event : checked.message;
}

export async function runClaudeCodeHook(stdin: string, options: HookRunOptions): Promise<HookRunResult> {
  let json: unknown;
  try {
    json = JSON.parse(stdin);
  } catch {
    return { kind: "problem", target: safeTarget(options.cwd, options.env), why: `the hook input is not JSON: ${JSON.stringify(stdin.slice(0, 80))}` };
  }
  const parsed = v.safeParse(HookPayloadSchema, json);
  const cwd = parsed.success ? (parsed.output.cwd ?? options.cwd) : options.cwd;
  const target = findAgentTarget(cwd, options.env);
  if (!parsed.success) return { kind: "problem", target, why: `the hook input lacks ${parsed.issues.map((i) => v.getDotPath(i) ?? "a field").join(", ")}` };
  if (!target) return { kind: "problem", target: null, why: `no .taskmaster-live/config.json at or above ${cwd} (run: taskmaster-live hook install claude-code)` };

  const payload = parsed.output;
  const agentId = agentIdOf(payload.session_id);
  const sessions = new SessionTasks(target.stateDir);
  const remembered = await sessions.get(agentId);
  const report = reportOf(payload, remembered);
  if (!report) return { kind: "ignored", target, why: `${payload.hook_event_name} reports nothing` };
  if (report.task?.taskId !== remembered?.taskId || report.task?.tag !== remembered?.tag) await sessions.set(agentId, report.task);

  const event = agentStatusReport(agentId, agentNameOf(target.root), report);
  if (typeof event === "string") return { kind: "problem", target, why: `the report is not valid: ${event}` };
  const outcome = await sendReport(target, event, options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {});
  return { kind: "sent", target, agentId, report, outcome };
}

function safeTarget(dir: string, env: Env): AgentTarget | null {
  try {
    return findAgentTarget(dir, env);
  } catch {
    return null;
  }
}
