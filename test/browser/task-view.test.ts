/**
 * Issue 10's task view in Chromium: a task's detail opened by keyboard and
 * by its URL (reload included), its Markdown details, "Blocks", dependencies
 * resolved as Task Master reads them, a live status change in its timeline;
 * HTML in an event shown as text; the priority filter; the tag overview; the
 * panels as named landmark regions.
 */
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ev } from "../../dev/events.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { useBrowserSuite } from "./support/chromium.ts";
import { openChannel, waitForPhase, waitForSeq } from "./support/dashboard-page.ts";

const suite = useBrowserSuite();

const XSS_TITLE = "<script>window.__xss = 'script'</script> Sanitise input";
const XSS_TEXT = "<img src=x onerror=\"window.__xss = 'img'\"> and <b>bold?</b>";

function projectEvents() {
  return [
    ev.meta({ name: "Shop", currentTag: "master" }),
    ev.taskUpsert({ id: 1, title: "Set up the repo", status: "done", priority: "high" }),
    ev.taskUpsert({
      id: 2,
      title: "Build the API",
      status: "in-progress",
      priority: "medium",
      dependencies: [1],
      description: "REST endpoints for the shop",
      details: "Use **hono** for the routes.\n\n- one handler per file",
      testStrategy: "Call every route with `app.request`",
      complexity: { score: 7, recommendedSubtasks: 4, reasoning: "Many routes, one schema" },
      subtasks: [
        { id: 1, title: "Route table", status: "done" },
        { id: 2, title: "Handlers", status: "pending", dependencies: [1], details: "Keep them _thin_" },
      ],
    }),
    ev.taskUpsert({ id: 3, title: "Write the docs", status: "pending", priority: "low", dependencies: [2, "2.1"] }),
    ev.taskUpsert({ id: 4, title: XSS_TITLE, status: "pending", description: XSS_TEXT, details: XSS_TEXT }),
    ev.taskUpsert({ id: 5, title: "Drop the old API", status: "cancelled" }),
    ev.taskUpsert({ id: 1, title: "Spike", status: "done" }, { tag: "feature" }),
    ev.taskUpsert({ id: 2, title: "Polish", status: "pending", dependencies: [1] }, { tag: "feature" }),
  ];
}

async function seeded(channel: string): Promise<Page> {
  const { head } = await suite.hub.send(channel, projectEvents());
  const page = await openChannel(await suite.newContext(), suite.server.url, channel);
  await waitForPhase(page, "live");
  await waitForSeq(page, head);
  return page;
}

const detail = (page: Page) => page.locator('[data-testid="task-detail"]');

it("opens a task's detail by keyboard, renders its Markdown, blocks and timeline, shows a live status change, and Escape returns focus", async () => {
  const channel = "task-view-keyboard";
  const page = await seeded(channel);

  await page.locator('[data-task-link="master/2"]').focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Task 2: Build the API" });
  await dialog.waitFor({ timeout: 10_000 });
  expect(new URL(page.url()).pathname).toBe(`/c/${channel}/t/master/2`);

  expect(await detail(page).locator('[data-testid="detail-details-text"] strong').textContent()).toBe("hono");
  expect(await detail(page).locator('[data-testid="detail-test-strategy-text"] code').textContent()).toBe("app.request");
  expect(await detail(page).locator('[data-testid="detail-blocks"] [data-blocked-id]').evaluateAll((els) => els.map((e) => e.getAttribute("data-blocked-id")))).toEqual(["3"]);
  expect(await detail(page).locator('[data-testid="detail-depends-on"] [data-dependency-id="1"]').getAttribute("data-state")).toBe("satisfied");
  // A subtask's bare-number dependency is its sibling: 2.2 waits on 2.1, which is done.
  expect(await detail(page).locator('[data-subtask-id="2.2"] [data-dependency-id="2.1"]').getAttribute("data-state")).toBe("satisfied");
  expect(await detail(page).locator('[data-subtask-id="2.2"] details .markdown em').textContent()).toBe("thin");
  expect(await detail(page).locator('[data-testid="complexity-score"]').textContent()).toBe("7");
  expect(await detail(page).locator('[data-testid="complexity-subtasks"]').textContent()).toBe("4");

  const timeline = detail(page).locator('[data-testid="detail-timeline"]');
  await timeline.locator("li").first().waitFor({ timeout: 10_000 });
  expect(await timeline.textContent()).toContain("Added as in-progress");

  const { head } = await suite.hub.send(channel, [ev.taskUpsert({ id: 2, status: "review" })]);
  await timeline.locator(`li[data-seq="${head}"][data-kind="status"]`).waitFor({ timeout: 10_000 });
  expect(await timeline.locator(`li[data-seq="${head}"]`).textContent()).toContain("in-progress → review");
  expect(await detail(page).locator('[data-testid="detail-status"]').textContent()).toBe("review");

  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector('[data-testid="task-detail"]'), undefined, { timeout: 10_000 });
  expect(new URL(page.url()).pathname).toBe(`/c/${channel}`);
  await page.waitForFunction(() => document.activeElement?.getAttribute("data-task-link") === "master/2", undefined, { timeout: 5_000 });
});

