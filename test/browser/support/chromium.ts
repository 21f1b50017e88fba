/**
 * Debian's Chromium driven by playwright-core: no browser download, ever.
 * A missing browser or dashboard build fails the run loudly (CI must not go
 * green without the browser tests).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DevServer, ROOT, type DevServerOptions } from "../../../dev/dev-server.ts";
import { HubClient } from "../../../dev/hub-client.ts";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}${process.env.CI === "true" ? " (CI=true)" : ""}: install Debian's chromium ` +
        `(apt-get install -y chromium) or set CHROMIUM_PATH. The browser tests never skip.`,
    );
  }
  const index = join(ROOT, "dashboard/build/index.html");
  if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run build:dashboard\` first (npm test does).`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A suite's shared fixtures: one `wrangler dev` and one Chromium, started in
 * beforeAll and stopped (with every context opened through it) in afterAll.
 * `serverOptions` (vars such as raised rate limits) apply to this suite's server only.
 */
export interface BrowserSuite {
  readonly server: DevServer;
  readonly hub: HubClient;
  /** A fresh context (1280×900 unless options say otherwise), closed after the suite. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

export function useBrowserSuite(serverOptions: DevServerOptions = {}): BrowserSuite {
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  let hub: HubClient | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [server, browser] = await Promise.all([DevServer.start(serverOptions), launchChromium()]);
    hub = new HubClient(server.url);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: call useBrowserSuite() at the top of the test file`);
    return value;
  };
  return {
    get server() {
      return started(server, "the dev server");
    },
    get hub() {
      return started(hub, "the hub client");
    },
    async newContext(options = { viewport: { width: 1280, height: 900 } }) {
      const context = await started(browser, "Chromium").newContext(options);
      contexts.push(context);
      return context;
    },
  };
}
