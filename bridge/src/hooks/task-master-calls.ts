/**
 * What an agent's tool call says about the task it works on, when the call
 * goes to Task Master: through its MCP server (`mcp__task-master-ai__…`) or
 * its CLI in a shell command (`task-master`, `tm`, `npx -p task-master-ai
 * task-master`, `npx task-master-ai`).
 *
 * - `set_task_status` / `set-status` to in-progress → the task becomes current;
 * - to done or cancelled → it stops being current (if it was);
 * - `get_task` / `show <id>` → the task becomes current;
 * - `next_task` → the task it answers becomes current (known after the call).
 */
export type TaskMove =
  | { readonly kind: "start"; readonly taskId: string; readonly tag: string | null }
  | { readonly kind: "finish"; readonly taskIds: readonly string[] };

const MCP_PREFIX = /^mcp__task[-_]master[-_]ai__/;
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FINISHED = new Set(["done", "cancelled"]);

/** "5, 6" → ["5", "6"]; anything that is not a task id is dropped. */
function taskIds(value: unknown): string[] {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : "";
  return text
    .split(",")
    .map((id) => id.trim())
    .filter((id) => TASK_ID.test(id));
}

const stringOr = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

function statusMove(ids: string[], status: string | null, tag: string | null): TaskMove | null {
  if (ids.length === 0 || status === null) return null;
  if (status === "in-progress") return { kind: "start", taskId: ids[0]!, tag };
  return FINISHED.has(status) ? { kind: "finish", taskIds: ids } : null;
}

/** A tool call as Claude Code reports it before it runs (PreToolUse). */
export function taskMoveOfToolCall(toolName: string, toolInput: unknown): TaskMove | null {
  const input = (toolInput ?? {}) as Record<string, unknown>;
  if (MCP_PREFIX.test(toolName)) {
    const tool = toolName.replace(MCP_PREFIX, "");
    const tag = stringOr(input.tag);
    if (tool === "set_task_status") return statusMove(taskIds(input.id), stringOr(input.status), tag);
    if (tool === "get_task") {
      const [first] = taskIds(input.id);
      return first ? { kind: "start", taskId: first, tag } : null;
    }
    return null;
  }
  if (toolName === "Bash" && typeof input.command === "string") return taskMoveOfShell(input.command);
  return null;
}

/** What `next_task` answered (PostToolUse): Task Master returns `{ data: { nextTask: { id } }, tag }` as JSON text. */
export function taskMoveOfToolResult(toolName: string, toolResponse: unknown): TaskMove | null {
  if (!MCP_PREFIX.test(toolName) || toolName.replace(MCP_PREFIX, "") !== "next_task") return null;
  for (const text of textParts(toolResponse)) {
    try {
      const body = JSON.parse(text) as { data?: { nextTask?: { id?: unknown } | null }; tag?: unknown };
      const [id] = taskIds(body.data?.nextTask?.id);
      if (id) return { kind: "start", taskId: id, tag: stringOr(body.tag) };
    } catch {
      // not Task Master's JSON: nothing to learn
    }
  }
  return null;
}

/** The text parts of an MCP tool result, however the client wrapped it (the result, its content array, or a string). */
function textParts(response: unknown): string[] {
  if (typeof response === "string") return [response];
  const content = Array.isArray(response) ? response : ((response ?? {}) as { content?: unknown }).content;
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? [(part as { text: string }).text] : []));
}

/** Splits a shell line into commands and words: enough for `task-master …` calls, not a shell. */
function shellCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = "";
  let quote: string | null = null;
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else word += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) endWord();
    else if (char === ";" || char === "&" || char === "|" || char === "\n") endCommand();
    else {
      word += char;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** The Task Master subcommand and its arguments, if these words run Task Master's CLI. */
function taskMasterArgs(words: string[]): string[] | null {
  let rest = words;
  while (rest.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!)) rest = rest.slice(1); // FOO=bar task-master …
  const [program, ...args] = rest;
  if (program === undefined) return null;
  const name = program.split("/").pop()!;
  if (name === "task-master" || name === "tm" || name === "task-master-ai") return args;
  if (name !== "npx" && name !== "pnpx" && name !== "bunx") return null;
  // npx [-y] [-p task-master-ai] task-master …  |  npx task-master-ai …
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-p" || arg === "--package") {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    return arg === "task-master" || arg === "task-master-ai" ? args.slice(i + 1) : null;
  }
  return null;
}

const VALUE_OPTIONS = new Set(["--id", "-i", "--tag", "-t", "--status", "-s", "--file", "-f"]);

/** The first word that is neither an option nor an option's value. */
function firstPositional(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

/** `--id 5`, `--id=5`, `-i 5`. */
function option(args: string[], long: string, short: string): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `--${long}` || arg === `-${short}`) return args[i + 1] ?? null;
    if (arg.startsWith(`--${long}=`)) return arg.slice(long.length + 3);
  }
  return null;
}

export function taskMoveOfShell(line: string): TaskMove | null {
  let move: TaskMove | null = null;
  for (const words of shellCommands(line)) {
    const args = taskMasterArgs(words);
    if (!args || args.length === 0) continue;
    const [subcommand, ...rest] = args;
    const tag = option(rest, "tag", "t");
    if (subcommand === "set-status") move = statusMove(taskIds(option(rest, "id", "i")), option(rest, "status", "s"), tag) ?? move;
    else if (subcommand === "show") {
      const [id] = taskIds(option(rest, "id", "i") ?? firstPositional(rest));
      if (id) move = { kind: "start", taskId: id, tag };
    }
  }
  return move;
}
