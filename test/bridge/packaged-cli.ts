/** The packaged CLI (bridge/dist, plain JavaScript), built once per test file the way `npm pack` builds it. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../dev/dev-server.ts";

export const DIST_BIN = join(ROOT, "bridge/dist/taskmaster-live.mjs");

/** Builds bridge/dist, unless `npm test` already did (TASKMASTER_LIVE_CLI_BUILT=1): files running side by side must not rebuild it under each other. */
export function buildCli(): void {
  if (cliPrebuilt()) return;
  const build = spawnSync(process.execPath, [join(ROOT, "bridge/build.mjs")], { encoding: "utf8", timeout: 120_000 });
  if (build.status !== 0) throw new Error(`bridge/build.mjs failed:\n${build.stdout}\n${build.stderr}`);
}

export function cliPrebuilt(): boolean {
  return process.env.TASKMASTER_LIVE_CLI_BUILT === "1";
}
