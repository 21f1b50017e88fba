/** What the browser tests read from the dashboard: data-testid attributes and the read-only live hook. */
import type { BrowserContext, Page } from "playwright-core";
import type { ChannelState } from "../../../protocol/index.ts";
import { TEST_SECRETS } from "../../../dev/secrets.ts";

export interface RenderedView {
  readonly agents: Record<string, string>;
  readonly tasks: Record<string, { status: string; percent: number }>;
}

export interface PageStatus {
  readonly phase: string;
  readonly transport: string | null;
  readonly seq: number | null;
  readonly epoch: string | null;
}

/** Opens `/c/<channel>` logged in through the `#token=` fragment. */
export async function openChannel(context: BrowserContext, baseUrl: string, channel: string, token: string = TEST_SECRETS.DASHBOARD_TOKEN): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`${baseUrl}/c/${channel}#token=${encodeURIComponent(token)}`);
  return page;
}

export async function phaseOf(page: Page): Promise<string | null> {
  return page.locator('[data-testid="connection-phase"]').getAttribute("data-phase", { timeout: 5_000 });
}

export async function waitForPhase(page: Page, phases: string | readonly string[], timeoutMs = 30_000): Promise<void> {
  const wanted = typeof phases === "string" ? [phases] : phases;
  await page.waitForFunction(
    (list) => list.includes(document.querySelector('[data-testid="connection-phase"]')?.getAttribute("data-phase") ?? ""),
    wanted,
    { timeout: timeoutMs },
  );
}

/** Waits until the page has applied `seq` (or more). */
export async function waitForSeq(page: Page, seq: number, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (want) => Number(document.querySelector('[data-testid="channel-view"]')?.getAttribute("data-seq") ?? -1) >= want,
    seq,
    { timeout: timeoutMs },
  );
}

/** Agents and the tasks of the shown tag, as rendered. */
export async function renderedView(page: Page): Promise<RenderedView> {
  return page.evaluate(() => {
    const agents: Record<string, string> = {};
    for (const row of document.querySelectorAll<HTMLElement>('[data-testid="agent-row"]')) agents[row.dataset.agentId!] = row.dataset.status!;
    const tasks: Record<string, { status: string; percent: number }> = {};
    for (const row of document.querySelectorAll<HTMLElement>('[data-testid="task-row"]')) {
      tasks[row.dataset.taskId!] = { status: row.dataset.status!, percent: Number(row.dataset.progress) };
    }
    return { agents, tasks };
  });
}

/** The state the page holds and its connection status, through the read-only hook. */
export async function liveState(page: Page): Promise<{ state: ChannelState | null; status: PageStatus }> {
  return page.evaluate(() => {
    const hook = (globalThis as unknown as { __TASKMASTER_LIVE__?: { state: unknown; status: PageStatus } }).__TASKMASTER_LIVE__;
    if (!hook) throw new Error("the live hook is not installed");
    const { phase, transport, seq, epoch } = hook.status;
    return JSON.parse(JSON.stringify({ state: hook.state, status: { phase, transport, seq, epoch } }));
  });
}

/** The view a snapshot must render as (tasks of one tag, progress as the dashboard computes it). */
export function expectedView(state: ChannelState, tag = "master"): RenderedView {
  const agents = Object.fromEntries(Object.values(state.agents).map((a) => [a.id, a.status]));
  const tasks = Object.fromEntries(
    Object.values(state.tasks[tag] ?? {}).map((t) => {
      const done = t.subtasks.filter((s) => s.status === "done").length;
      const percent =
        t.status === "done" ? 100 : t.progress ? Math.round(t.progress.percent) : t.subtasks.length > 0 ? Math.round((done * 100) / t.subtasks.length) : 0;
      return [t.id, { status: t.status, percent }];
    }),
  );
  return { agents, tasks };
}

/**
 * Resolves with Date.now() in the page when `selector` first matches, so a
 * webhook→DOM time is measured on one clock (same machine) without polling lag.
 */
export function whenSelectorAppears(page: Page, selector: string, timeoutMs = 20_000): Promise<number> {
  return page.evaluate(
    ({ selector, timeoutMs }) =>
      new Promise<number>((resolve, reject) => {
        const observer = new MutationObserver(() => check());
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`${selector} did not appear within ${timeoutMs} ms`));
        }, timeoutMs);
        function check(): boolean {
          if (!document.querySelector(selector)) return false;
          observer.disconnect();
          clearTimeout(timer);
          resolve(Date.now());
          return true;
        }
        if (!check()) observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      }),
    { selector, timeoutMs },
  );
}
