/** The packaged CLI (bridge/dist, plain JavaScript), built once per test file the way `npm pack` builds it. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../dev/dev-server.ts";

export const DIST_BIN = join(ROOT, "bridge/dist/taskmaster-live.mjs");

export function buildCli(): void {
  const build = spawnSync(process.execPath, [join(ROOT, "bridge/build.mjs")], { encoding: "utf8", timeout: 120_000 });
  if (build.status !== 0) throw new Error(`bridge/build.mjs failed:\n${build.stdout}\n${build.stderr}`);
}