it("opens a subtask's detail from its URL, also after a reload, and links back to its task", async () => {
  const channel = "task-view-url";
  const { head } = await suite.hub.send(channel, projectEvents());
  const page = await (await suite.newContext()).newPage();
  await page.goto(`${suite.server.url}/c/${channel}/t/master/2.2#token=${encodeURIComponent(TEST_SECRETS.DASHBOARD_TOKEN)}`);
  await waitForSeq(page, head);
  const dialog = page.getByRole("dialog", { name: "Task 2.2: Handlers" });
  await dialog.waitFor({ timeout: 10_000 });
  expect(await detail(page).locator('[data-testid="detail-depends-on"] [data-dependency-id="2.1"]').getAttribute("data-state")).toBe("satisfied");

  await page.reload();
  await page.getByRole("dialog", { name: "Task 2.2: Handlers" }).waitFor({ timeout: 15_000 });
  expect(new URL(page.url()).pathname).toBe(`/c/${channel}/t/master/2.2`);

  await detail(page).getByRole("link", { name: "Task 2: Build the API" }).click();
  await page.getByRole("dialog", { name: "Task 2: Build the API" }).waitFor({ timeout: 10_000 });
  expect(new URL(page.url()).pathname).toBe(`/c/${channel}/t/master/2`);
});

it("shows HTML from events as text and never runs it", async () => {
  const channel = "task-view-xss";
  const page = await seeded(channel);
  const row = page.locator('[data-testid="task-row"][data-task-id="4"]');
  expect(await row.locator('[data-testid="task-link"]').textContent()).toBe(XSS_TITLE);

  await row.locator('[data-testid="task-link"]').click();
  await detail(page).waitFor({ timeout: 10_000 });
  expect(await detail(page).locator('[data-testid="detail-details-text"]').textContent()).toContain("<img src=x onerror=");
  const injected = await page.evaluate(() => ({
    flag: (window as unknown as { __xss?: string }).__xss ?? null,
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.querySelectorAll("script")].filter((s) => s.textContent?.includes("__xss")).length,
    bold: document.querySelectorAll('[data-testid="task-detail"] b').length,
  }));
  expect(injected).toEqual({ flag: null, images: 0, scripts: 0, bold: 0 });
});

