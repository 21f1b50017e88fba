/** The CLI's version: set by the build (bridge/build.mjs) in the package, read from bridge/package.json when run from the repository. */
import { readFileSync } from "node:fs";

declare const __TASKMASTER_LIVE_VERSION__: string | undefined;

export function cliVersion(): string {
  if (typeof __TASKMASTER_LIVE_VERSION__ === "string") return __TASKMASTER_LIVE_VERSION__;
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}
