#!/usr/bin/env node
// npm test: type-check, build the dashboard (the browser tests serve it) and the packed CLI, run every vitest project.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// TASKMASTER_LIVE_CLI_BUILT: the packed CLI (bridge/dist) is built once below, so test files running side by side never rebuild it under each other.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", TASKMASTER_SKIP_AUTO_UPDATE: "1", TASKMASTER_LIVE_CLI_BUILT: "1" };

function run(label, command, args) {
  console.log(`\n▶ ${label}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env });
  console.log(`◀ ${label}: ${result.status === 0 ? "ok" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run("type-check worker", "tsc", ["-p", "tsconfig.json"]);
run("type-check node", "tsc", ["-p", "tsconfig.node.json"]);
if (existsSync(new URL("../dashboard/vite.config.ts", import.meta.url))) {
  run("type-check dashboard", "npm", ["run", "check:dashboard"]);
  run("build dashboard", "npm", ["run", "build:dashboard"]);
}
run("build CLI", "node", ["bridge/build.mjs"]);
run("tests", "vitest", ["run", ...process.argv.slice(2)]);