it("filters by priority, lists every tag with its counts, marks the current tag even when empty, and names its landmarks", async () => {
  const channel = "task-view-tags";
  const page = await seeded(channel);

  await page.locator('[data-testid="priority-filter"]').selectOption("low");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-row"]').length === 1);
  expect(await page.locator('[data-testid="task-row"]').getAttribute("data-task-id")).toBe("3");
  // Dependency 2 is in progress: waiting; 2.1 is done: satisfied.
  const deps = page.locator('[data-testid="task-row"][data-task-id="3"] [data-dependency-id]');
  expect(await deps.evaluateAll((els) => els.map((e) => `${e.getAttribute("data-dependency-id")}:${e.getAttribute("data-state")}`))).toEqual(["2:waiting", "2.1:satisfied"]);
  await page.locator('[data-testid="priority-filter"]').selectOption("all");

  const tagRows = () =>
    page.locator('[data-testid="tag-row"]').evaluateAll((els) => els.map((e) => [e.getAttribute("data-tag"), e.getAttribute("data-total"), e.getAttribute("data-percent-done"), e.getAttribute("data-current")]));
  expect(await tagRows()).toEqual([
    ["master", "5", "20", "true"],
    ["feature", "2", "50", "false"],
  ]);
  const masterCounts = await page.locator('[data-testid="tag-row"][data-tag="master"] [data-status]').evaluateAll((els) => els.map((e) => `${e.getAttribute("data-status")}=${e.getAttribute("data-count")}`));
  expect(masterCounts).toEqual(["pending=2", "in-progress=1", "done=1", "cancelled=1"]);

  await page.getByRole("region", { name: "Tags" }).getByRole("button", { name: /feature/ }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="task-row"]')].every((r) => r.getAttribute("data-tag") === "feature"));

  await suite.hub.send(channel, [ev.meta({ currentTag: "empty-tag" })]);
  await page.waitForSelector('[data-testid="tag-row"][data-tag="empty-tag"][data-current="true"][data-total="0"]', { timeout: 10_000 });

  for (const name of ["Agents", "Next task", "Tasks", "Tags", "System health", "Recent activity"]) {
    expect(await page.getByRole("region", { name, exact: true }).count(), name).toBe(1);
  }
});

it("the Next task panel names what task-master next would, moves on when that task is done, and opens it", async () => {
  const channel = "task-view-next";
  const page = await seeded(channel);
  const panel = page.getByRole("region", { name: "Next task" });
  const pick = panel.locator('[data-testid="next-task-pick"]');
  await pick.waitFor({ timeout: 10_000 });
  // Subtasks of an in-progress task come first: 2.2, whose sibling dependency 2.1 is done.
  expect(await pick.getAttribute("data-task-id")).toBe("2.2");

  await suite.hub.send(channel, [
    ev.taskUpsert({ id: 2, subtasks: [{ id: 1, title: "Route table", status: "done" }, { id: 2, title: "Handlers", status: "done", dependencies: [1] }] }),
  ]);
  // Then the ready top-level tasks: 3 waits on 2 (still in progress), 5 is cancelled, so 4.
  await page.waitForFunction(() => document.querySelector('[data-testid="next-task-pick"]')?.getAttribute("data-task-id") === "4", undefined, { timeout: 10_000 });

  // 2 itself is in progress with its dependency done: next once 4 is done.
  await suite.hub.send(channel, [ev.taskUpsert({ id: 4, status: "done" })]);
  await page.waitForFunction(() => document.querySelector('[data-testid="next-task-pick"]')?.getAttribute("data-task-id") === "2", undefined, { timeout: 10_000 });

  await suite.hub.send(channel, [ev.taskUpsert({ id: 2, status: "done" })]);
  await page.waitForFunction(() => document.querySelector('[data-testid="next-task-pick"]')?.getAttribute("data-task-id") === "3", undefined, { timeout: 10_000 });
  await pick.getByRole("link").click();
  await page.getByRole("dialog", { name: "Task 3: Write the docs" }).waitFor({ timeout: 10_000 });

  // Only the cancelled 5 is left: nothing is ready, and no task is named.
  await suite.hub.send(channel, [ev.taskUpsert({ id: 3, status: "done" })]);
  await panel.locator('[data-testid="next-task-none"]').waitFor({ timeout: 10_000 });
  expect(await panel.locator('[data-testid="next-task-pick"]').count()).toBe(0);
});
