/**
 * Issue 8, scope 8, in a real browser: the dashboard runs under its
 * Content-Security-Policy without a single violation, every kind of response
 * carries the security headers, the debug panel never shows a ticket, and
 * signing out leaves nothing of the project in storage.
 *
 * Tickets live 10 s here, so a page renews its ticket in-band (an `auth`
 * frame with the ticket in it) within the test.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page, WebSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServer, ROOT } from "../../dev/dev-server.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { inlineScriptHashes, kitStyleAttributeHashes } from "../../dashboard/headers-file.ts";
import { securityHeaders } from "../../protocol/security-headers.ts";
import { launchChromium } from "./support/chromium.ts";
import { openChannel, waitForPhase, waitForSeq } from "./support/dashboard-page.ts";
import { demoEvents } from "./support/demo-data.ts";

const PROJECT_KEY_PREFIX = "taskmaster-live.";

let server: DevServer;
let browser: Browser;
let hub: HubClient;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([DevServer.start({ vars: { TICKET_TTL_SECONDS: "10" } }), launchChromium()]);
  hub = new HubClient(server.url);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

/**
 * A context whose pages record every CSP violation (the DOM event, from
 * before any script of the page runs) and every console line.
 */
async function watchedContext(): Promise<{ context: BrowserContext; violations: () => Promise<string[]>; consoleLines: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  await context.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __CSP_VIOLATIONS__: string[] }).__CSP_VIOLATIONS__ = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber}) ${event.sample}`);
    });
  });
  const consoleLines: string[] = [];
  context.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  const pages: Page[] = [];
  context.on("page", (page) => pages.push(page));
  const violations = async () => {
    const all: string[] = [];
    for (const page of pages) {
      if (page.isClosed()) continue;
      all.push(...(await page.evaluate(() => (globalThis as unknown as { __CSP_VIOLATIONS__?: string[] }).__CSP_VIOLATIONS__ ?? [])));
    }
    return all;
  };
  return { context, violations, consoleLines };
}

function headersOf(res: { headers: Headers } | { headers(): Record<string, string> }): Record<string, string> {
  if (typeof res.headers === "function") return res.headers();
  return Object.fromEntries(res.headers.entries());
}

/** Every header of the set, with this CSP (the assets' carries the page's script hash, the API's none). */
function expectSecurityHeaders(what: string, headers: Record<string, string>, policy: string): void {
  const expected = { ...securityHeaders({ https: false }), "Content-Security-Policy": policy };
  for (const [name, value] of Object.entries(expected)) expect(headers[name.toLowerCase()], `${name} on ${what}`).toBe(value);
}

/** Calls `listener` with every WebSocket any page of `context` opens. */
function onWebSocket(context: BrowserContext, listener: (socket: WebSocket) => void): void {
  context.on("page", (page) => page.on("websocket", listener));
}

async function projectKeys(page: Page): Promise<string[]> {
  return page.evaluate((prefix) => Object.keys(localStorage).filter((key) => key.startsWith(prefix)), PROJECT_KEY_PREFIX);
}

describe("Content-Security-Policy and security headers", () => {
  it("run the live dashboard without a violation, with every header on the page, its assets, the API and 404s", async () => {
    const channel = "csp-live";
    await hub.send(channel, demoEvents());
    const { context, violations, consoleLines } = await watchedContext();
    const responses = new Map<string, Record<string, string>>();
    context.on("response", (res) => responses.set(new URL(res.url()).pathname, res.headers()));

    const page = await openChannel(context, server.url, channel);
    await waitForPhase(page, "live");
    const { head } = await hub.send(channel, [ev.taskProgress(5, 80), ev.agentStatus("reviewer", "busy", { taskId: "4" })]);
    await waitForSeq(page, head);
    await page.locator('[data-testid="debug-toggle"]').click();
    await page.locator('[data-testid="server-metrics"]').waitFor({ timeout: 15_000 });
    await page.goto(`${server.url}/`);
    await page.locator(`[data-testid="channel-row"][data-channel="${channel}"]`).waitFor({ timeout: 15_000 });

    expect(await violations()).toEqual([]);
    expect(consoleLines.filter((line) => /content security policy|refused to/i.test(line))).toEqual([]);

    const html = readFileSync(join(ROOT, "dashboard/build/index.html"), "utf8");
    const pagePolicy = securityHeaders({ https: false, scriptHashes: inlineScriptHashes(html), styleAttributeHashes: kitStyleAttributeHashes() })[
      "Content-Security-Policy"
    ]!;
    const apiPolicy = securityHeaders({ https: false })["Content-Security-Policy"]!;
    const seen = [...responses.keys()];
    const script = seen.find((path) => path.endsWith(".js"));
    const style = seen.find((path) => path.endsWith(".css"));
    expect(script, seen.join(" ")).toBeDefined();
    expect(style, seen.join(" ")).toBeDefined();
    expectSecurityHeaders(`/c/${channel}`, responses.get(`/c/${channel}`)!, pagePolicy);
    expectSecurityHeaders(script!, responses.get(script!)!, pagePolicy);
    expectSecurityHeaders(style!, responses.get(style!)!, pagePolicy);
    expectSecurityHeaders("POST /api/auth/ticket", responses.get("/api/auth/ticket")!, apiPolicy);
    expectSecurityHeaders("GET /api/channels", responses.get("/api/channels")!, apiPolicy);

    const missingApi = await fetch(`${server.url}/api/nope`);
    expect(missingApi.status).toBe(404);
    expectSecurityHeaders("a 404 of the API", headersOf(missingApi), apiPolicy);
    // In single-page-application mode a path no asset matches is answered with the page itself, headers included.
    const missingAsset = await fetch(`${server.url}/_app/immutable/missing.js`, { headers: { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "script" } });
    expect([missingAsset.status, missingAsset.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expectSecurityHeaders("a path no asset matches", headersOf(missingAsset), pagePolicy);
    const spaFallback = await fetch(`${server.url}/c/anything`, { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } });
    expect(spaFallback.status).toBe(200);
    expectSecurityHeaders("the SPA fallback", headersOf(spaFallback), pagePolicy);
  });
});

describe("the debug panel", () => {
  it("never shows a ticket, also after an in-band renewal sent one", async () => {
    const channel = "csp-redaction";
    await hub.send(channel, demoEvents());
    const { context } = await watchedContext();
    const tickets: string[] = [];
    onWebSocket(context, (socket) => {
      const ticket = new URL(socket.url()).searchParams.get("ticket");
      if (ticket) tickets.push(ticket);
      socket.on("framesent", (frame) => {
        const text = typeof frame.payload === "string" ? frame.payload : "";
        const sent = /"ticket":"([^"]+)"/.exec(text)?.[1];
        if (sent) tickets.push(sent);
      });
    });
    const page = await openChannel(context, server.url, channel);
    await waitForPhase(page, "live");
    await page.locator('[data-testid="debug-toggle"]').click();
    // A 10 s ticket is renewed some 2 s before it expires.
    await page.waitForFunction(() => document.querySelector('[data-testid="debug-panel"]')?.textContent?.includes('"type":"auth"'), undefined, { timeout: 30_000 });

    expect(tickets.length).toBeGreaterThanOrEqual(2);
    const panel = (await page.locator('[data-testid="debug-panel"]').textContent()) ?? "";
    const hook = await page.evaluate(() => JSON.stringify((globalThis as unknown as { __TASKMASTER_LIVE__?: { status: unknown } }).__TASKMASTER_LIVE__?.status));
    expect(panel).toContain('"ticket":"v1.…redacted"');
    for (const ticket of tickets) {
      const signature = ticket.split(".").at(-1)!;
      expect(panel).not.toContain(signature);
      expect(hook).not.toContain(signature);
    }
    expect(await page.locator("body").textContent()).not.toMatch(/v1\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/);
  });
});

describe("signing out", () => {
  it("closes the live connection and removes the token and every cached channel state", async () => {
    const channels = ["signout-a", "signout-b"];
    for (const channel of channels) await hub.send(channel, demoEvents());
    const { context } = await watchedContext();
    const sockets: { url: string; closed: boolean }[] = [];
    onWebSocket(context, (socket) => {
      const entry = { url: socket.url(), closed: false };
      sockets.push(entry);
      socket.on("close", () => {
        entry.closed = true;
      });
    });
    const page = await openChannel(context, server.url, channels[0]!);
    await waitForPhase(page, "live");
    // Playwright reports no close for a socket a navigation tore down: watch only the page signed out from.
    sockets.length = 0;
    await page.goto(`${server.url}/c/${channels[1]}`);
    await waitForPhase(page, "live");
    await page.waitForFunction((prefix) => Object.keys(localStorage).filter((key) => key.startsWith(`${prefix}state.`)).length === 2, PROJECT_KEY_PREFIX, {
      timeout: 15_000,
    });
    expect((await projectKeys(page)).sort()).toEqual(["taskmaster-live.state.v1.signout-a", "taskmaster-live.state.v1.signout-b", "taskmaster-live.token"]);
    // More deltas, so the view's stop() would have a newer state to write back.
    const { head } = await hub.send(channels[1]!, [ev.taskProgress(3, 55)]);
    await waitForSeq(page, head);

    expect(sockets.filter((socket) => !socket.closed).length).toBe(1);
    await page.locator('[data-testid="sign-out"]').click();
    await page.locator('[data-testid="token-form"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => sockets.filter((socket) => !socket.closed).map((socket) => socket.url), { timeout: 10_000 }).toEqual([]);
    expect(await projectKeys(page)).toEqual([]);

    // Nothing comes back later (a throttled cache write, a pagehide), nor after a reload.
    await page.reload();
    await page.locator('[data-testid="token-form"]').waitFor({ timeout: 10_000 });
    expect(await projectKeys(page)).toEqual([]);
  });

  it("in one tab signs out the other tabs too", async () => {
    const channel = "signout-tabs";
    await hub.send(channel, demoEvents());
    const { context } = await watchedContext();
    const [first, second] = [await openChannel(context, server.url, channel), await context.newPage()];
    await waitForPhase(first, "live");
    await second!.goto(`${server.url}/c/${channel}`);
    await waitForPhase(second!, "live");

    await first.locator('[data-testid="sign-out"]').click();
    await second!.locator('[data-testid="token-form"]').waitFor({ timeout: 10_000 });
    await second!.reload();
    await second!.locator('[data-testid="token-form"]').waitFor({ timeout: 10_000 });
    expect(await projectKeys(second!)).toEqual([]);
  });
});
