/**
 * `taskmaster-live mcp`: an MCP server on stdio through which any MCP client
 * (Claude Code, Cursor, Windsurf, Codex, …) reports its agent: the low-level
 * SDK `Server` with plain JSON Schemas, inputs checked with valibot (the
 * project's one schema library). One server process per client session, so
 * one agent id per process.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { basename } from "node:path";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as v from "valibot";
import type { HubEventInput } from "../../../protocol/index.ts";
import { validateEvent } from "../delivery/validate.ts";
import { findAgentTarget, type AgentTarget, type Env } from "../hooks/agent-target.ts";
import { sendReport, type SendOutcome } from "../hooks/report-sender.ts";
import { cliVersion } from "../cli/version.ts";
import { describeIssues, ReportProgressInput, ReportStatusInput, TOOL_DEFINITIONS, WhoamiInput } from "./mcp-tools.ts";

/** MCP calls are not on a hot path: wait longer for the hub than a hook does. */
const MCP_REPORT_DEADLINE_MS = 3000;

export interface McpServerOptions {
  /** The project folder (default: the current folder). */
  readonly dir: string;
  readonly env: Env;
  /** Default: `mcp-<client name>:<random>` once the client has said who it is. */
  readonly agentId?: string;
  readonly name?: string;
}

interface LastReport {
  readonly tool: string;
  readonly atIso: string;
  readonly outcome: SendOutcome["kind"];
  readonly arguments: unknown;
}

const text = (body: unknown, isError = false): CallToolResult => ({ content: [{ type: "text", text: typeof body === "string" ? body : JSON.stringify(body, null, 2) }], ...(isError ? { isError } : {}) });

/** "Claude Code" → "claude-code": a client name as part of an agent id. */
const idPart = (name: string) => name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|-+$/g, "").slice(0, 40) || "client";

export function createMcpServer(options: McpServerOptions): Server {
  const server = new Server({ name: "taskmaster-live", version: cliVersion() }, { capabilities: { tools: {} } });
  const sessionKey = randomBytes(3).toString("hex");
  let target: AgentTarget | null | undefined;
  let last: LastReport | null = null;

  const targetNow = (): AgentTarget | null => (target ??= findAgentTarget(options.dir, options.env));
  const client = () => server.getClientVersion();
  const agentId = () => options.agentId ?? options.env.TASKMASTER_LIVE_AGENT_ID ?? `mcp-${idPart(client()?.name ?? "client")}:${sessionKey}`;
  const agentName = (t: AgentTarget) => options.name ?? `${client()?.title ?? client()?.name ?? "MCP agent"} · ${basename(t.root)}`;

  async function send(tool: string, args: unknown, event: HubEventInput): Promise<CallToolResult> {
    const t = targetNow();
    if (!t) return text(`no hub configured for ${options.dir}: run \`taskmaster-live hook install claude-code\` there, or set TASKMASTER_LIVE_HUB and TASKMASTER_LIVE_CHANNEL`, true);
    const checked = validateEvent(event);
    if (!checked.ok) return text(`the report is not valid: ${checked.message}`, true);
    const outcome = await sendReport(t, checked.event, { deadlineMs: MCP_REPORT_DEADLINE_MS });
    last = { tool, atIso: checked.event.occurredAt, outcome: outcome.kind, arguments: args };
    if (outcome.kind === "refused") return text(`the hub refused the report: ${outcome.reason}`, true);
    return text(outcome.kind === "delivered" ? `reported to ${t.hub} (channel ${t.channel})` : `queued; it is delivered when the hub answers (${outcome.reason})`);
  }

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOL_DEFINITIONS.map((tool) => ({ ...tool, inputSchema: { ...tool.inputSchema } })) }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    const now = new Date().toISOString();
    switch (name) {
      case "report_status": {
        const input = v.safeParse(ReportStatusInput, args);
        if (!input.success) return text(`invalid arguments: ${describeIssues(input.issues)}`, true);
        const t = targetNow();
        const { status, task, detail, tag } = input.output;
        return send(name, input.output, {
          id: `mcp-${randomUUID()}`,
          type: "agent.status",
          occurredAt: now,
          data: { agentId: agentId(), ...(t ? { name: agentName(t) } : {}), status, taskId: task ?? null, ...(detail ? { detail } : {}), ...(tag ? { taskTag: tag } : {}) },
        });
      }
      case "report_progress": {
        const input = v.safeParse(ReportProgressInput, args);
        if (!input.success) return text(`invalid arguments: ${describeIssues(input.issues)}`, true);
        const { task, percent, message, tag } = input.output;
        return send(name, input.output, { id: `mcp-${randomUUID()}`, type: "task.progress", occurredAt: now, data: { taskId: task, percent, ...(message ? { message } : {}), ...(tag ? { tag } : {}) } });
      }
      case "whoami": {
        const input = v.safeParse(WhoamiInput, args);
        if (!input.success) return text(`invalid arguments: ${describeIssues(input.issues)}`, true);
        const t = targetNow();
        return text({ agentId: agentId(), name: t ? agentName(t) : null, hub: t?.hub ?? null, channel: t?.channel ?? null, project: t?.root ?? null, lastReport: last });
      }
      default:
        return text(`unknown tool "${name}" (there are: ${TOOL_DEFINITIONS.map((tool) => tool.name).join(", ")})`, true);
    }
  });
  return server;
}

/** Serves on stdin/stdout until the client closes the stream. Logs go to stderr: stdout is the protocol's. */
export async function serveMcpOnStdio(options: McpServerOptions): Promise<void> {
  const server = createMcpServer(options);
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  process.stdin.once("end", () => void server.close());
  await closed;
}
