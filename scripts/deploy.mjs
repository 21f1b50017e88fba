#!/usr/bin/env node
// npm run deploy [-- <wrangler deploy options>]
// Refuses to deploy a hub without its secrets, then builds the dashboard and runs wrangler deploy.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { checkSecretList } = await tsImport("./deploy-check.ts", import.meta.url);

const list = spawnSync("wrangler", ["secret", "list", "--format", "json"], { cwd: ROOT, encoding: "utf8", stdio: ["inherit", "pipe", "pipe"] });
const check = checkSecretList(list.stdout ?? "");
if (!check.ok) {
  console.error(`npm run deploy: refusing to deploy: ${check.message}`);
  if (list.status !== 0 && list.stderr) console.error(`\n(wrangler secret list said: ${list.stderr.trim().split("\n").slice(-3).join(" ")})`);
  process.exit(1);
}
for (const [command, args] of [["npm", ["run", "build"]], ["wrangler", ["deploy", ...process.argv.slice(2)]]]) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
