/**
 * Debian's Chromium driven by playwright-core: no browser download, ever.
 * A missing browser or dashboard build fails the run loudly (CI must not go
 * green without the browser tests).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ROOT } from "../../support/dev-server.ts";

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
