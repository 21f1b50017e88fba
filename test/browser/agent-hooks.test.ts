/**
 * Issue 11: a Claude Code session reported through the packaged hook shows
 * on its task's row and its agent card, live, and leaves the row when the
 * session ends.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ev } from "../../dev/events.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { buildCli, DIST_BIN } from "../bridge/packaged-cli.ts";
import { useBrowserSuite } from "./support/chromium.ts";
import { openChannel, waitForPhase, waitForSeq } from "./support/dashboard-page.ts";

const suite = useBrowserSuite();
const CHANNEL = "hook-agents";
const SESSION = "0123456789ab-cdef-4000-8000-000000000000";
const AGENT = "claude-code:0123456789ab";
let project: string;

beforeAll(() => {
  buildCli();
  project = join(mkdtempSync(join(tmpdir(), "tml-hook-ui-")), "shop");
  mkdirSync(project, { recursive: true });
});

afterAll(() => {
  if (project) rmSync(join(project, ".."), { recursive: true, force: true });
});

/** One hook call, as Claude Code makes it (the payload on stdin, in the project). */
function hook(event: Record<string, unknown>): void {
  const payload = { session_id: SESSION, transcript_path: "/tmp/t.jsonl", cwd: project, ...event };
  const run = spawnSync(process.execPath, [DIST_BIN, "hook", "claude-code"], {
    cwd: project,
    input: JSON.stringify(payload),
    encoding: "utf8",
    timeout: 10_000,
    env: { PATH: process.env.PATH ?? "", TASKMASTER_LIVE_HUB: suite.server.url, TASKMASTER_LIVE_CHANNEL: CHANNEL, WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET },
  });
  expect([run.status, run.stdout]).toEqual([0, ""]);
}

it("shows a Claude Code session on its task's row, detail view and card, and takes it off when the session ends", async () => {
  const seeded = await suite.hub.send(CHANNEL, [ev.taskUpsert({ id: 2, title: "Card payments", status: "pending" }), ev.taskUpsert({ id: 3, title: "Receipts", status: "pending" })]);
  const page = await openChannel(await suite.newContext(), suite.server.url, CHANNEL);
  await waitForPhase(page, "live");
  await waitForSeq(page, seeded.head);

  hook({ hook_event_name: "SessionStart", source: "startup" });
  hook({ hook_event_name: "PreToolUse", tool_name: "mcp__task-master-ai__set_task_status", tool_input: { id: "2", status: "in-progress", projectRoot: project } });
  const chip = page.locator(`[data-testid="task-row"][data-task-id="2"] [data-testid="task-agents"] [data-agent-id="${AGENT}"]`);
  await chip.waitFor({ state: "visible", timeout: 20_000 });
  expect(await chip.textContent()).toBe("Claude Code · shop");
  expect(await page.locator('[data-testid="task-row"][data-task-id="2"] [data-testid="task-agents"]').getAttribute("aria-label")).toBe("Working on it: Claude Code · shop");
  const card = page.locator(`[data-testid="agent-row"][data-agent-id="${AGENT}"]`);
  expect(await card.getAttribute("data-status")).toBe("busy");
  expect(await card.textContent()).toContain("Card payments");
  expect(await page.locator('[data-testid="task-row"][data-task-id="3"] [data-testid="task-agents"]').count()).toBe(0);
  await page.locator('[data-task-link="master/2"]').click();
  const inDetail = page.locator(`[data-testid="detail-agents"] [data-agent-id="${AGENT}"]`);
  await inDetail.waitFor({ timeout: 10_000 });
  expect(await inDetail.textContent()).toContain("Claude Code · shop");

  hook({ hook_event_name: "SessionEnd", reason: "prompt_input_exit" });
  await chip.waitFor({ state: "detached", timeout: 20_000 });
  await inDetail.waitFor({ state: "detached", timeout: 20_000 });
  await page.locator(`[data-testid="agent-row"][data-agent-id="${AGENT}"][data-status="offline"]`).waitFor({ timeout: 20_000 });
});
