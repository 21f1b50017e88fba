/**
 * The hook entries `hook install claude-code` merges into a project's
 * `.claude/settings.local.json` (Claude Code's per-user, git-ignored project
 * settings): `hooks: { <event>: [ { matcher?, hooks: [ { type: "command", command, timeout } ] } ] }`.
 * The merge keeps every hook of the user's, replaces our own entries in
 * place, and is a fixed point: a second run writes the same bytes.
 */
import type { HookEvent } from "./claude-code-hook.ts";

/** Seconds Claude Code gives the hook; it exits well before (REPORT_DEADLINE_MS). */
export const HOOK_TIMEOUT_SECONDS = 5;

/** Which hooks run the command, and on which tools. PostToolUse only for next_task: its answer names the task. */
const INSTALLED: readonly { readonly event: HookEvent; readonly matcher?: string }[] = [
  { event: "SessionStart" },
  { event: "UserPromptSubmit" },
  { event: "PreToolUse" },
  { event: "PostToolUse", matcher: "mcp__task-master-ai__next_task" },
  { event: "Notification" },
  { event: "Stop" },
  { event: "SessionEnd" },
];

interface CommandHook {
  type: string;
  command?: string;
  timeout?: number;
  [other: string]: unknown;
}
interface MatcherEntry {
  matcher?: string;
  hooks: CommandHook[];
  [other: string]: unknown;
}
export type ClaudeSettings = { hooks?: Record<string, MatcherEntry[]>; [other: string]: unknown };

/** Ours: any command that ends in `hook claude-code`, wherever taskmaster-live was installed from. */
export const isOurCommand = (command: unknown) => typeof command === "string" && /\bhook claude-code\s*$/.test(command);

/** Quotes a path for the shell Claude Code runs hooks with, only when it has to. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The entries alone, as `--print` shows them. */
export function hookEntries(command: string): Record<string, MatcherEntry[]> {
  const entries: Record<string, MatcherEntry[]> = {};
  for (const { event, matcher } of INSTALLED) {
    entries[event] = [{ ...(matcher ? { matcher } : {}), hooks: [{ type: "command", command, timeout: HOOK_TIMEOUT_SECONDS }] }];
  }
  return entries;
}

export class SettingsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsFileError";
  }
}

/** `settings` with our entries merged in (a new object; the input is not changed). */
export function mergeHookEntries(settings: unknown, command: string): ClaudeSettings {
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) throw new SettingsFileError("the settings file is not a JSON object");
  const merged = structuredClone(settings) as ClaudeSettings;
  if (merged.hooks !== undefined && (merged.hooks === null || typeof merged.hooks !== "object" || Array.isArray(merged.hooks))) throw new SettingsFileError(`"hooks" is not an object`);
  const hooks = (merged.hooks ??= {});
  for (const [event, [entry]] of Object.entries(hookEntries(command))) {
    const list = hooks[event];
    if (list !== undefined && !Array.isArray(list)) throw new SettingsFileError(`hooks.${event} is not a list`);
    const current = list ?? (hooks[event] = []);
    const ours = current.find((e) => Array.isArray(e?.hooks) && e.hooks.some((h) => isOurCommand(h?.command)));
    if (!ours) {
      current.push(entry!);
      continue;
    }
    if (entry!.matcher !== undefined) ours.matcher = entry!.matcher;
    ours.hooks = ours.hooks.map((h) => (isOurCommand(h.command) ? { ...h, type: "command", command, timeout: HOOK_TIMEOUT_SECONDS } : h));
  }
  return merged;
}

export const formatSettings = (settings: ClaudeSettings) => JSON.stringify(settings, null, 2) + "\n";
