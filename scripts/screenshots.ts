#!/usr/bin/env -S npx tsx
// npm run screenshots: seeds a realistic channel on a throwaway hub, opens the
// live view in Debian's Chromium and writes docs/screenshots/*.png
// (desktop 1440×900 light and dark, phone 390×844, a task's detail view and
// the tag overview).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../test/browser/support/chromium.ts";
import { demoEvents } from "../test/browser/support/demo-data.ts";
import { DevServer, ROOT } from "../dev/dev-server.ts";
import { ev } from "../dev/events.ts";
import { HubClient } from "../dev/hub-client.ts";
import { TEST_SECRETS } from "../dev/secrets.ts";

const CHANNEL = "checkout-revamp";
const OUT_DIR = join(ROOT, "docs/screenshots");

interface Shot {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly scheme: "light" | "dark";
  readonly scale: number;
  readonly fullPage: boolean;
}

const SHOTS: readonly Shot[] = [
  { file: "channel-desktop.png", width: 1440, height: 900, scheme: "light", scale: 1, fullPage: false },
  { file: "channel-desktop-dark.png", width: 1440, height: 900, scheme: "dark", scale: 1, fullPage: false },
  { file: "channel-phone.png", width: 390, height: 844, scheme: "light", scale: 2, fullPage: false },
  { file: "channel-phone-full.png", width: 390, height: 844, scheme: "dark", scale: 1, fullPage: true },
];

/** What `task-master show 3` would print beyond the demo's list fields: text, and a history for the timeline. */
const TASK_3_TEXT = {
  id: 3,
  description: "Take card payments through the provider's **Payment Intents** API.",
  details:
    "Create the intent on the server and confirm it in the browser.\n\n- Tokenise cards client-side (no card data on our servers)\n- Handle the `requires_action` state with the 3-D Secure redirect\n- Reconcile through the provider's webhooks\n\nSee https://example.com/payments for the sandbox keys.",
  testStrategy: "Run the provider's test cards (success, declined, *3-D Secure required*) through the whole checkout.",
};

/** A few live updates after the pages opened, so the activity feed and charts move. */
async function liveTraffic(hub: HubClient): Promise<void> {
  const updates = [
    [ev.taskUpsert(TASK_3_TEXT)],
    [ev.taskUpsert({ id: 3, status: "review" })],
    [ev.taskUpsert({ id: 3, status: "in-progress" })],
    [ev.agentStatus("docs-bot", "busy", { name: "Docs bot", taskId: "9", detail: "Drafting the audit checklist" })],
    [ev.taskProgress(3, 68, { message: "3-D Secure sandbox passing" })],
    [ev.taskUpsert({ id: 9, title: "Accessibility audit of the checkout", status: "in-progress", priority: "medium", dependencies: [4], agentId: "docs-bot" })],
    [ev.health("worker-us", { cpu: 82.5, queueDepth: 41, memory: { usedBytes: 6.6 * 2 ** 30, totalBytes: 16 * 2 ** 30 } })],
    [ev.taskProgress(5, 45)],
    [ev.agentStatus("reviewer", "busy", { name: "Review bot", taskId: "4", detail: "Reviewing address autocomplete" })],
    [ev.health("api-eu", { cpu: 41.2, queueDepth: 6, memory: { usedBytes: 6.4 * 2 ** 30, totalBytes: 16 * 2 ** 30 } })],
    [ev.taskProgress(3, 71)],
  ];
  for (const events of updates) {
    await hub.send(CHANNEL, events);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function openLive(browser: Browser, shot: Shot, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: shot.width, height: shot.height }, deviceScaleFactor: shot.scale, colorScheme: shot.scheme });
  const page = await context.newPage();
  await page.goto(`${url}/c/${CHANNEL}#token=${TEST_SECRETS.DASHBOARD_TOKEN}`);
  await page.waitForSelector('[data-testid="connection-phase"][data-phase="live"]', { timeout: 30_000 });
  return page;
}

/** The detail view of task 3 over the desktop page, then the tag overview panel on its own. */
async function detailShots(page: Page): Promise<void> {
  await page.locator('[data-task-link="master/3"]').click();
  await page.locator('[data-testid="detail-timeline"] li').first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300);
  const detailPath = join(OUT_DIR, "task-detail.png");
  await page.screenshot({ path: detailPath });
  console.log(`wrote ${detailPath}`);
  await page.keyboard.press("Escape");
  await page.locator('[data-testid="task-detail"]').waitFor({ state: "detached", timeout: 10_000 });
  const tagsPath = join(OUT_DIR, "tag-overview.png");
  await page.locator('[data-testid="tags-panel"]').screenshot({ path: tagsPath });
  console.log(`wrote ${tagsPath}`);
}

const server = await DevServer.start();
let browser: Browser | null = null;
try {
  const hub = new HubClient(server.url);
  await hub.send(CHANNEL, demoEvents());
  browser = await launchChromium();
  const pages = await Promise.all(SHOTS.map((shot) => openLive(browser!, shot, server.url)));
  await liveTraffic(hub);
  const head = (await hub.snapshot(CHANNEL)).seq;
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [i, shot] of SHOTS.entries()) {
    const page = pages[i]!;
    await page.waitForFunction((seq) => Number(document.querySelector('[data-testid="channel-view"]')?.getAttribute("data-seq")) >= seq, head, { timeout: 15_000 });
    // Let progress-bar transitions finish and the relative times settle.
    await page.waitForTimeout(600);
    const path = join(OUT_DIR, shot.file);
    await page.screenshot({ path, fullPage: shot.fullPage });
    console.log(`wrote ${path}`);
  }
  await detailShots(pages[0]!);
} finally {
  await browser?.close();
  await server.stop();
}
