/**
 * `taskmaster-live mcp` driven over stdio by the MCP SDK's own client: list
 * the tools, call each, and see the result on the real hub.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServer } from "../../dev/dev-server.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { buildCli, DIST_BIN } from "./packaged-cli.ts";

const CHANNEL = "mcp-e2e";
let server: DevServer;
let hub: HubClient;
let project: string;
let client: Client;

const textOf = (result: unknown) => ((result as { content: { type: string; text: string }[] }).content[0]?.text ?? "");

beforeAll(async () => {
  buildCli();
  project = join(mkdtempSync(join(tmpdir(), "tml-mcp-")), "shop");
  mkdirSync(project, { recursive: true });
  server = await DevServer.start();
  hub = new HubClient(server.url);
  await hub.send(CHANNEL, [ev.taskUpsert({ id: 2, title: "Card payments" })]);
  client = new Client({ name: "Test Client", version: "1.0.0" });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [DIST_BIN, "mcp", "--dir", project],
    env: { PATH: process.env.PATH ?? "", TASKMASTER_LIVE_HUB: server.url, TASKMASTER_LIVE_CHANNEL: CHANNEL, WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET },
    stderr: "pipe",
  });
  await client.connect(transport);
}, 180_000);

afterAll(async () => {
  await client?.close();
  await server?.stop();
  if (project) rmSync(join(project, ".."), { recursive: true, force: true });
});

describe("taskmaster-live mcp", () => {
  it("lists its three tools with their input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["report_status", "report_progress", "whoami"]);
    expect(tools[0]!.inputSchema).toMatchObject({ type: "object", required: ["status"] });
  });

  it("reports the agent's status and task, and the hub links the task to it", async () => {
    const result = await client.callTool({ name: "report_status", arguments: { status: "busy", task: "2", detail: "writing tests" } });
    expect(result.isError, textOf(result)).toBeFalsy();
    const who = JSON.parse(textOf(await client.callTool({ name: "whoami", arguments: {} }))) as { agentId: string; name: string; channel: string; hub: string; lastReport: { tool: string; outcome: string } };
    expect(who).toMatchObject({ name: "Test Client · shop", channel: CHANNEL, hub: server.url, lastReport: { tool: "report_status", outcome: "delivered" } });
    expect(who.agentId).toMatch(/^mcp-test-client:[0-9a-f]{6}$/);
    const state = (await hub.snapshot(CHANNEL)).state;
    expect(state.agents[who.agentId]).toMatchObject({ status: "busy", taskId: "2", detail: "writing tests", name: "Test Client · shop" });
    expect(state.tasks.master!["2"]!.agents).toEqual([who.agentId]);
  });

  it("reports a task's progress", async () => {
    const result = await client.callTool({ name: "report_progress", arguments: { task: "2", percent: 40, message: "2 of 5 steps" } });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect((await hub.snapshot(CHANNEL)).state.tasks.master!["2"]!.progress).toMatchObject({ percent: 40, message: "2 of 5 steps" });
  });

  it("answers bad arguments with an error that names the field, and sends nothing", async () => {
    const before = (await hub.snapshot(CHANNEL)).seq;
    const bad = await client.callTool({ name: "report_progress", arguments: { task: "2", percent: 140 } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/percent: percent must be at most 100/);
    const status = await client.callTool({ name: "report_status", arguments: { status: "sleeping" } });
    expect(textOf(status)).toMatch(/status: status must be one of online, offline, busy, idle, error/);
    expect((await hub.snapshot(CHANNEL)).seq).toBe(before);
  });
});
